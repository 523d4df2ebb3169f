"""The technicians: how one is named, where a name comes from, and the team file.

The API has no users endpoint: a job carries only ``assigned_to_user_id``. A name
comes from a user object the server nests in a job (``source`` "server"), or from
the office naming an id once here (``source`` "local"), shared between laptops as
a small CSV file. A name the office chose is never overwritten by a harvested one:
the office named that id on purpose. ``technician_name`` is the one place that
turns an id into what every view shows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from desktop.core.jobs import FieldError, parse_value

Source = Literal["server", "local"]
#: The keys under which a job may nest its assigned user, in the order tried.
USER_KEYS: Final = ("assigned_user", "assigned_to", "user")
NAME_MAX: Final = 80
UNASSIGNED: Final = "Unassigned"
#: How many characters of an unnamed id stand for it ("Technician 0b70").
SHORT_ID: Final = 4
CSV_HEADER: Final = ("id", "name")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class TeamMember:
    """One user id seen in jobs or named here; ``jobs`` counts its live jobs."""

    user_id: str
    name: str | None
    source: Source | None
    jobs: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.user_id, "name": self.name, "jobs": self.jobs,
                "source": self.source}


def technician_name(user_id: str | None, team: Mapping[str, str]) -> str:
    """What every view shows for a technician: the name, or "Technician 0b70"."""
    if not user_id:
        return UNASSIGNED
    return team.get(user_id) or f"Technician {user_id[:SHORT_ID]}"


def check_user_id(value: object, field: str = "id") -> str:
    """A user id as the API writes it (a UUID, lower case); raises ``FieldError``."""
    try:
        parsed = parse_value("assigned_to_user_id", value)
    except FieldError as exc:
        raise FieldError(field, exc.problem) from None
    if parsed is None:
        raise FieldError(field, "is empty")
    return str(parsed)


def check_name(value: object, field: str = "name") -> str:
    """A technician's name as typed or read from a file; raises ``FieldError``."""
    if not isinstance(value, str):
        raise FieldError(field, "must be text")
    name = " ".join(value.split())
    if not name:
        raise FieldError(field, "is empty")
    if len(name) > NAME_MAX:
        raise FieldError(field, f"must be at most {NAME_MAX} characters (got {len(name)})")
    control = _CONTROL_RE.search(name)
    if control is not None:
        raise FieldError(field, f"must not contain control characters; found "
                                f"{control.group()!r} at character {control.start() + 1}")
    return name


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _name_of(user: Mapping[str, Any]) -> str | None:
    """The best name a user object offers: first and last, a whole name, an email."""
    whole = " ".join(p for p in (_text(user.get("first_name")),
                                 _text(user.get("last_name"))) if p)
    for candidate in (whole, _text(user.get("name")), _text(user.get("full_name")),
                      _text(user.get("display_name")), _text(user.get("email"))):
        if candidate:
            try:
                return check_name(candidate)
            except FieldError:
                continue
    return None


def nested_technician(payload: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(user id, name)`` from a user object nested in a server job, if it names one.

    Tolerant of the shape: the object may sit under any of ``USER_KEYS`` and carry
    its own id (``id``, ``uuid``, ``user_id``) or rely on the job's
    ``assigned_to_user_id``. Anything unusable (no id, no name, a bad id) is none.
    """
    for key in USER_KEYS:
        user = payload.get(key)
        if not isinstance(user, Mapping):
            continue
        name = _name_of(user)
        if name is None:
            continue
        for raw in (user.get("id"), user.get("uuid"), user.get("user_id"),
                    payload.get("assigned_to_user_id")):
            try:
                return check_user_id(raw), name
            except FieldError:
                continue
    return None


# -- the team file ------------------------------------------------------------------------


class TeamFileError(ValueError):
    """A team file that cannot be read; the message names the line and the field."""

    def __init__(self, line: int, field: str, problem: str) -> None:
        self.line, self.field, self.problem = line, field, problem
        super().__init__(f"line {line}: {field} {problem}")


def export_csv(members: Iterable[TeamMember]) -> str:
    """The named technicians as the team file: ``id,name``, one a line, by name."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    named = sorted((m for m in members if m.name),
                   key=lambda m: (str(m.name).casefold(), m.user_id))
    writer.writerows((m.user_id, m.name) for m in named)
    return out.getvalue()


def parse_csv(text: str) -> list[tuple[str, str]]:
    """``(id, name)`` pairs of a team file; raises ``TeamFileError`` at the first bad
    line, so a file is taken whole or not at all. Other columns are ignored."""
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = [h.strip().lower() for h in next(rows, [])]
    except csv.Error as exc:
        raise TeamFileError(1, "header", f"is not CSV ({exc})") from None
    missing = [h for h in CSV_HEADER if h not in header]
    if missing:
        raise TeamFileError(1, "header", f"must name the columns id and name "
                                         f"(missing: {', '.join(missing)})")
    at_id, at_name = header.index("id"), header.index("name")
    pairs: list[tuple[str, str]] = []
    first_line: dict[str, int] = {}
    try:
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            cells = [*row, *([""] * (len(header) - len(row)))]
            try:
                user_id = check_user_id(cells[at_id])
                name = check_name(cells[at_name])
            except FieldError as exc:
                raise TeamFileError(line, exc.field, exc.problem) from None
            if user_id in first_line:
                raise TeamFileError(line, "id", f"repeats line {first_line[user_id]}")
            first_line[user_id] = line
            pairs.append((user_id, name))
    except csv.Error as exc:
        raise TeamFileError(rows.line_num, "row", f"is not CSV ({exc})") from None
    return pairs


def sorted_members(members: Sequence[TeamMember]) -> list[TeamMember]:
    """Named first by name, then the unnamed by how many jobs they hold."""
    return sorted(members, key=lambda m: (m.name is None, (m.name or "").casefold(),
                                          -m.jobs, m.user_id))
