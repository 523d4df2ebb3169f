"""Undo and redo of local edits: what each edit changed, and the history of them.

An edit is remembered as the values of the fields it changed, before and after, per
job; moving jobs to or from the Trash is the pseudo-field ``TRASHED``. Undoing an
edit applies its ``before`` values as a new local edit (``Store.apply_step``), so it
is validated, queued and coalesced for sync like any other, and never rewrites a
request already sent.

An edit is undone only where its fields still hold what it set. A field changed
since (by a sync from the server, or a conflict on it) is never overwritten
silently: the undo is refused with ``Stale``, naming the job and the field, and the
history keeps the step so nothing else is lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.core.jobs import EDITABLE_FIELDS

#: Whether a job is in the Trash: undone by restoring it, not by setting a field.
TRASHED = "trashed"
#: Steps kept: far more than anyone walks back, few enough to cost nothing.
HISTORY_LIMIT = 200


class Stale(ValueError):
    """An undo or redo refused because a field it would set has changed since."""

    def __init__(self, job: str, field: str, problem: str) -> None:
        super().__init__(f"{job}: {field} {problem}")
        self.job = job
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class JobChange:
    """One job's part of an edit: each changed field's value before and after."""

    local_id: int
    before: Mapping[str, Any]
    after: Mapping[str, Any]

    def reversed(self) -> JobChange:
        return JobChange(self.local_id, self.after, self.before)

    @property
    def trash_move(self) -> bool:
        return TRASHED in self.after


@dataclass(frozen=True)
class Step:
    """One thing the user did (an edit, a drag, a move to the Trash), as one undo."""

    label: str
    jobs: tuple[JobChange, ...]

    def reversed(self) -> Step:
        return Step(self.label, tuple(job.reversed() for job in self.jobs))

    @property
    def trash_move(self) -> bool:
        """Only jobs moved to or from the Trash (which a large selection does in
        batches, off the GUI thread)."""
        return all(job.trash_move for job in self.jobs)

    @property
    def local_ids(self) -> list[int]:
        return [job.local_id for job in self.jobs]


def state_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a job's values an edit can change, trash state included."""
    return {**{f: values.get(f) for f in EDITABLE_FIELDS},
            TRASHED: values.get("deleted_at") is not None}


def job_change(local_id: int, before: Mapping[str, Any],
               after: Mapping[str, Any]) -> JobChange | None:
    """What changed between two states of a job (``state_of``); ``None`` if nothing."""
    fields = [f for f in after if before.get(f) != after[f]]
    if not fields:
        return None
    return JobChange(local_id, {f: before.get(f) for f in fields},
                     {f: after[f] for f in fields})


def step_from(label: str, changes: Sequence[JobChange | None]) -> Step | None:
    jobs = tuple(c for c in changes if c is not None)
    return Step(label, jobs) if jobs else None


def field_changes(change: JobChange, current: Mapping[str, Any],
                  conflicted: Sequence[str], job: str) -> dict[str, Any]:
    """The edit that takes a job from ``change.before`` to ``change.after``, given its
    ``current`` state; raises ``Stale`` if a field no longer holds ``before``.

    A Trash move already made (the job is already where it should go) is not stale:
    there is nothing left to do for it.
    """
    fields = {}
    for field, target in change.after.items():
        if field == TRASHED:
            continue
        if field in conflicted:
            raise Stale(job, field, "has a conflict with the server; resolve it first")
        if current.get(field) != change.before[field]:
            raise Stale(job, field, "has changed since")
        fields[field] = target
    return fields


class History:
    """Steps to undo and to redo, newest last. A new step drops what could be redone.

    The caller applies a step and only then reports it done (``undone``/``redone``),
    so a refused or failed undo leaves the history as it was.
    """

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self._limit = limit
        self._undo: list[Step] = []
        self._redo: list[Step] = []

    def record(self, step: Step) -> None:
        self._undo.append(step)
        del self._undo[:-self._limit]
        self._redo.clear()

    def next_undo(self) -> Step | None:
        return self._undo[-1] if self._undo else None

    def next_redo(self) -> Step | None:
        return self._redo[-1] if self._redo else None

    def undone(self, step: Step) -> None:
        if self.next_undo() is step:
            self._redo.append(self._undo.pop())

    def redone(self, step: Step) -> None:
        if self.next_redo() is step:
            self._undo.append(self._redo.pop())

    def forget(self, local_ids: Sequence[int]) -> None:
        """Drop every step touching these jobs (gone from the mirror)."""
        gone = set(local_ids)
        self._undo = [s for s in self._undo if gone.isdisjoint(s.local_ids)]
        self._redo = [s for s in self._redo if gone.isdisjoint(s.local_ids)]
