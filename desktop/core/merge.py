"""Three-way merge of one job, field by field (pure functions, no I/O).

``base`` is the server record as this device last saw it, ``mine`` the effective
local record, ``theirs`` the server record now. A field changed on one side takes
that side; changed on both to the same value is settled; changed to different
values is a conflict that keeps all three values until the user picks.

``sent`` is the body of this device's own request whose reply was lost: a remote
value equal to what we sent is our own echo, never a colleague's change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.core.jobs import EDITABLE_FIELDS, window_problem

#: The pseudo-field of an edit-versus-delete conflict.
DELETED = "_deleted"

#: Fields that hold one value between them: a visit's start and end. Taking one from
#: each side can build a window neither side holds and the edit rules refuse (this
#: device moved the start to 11:00, the office the end to 10:00), so when the merge
#: would do that, both are the user's to settle, as conflicts.
WINDOW = ("scheduled_time_start", "scheduled_time_end")


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: Any
    mine: Any
    theirs: Any

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "base": self.base, "mine": self.mine, "theirs": self.theirs}


@dataclass(frozen=True)
class Merge:
    """The merged effective record and what could not be settled."""

    merged: dict[str, Any]
    conflicts: tuple[FieldConflict, ...] = ()
    #: Fields whose remote change was taken into the local record.
    taken: frozenset[str] = field(default_factory=frozenset)


def merge(
    base: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    *,
    sent: Mapping[str, Any] | None = None,
    fields: Iterable[str] = EDITABLE_FIELDS,
) -> Merge:
    sent = sent or {}
    names = tuple(fields)
    merged = dict(mine)
    conflicts: list[FieldConflict] = []
    taken: set[str] = set()
    for name in names:
        b, m, t = base.get(name), mine.get(name), theirs.get(name)
        if name in sent and t == sent[name]:
            # The server holds what this device sent: our echo, not their change.
            continue
        if t in (b, m):
            continue
        if m == b:
            merged[name] = t
            taken.add(name)
            continue
        conflicts.append(FieldConflict(name, b, m, t))
    if (taken.intersection(WINDOW) and set(names).issuperset(WINDOW)
            and window_problem(merged) is not None):
        for name in WINDOW:
            if any(c.field == name for c in conflicts):
                continue
            merged[name] = mine.get(name)
            taken.discard(name)
            conflicts.append(FieldConflict(name, base.get(name), mine.get(name),
                                           theirs.get(name)))
    return Merge(merged=merged, conflicts=tuple(conflicts), taken=frozenset(taken))


def local_changes(
    base: Mapping[str, Any], mine: Mapping[str, Any], fields: Iterable[str] = EDITABLE_FIELDS
) -> dict[str, Any]:
    """The fields this device changed: exactly what an update must send."""
    return {f: mine.get(f) for f in fields if mine.get(f) != base.get(f)}


def after_confirmed_write(
    mine: Mapping[str, Any],
    sent: Mapping[str, Any],
    before: Mapping[str, Any],
    confirmed: Mapping[str, Any],
    fields: Iterable[str] = EDITABLE_FIELDS,
) -> dict[str, Any]:
    """The effective record once the server confirmed a write.

    ``before`` is the effective record as it was when the request was built. A
    field the user changed again while the request was in flight keeps the newer
    local value (it will go out as its own update); every other field takes what
    the server now holds.
    """
    result = dict(mine)
    for name in fields:
        edited_since = mine.get(name) != before.get(name)
        if not edited_since or (name in sent and mine.get(name) == sent[name]):
            result[name] = confirmed.get(name)
    return result
