"""The Job domain: fields, statuses, priorities, validation and payload normalising.

Two kinds of input reach a job: what a user types (strict: only known statuses and
priorities, every rule enforced) and what the server sends (tolerant: an unknown
status is kept as-is, amounts may be numbers or strings, booleans may be strings).
Both end up in the same canonical Python values: ``str`` for text, dates and times,
``Decimal`` with two places for amounts, ``bool`` for flags, ``None`` for empty.

User input is refused wherever it could mean two things:

- amounts are plain decimals (``150``, ``150.5``, ``150.50``); a comma only ever
  separates thousands in a well-formed number (``1,234.50``, ``12,345``), so
  ``1,5`` and ``1,50`` are refused rather than read as 15 or 150;
- dates are ``YYYY-MM-DD`` or the API's timestamp form (``2025-01-20T10:00:00Z``,
  with or without milliseconds), in the years ``YEAR_MIN`` to ``YEAR_MAX``; week
  dates, compact dates and year 1 are refused;
- timestamps (``started_at``...) may carry a zone; without one they are read as
  this computer's local time. Either way they are stored in UTC, in the API's form;
- required fields (``REQUIRED_FIELDS``) cannot be cleared;
- text holds no control characters, except newlines and tabs in the multi-line
  fields (``MULTILINE_FIELDS``).

A server record is never refused for one odd value: the value is kept where the
mirror can hold it (a negative amount, ``9am``, a numeric status as text) and
noted under ``FLAGS_KEY`` in the job's extras, which the mirror stores and never
sends back, so the job stays listed and editable.
"""

from __future__ import annotations

import enum
import functools
import json
import re
import uuid as uuid_mod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final


class Status(enum.StrEnum):
    NEW = "New"
    CONTACTED = "Contacted"
    SCHEDULED = "Scheduled"
    IN_PROGRESS = "In Progress"
    NEEDS_APPROVAL = "Needs Approval"
    READY_TO_INVOICE = "Ready to Invoice"
    INVOICED = "Invoiced"
    COMPLETE = "Complete"
    ESTIMATE_SENT = "Estimate Sent"
    ESTIMATE_APPROVED = "Estimate Approved"


class Priority(enum.StrEnum):
    LOW = "Low"
    NORMAL = "Normal"
    HIGH = "High"
    EMERGENCY = "Emergency"


#: The statuses in the order a job moves through them, for boards, menus and charts
#: (``Status`` keeps the API's listing order): an estimate is sent and approved before
#: the visit is booked, and a job is complete before it is invoiced (as
#: ``move_refusal`` has it: an invoiced job has already been completed).
WORKFLOW: Final = (
    Status.NEW,
    Status.CONTACTED,
    Status.ESTIMATE_SENT,
    Status.ESTIMATE_APPROVED,
    Status.SCHEDULED,
    Status.IN_PROGRESS,
    Status.NEEDS_APPROVAL,
    Status.COMPLETE,
    Status.READY_TO_INVOICE,
    Status.INVOICED,
)

#: Statuses where work is still moving; quick sync cycles scan only these.
ACTIVE_STATUSES: Final = (
    Status.NEW,
    Status.CONTACTED,
    Status.SCHEDULED,
    Status.IN_PROGRESS,
    Status.NEEDS_APPROVAL,
    Status.ESTIMATE_SENT,
    Status.ESTIMATE_APPROVED,
    Status.READY_TO_INVOICE,
)
#: The same, as the server and the mirror write them.
ACTIVE_STATUS_VALUES: Final = tuple(s.value for s in ACTIVE_STATUSES)


class Kind(enum.Enum):
    TEXT = "text"
    UUID = "uuid"
    STATUS = "status"
    PRIORITY = "priority"
    BOOL = "bool"
    MONEY = "money"
    DATE = "date"
    TIME = "time"
    TIMESTAMP = "timestamp"


#: Every field of the API's Job object, in the API's order, with its kind.
FIELD_KINDS: Final[dict[str, Kind]] = {
    "uuid": Kind.UUID,
    "job_number": Kind.TEXT,
    "customer_uuid": Kind.UUID,
    "location_uuid": Kind.UUID,
    "assigned_to_user_id": Kind.UUID,
    "title": Kind.TEXT,
    "description": Kind.TEXT,
    "status": Kind.STATUS,
    "priority": Kind.PRIORITY,
    "is_urgent": Kind.BOOL,
    "is_emergency": Kind.BOOL,
    "service_address1": Kind.TEXT,
    "service_address2": Kind.TEXT,
    "service_city": Kind.TEXT,
    "service_state": Kind.TEXT,
    "service_zip": Kind.TEXT,
    "estimated_amount": Kind.MONEY,
    "actual_amount": Kind.MONEY,
    "scheduled_date": Kind.DATE,
    "scheduled_time_start": Kind.TIME,
    "scheduled_time_end": Kind.TIME,
    "started_at": Kind.TIMESTAMP,
    "completed_at": Kind.TIMESTAMP,
    "invoiced_at": Kind.TIMESTAMP,
    "paid_at": Kind.TIMESTAMP,
    "internal_notes": Kind.TEXT,
    "customer_notes": Kind.TEXT,
    "created_at": Kind.TIMESTAMP,
    "updated_at": Kind.TIMESTAMP,
    "deleted_at": Kind.TIMESTAMP,
}
JOB_FIELDS: Final = tuple(FIELD_KINDS)

#: Fields only the server assigns; a user never sets them.
SERVER_FIELDS: Final = frozenset({"uuid", "job_number", "created_at", "updated_at", "deleted_at"})
#: Fields a user may set, and that sync compares, merges and pushes.
EDITABLE_FIELDS: Final = tuple(f for f in JOB_FIELDS if f not in SERVER_FIELDS)
REQUIRED_FIELDS: Final = ("customer_uuid", "title", "status", "priority")
#: Free text that may hold several lines (and tabs); every other text is one line.
MULTILINE_FIELDS: Final = frozenset({"description", "internal_notes", "customer_notes"})
#: The years a date or timestamp a user enters may fall in.
YEAR_MIN: Final = 2000
YEAR_MAX: Final = 2100
TITLE_MAX: Final = 255
TEXT_MAX: Final = 10_000
MONEY_MAX: Final = Decimal("99999999.99")

_CENT = Decimal("0.01")
_TIME_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)", re.ASCII)
# ASCII only and whole-string: "\d" alone would take other scripts' digits, and "$"
# a trailing newline.
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
#: The API's own timestamp form, the other documented form of a scheduled date.
_API_STAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z", re.ASCII)
#: A moment as a person writes one: a day, a time, and perhaps seconds and a zone.
_STAMP_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?", re.ASCII)
#: Digits, with commas only as thousands separators of a well-formed number.
_AMOUNT_RE = re.compile(r"[+-]?(?:(?:\d+|[1-9]\d{0,2}(?:,\d{3})+)(?:\.\d*)?|\.\d+)", re.ASCII)
# C0, DEL and C1: they move the cursor, recolour or clear a terminal, or hide text.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CANONICAL_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class FieldError(ValueError):
    """One field broke one rule; the message names both."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class InvalidJob(ValueError):
    """A set of changes was refused; nothing was applied."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = tuple(errors)


#: Where ``parse_server_job`` notes, among a job's extras, the values it kept that
#: break a rule: ``{field: {"sent": <JSON as sent>, "problem": <which rule>}}``.
#: Extras are stored with the row and never sent back to the server.
FLAGS_KEY: Final = "@jobdesk:flagged"


@dataclass(frozen=True)
class ServerJob:
    """A job as the server sent it, normalised; ``extras`` keeps unknown fields."""

    fields: dict[str, Any]
    customer: dict[str, str | None] | None
    extras: dict[str, Any]

    @property
    def uuid(self) -> str:
        return str(self.fields["uuid"])

    @property
    def flags(self) -> dict[str, FieldFlag]:
        """Values kept although they break a rule, by field (usually none)."""
        return read_flags(self.extras)


# --- parsing single values ------------------------------------------------------


def _clean_text(field: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(field, "must be text")
    return value.strip() or None


def _parse_text(field: str, value: object) -> str | None:
    return parse_text(field, value, multiline=field in MULTILINE_FIELDS,
                      limit=TITLE_MAX if field == "title" else TEXT_MAX)


def parse_text(field: str, value: object, *, multiline: bool, limit: int) -> str | None:
    """Text a user typed: trimmed, within its length, free of control characters."""
    if multiline and isinstance(value, str):
        # Text pasted from Windows ends its lines with CR LF; one newline is meant.
        value = value.replace("\r\n", "\n")
    text = _clean_text(field, value)
    if text is None:
        return None
    if len(text) > limit:
        raise FieldError(field, f"must be at most {limit} characters (got {len(text)})")
    control = (_CONTROL_MULTILINE_RE if multiline else _CONTROL_RE).search(text)
    if control is not None:
        allowed = " (new lines and tabs are fine)" if multiline else ""
        raise FieldError(field, f"must not contain control characters{allowed}; found "
                                f"{control.group()!r} at character {control.start() + 1}")
    return text


def _server_text(field: str, value: object) -> str | None:
    """Server text is kept whatever its length; a number (a numeric job number) as text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return _clean_text(field, value)


def parse_uuid(field: str, value: object) -> str | None:
    text = _clean_text(field, value)
    if text is None:
        return None
    if _CANONICAL_UUID_RE.match(text):
        return text
    try:
        return str(uuid_mod.UUID(text))
    except ValueError:
        raise FieldError(
            field, f"must be a UUID like 123e4567-e89b-12d3-a456-426614174000, got {text!r}"
        ) from None


def parse_money(field: str, value: object) -> Decimal | None:
    """An amount as an exact two-place Decimal; numbers or numeric strings accepted.

    In text a comma is read only as a thousands separator of a well-formed number
    ("1,234.50", "12,345"): "1,5" may mean one and a half or fifteen, so it is
    refused rather than guessed.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldError(field, "must be an amount, not true/false")
    if isinstance(value, str):
        text = value.strip()
        if not _AMOUNT_RE.fullmatch(text):
            if "," in text:
                raise FieldError(field, f"{text!r} is ambiguous: a comma may only separate "
                                        "thousands (1,234.50); use a point for cents (1.50)")
            raise FieldError(field, f"must be an amount like 150.00, got {value!r}")
        text = text.replace(",", "")
    elif isinstance(value, float):
        text = repr(value)  # the shortest text that round-trips, never binary noise
    elif isinstance(value, (int, Decimal)):
        text = str(value)
    else:
        raise FieldError(field, f"must be an amount like 150.00, got {value!r:.40}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise FieldError(field, f"must be an amount like 150.00, got {value!r}") from None
    if not amount.is_finite():
        raise FieldError(field, f"must be an amount like 150.00, got {value!r}")
    if amount < 0:
        raise FieldError(field, "must be zero or more")
    if amount > MONEY_MAX:
        raise FieldError(field, f"must be at most {MONEY_MAX}")
    if amount != amount.quantize(_CENT, rounding=ROUND_HALF_UP):
        raise FieldError(field, "must have at most 2 decimal places")
    return amount.quantize(_CENT)


def parse_bool(field: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no", ""):
            return False
    raise FieldError(field, f"must be true or false, got {value!r}")


# Cached: lists, schedules and exports read the same few hundred dates by the thousand.
@functools.lru_cache(maxsize=4096)
def parse_day(text: str | None) -> date | None:
    """The calendar day of a scheduled date, whether sent as a date or a timestamp."""
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _check_year(field: str, text: str, day: date) -> None:
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise FieldError(field, f"{text!r} is outside the years {YEAR_MIN} to {YEAR_MAX}")


def _parse_date(field: str, value: object) -> str | None:
    """A scheduled date a user gave: ``YYYY-MM-DD`` or the API's timestamp form."""
    text = _clean_text(field, value)
    if text is None:
        return None
    read: Callable[[str], date]
    if _DATE_RE.fullmatch(text):
        read = date.fromisoformat
    elif _API_STAMP_RE.fullmatch(text):
        read = _stamp_day
    else:
        raise FieldError(field, "must be a date YYYY-MM-DD (or a timestamp like "
                                f"2025-01-20T10:00:00Z), got {text!r}")
    try:
        day = read(text)
    except ValueError:
        raise FieldError(field, f"{text!r} is not a real calendar date") from None
    _check_year(field, text, day)
    return text


def _stamp_day(text: str) -> date:
    return datetime.fromisoformat(text).date()


def _server_date(field: str, value: object) -> str | None:
    """A date the server sent: any ISO form is kept as sent."""
    text = _clean_text(field, value)
    if text is None:
        return None
    if _DATE_RE.fullmatch(text):
        try:
            date.fromisoformat(text)
        except ValueError:
            raise FieldError(field, f"{text!r} is not a real calendar date") from None
        return text
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(
            field, f"must be a date YYYY-MM-DD or an ISO timestamp, got {text!r}"
        ) from None
    return text


def _parse_time(field: str, value: object) -> str | None:
    text = _clean_text(field, value)
    if text is None:
        return None
    if not _TIME_RE.fullmatch(text):
        raise FieldError(field, f"must be a time HH:MM between 00:00 and 23:59, got {text!r}")
    return text


def _parse_timestamp(field: str, value: object) -> str | None:
    """A moment a user gave, as UTC in the API's form.

    Without a zone it is this computer's local time: "started at 10:00" in the field
    means 10:00 on the wall clock there, not in London.
    """
    text = _clean_text(field, value)
    if text is None:
        return None
    if not _STAMP_RE.fullmatch(text):
        raise FieldError(field, "must be a date and time like 2025-02-18T14:30 (local time) "
                                f"or 2025-02-18T14:30:00Z (UTC), got {text!r}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(field, f"{text!r} is not a real date and time") from None
    _check_year(field, text, moment.date())
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _server_timestamp(field: str, value: object) -> str | None:
    """A timestamp the server sent: any ISO form is kept as sent."""
    text = _clean_text(field, value)
    if text is None:
        return None
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(
            field, f"must be an ISO timestamp like 2025-02-18T14:30:00.000Z, got {text!r}"
        ) from None
    return text


_STATUS_BY_LOWER: Final = {s.value.lower(): s.value for s in Status}
_PRIORITY_BY_LOWER: Final = {p.value.lower(): p.value for p in Priority}


def _enum_parser(
    known: Mapping[str, str], choices: str, *, strict: bool
) -> Callable[[str, object], str | None]:
    def parse(field: str, value: object) -> str | None:
        text = _clean_text(field, value)
        if text is None:
            return None
        canonical = known.get(text.lower())
        if canonical is not None:
            return canonical
        if strict:
            raise FieldError(field, f"must be one of {choices}; got {text!r}")
        # The server may know statuses we don't: keep and show them as sent.
        return text

    return parse


_PARSERS: Final[dict[Kind, Callable[[str, object], Any]]] = {
    Kind.TEXT: _parse_text,
    Kind.UUID: parse_uuid,
    Kind.BOOL: parse_bool,
    Kind.MONEY: parse_money,
    Kind.DATE: _parse_date,
    Kind.TIME: _parse_time,
    Kind.TIMESTAMP: _parse_timestamp,
}
_SERVER_PARSERS: Final[dict[Kind, Callable[[str, object], Any]]] = {
    Kind.TEXT: _server_text,
    Kind.DATE: _server_date,
    Kind.TIMESTAMP: _server_timestamp,
}
# Per field, once: a dispatch table is several times cheaper than matching on the
# kind for every value, and a 100-job page has 3,000 values.
_STRICT: Final = {
    name: _PARSERS.get(kind) for name, kind in FIELD_KINDS.items() if kind in _PARSERS
} | {
    "status": _enum_parser(_STATUS_BY_LOWER, ", ".join(Status), strict=True),
    "priority": _enum_parser(_PRIORITY_BY_LOWER, ", ".join(Priority), strict=True),
}
_FLAGS: Final = frozenset(n for n, k in FIELD_KINDS.items() if k is Kind.BOOL)
_LENIENT: Final = _STRICT | {
    name: _SERVER_PARSERS[kind] for name, kind in FIELD_KINDS.items() if kind in _SERVER_PARSERS
} | {
    "status": _enum_parser(_STATUS_BY_LOWER, ", ".join(Status), strict=False),
    "priority": _enum_parser(_PRIORITY_BY_LOWER, ", ".join(Priority), strict=False),
}


def parse_value(field: str, value: object, *, strict: bool = True) -> Any:
    """Normalise one field's value; ``strict`` is for user input, off for server data."""
    parser = (_STRICT if strict else _LENIENT).get(field)
    if parser is None:
        raise FieldError(field, "is not a job field")
    return parser(field, value)


# --- whole records --------------------------------------------------------------


def _check_record(record: Mapping[str, Any], errors: list[FieldError], *,
                  editing: bool) -> None:
    problem = "is required and cannot be cleared" if editing else "is required"
    for name in REQUIRED_FIELDS:
        if record.get(name) in (None, ""):
            errors.append(FieldError(name, problem))
    window = window_problem(record)
    if window is not None:
        errors.append(FieldError("scheduled_time_end", window))


def window_problem(record: Mapping[str, Any]) -> str | None:
    """What is wrong with a record's visit window, or ``None`` when it is sound."""
    start, end = record.get("scheduled_time_start"), record.get("scheduled_time_end")
    if start and end and end <= start:
        return f"must be after scheduled_time_start ({start})"
    return None


def validate_changes(
    changes: Mapping[str, object], current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Validate a user's changes against the current record (``None`` for a new job).

    Returns the normalised changes; raises ``InvalidJob`` listing every broken rule.
    """
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for field, raw in changes.items():
        if field in SERVER_FIELDS:
            errors.append(FieldError(field, "is set by the server and cannot be edited"))
            continue
        try:
            clean[field] = parse_value(field, raw, strict=True)
        except FieldError as exc:
            errors.append(exc)
    if current is None:
        merged: dict[str, Any] = {**new_job_defaults(), **clean}
    else:
        merged = {**current, **clean}
    failed = {e.field for e in errors}
    record_errors: list[FieldError] = []
    _check_record(merged, record_errors, editing=current is not None)
    # A record rule only matters if the user touched that field or is creating a job;
    # an old server record that already breaks a rule must not block unrelated edits.
    errors.extend(
        e for e in record_errors
        if e.field not in failed and (current is None or _touches(e.field, clean))
    )
    if errors:
        raise InvalidJob(errors)
    return clean


def _touches(field: str, changes: Mapping[str, Any]) -> bool:
    if field == "scheduled_time_end":
        return "scheduled_time_end" in changes or "scheduled_time_start" in changes
    return field in changes


# --- status moves ---------------------------------------------------------------

#: A move to one of these statuses records when it happened, in this field.
STATUS_STAMPS: Final = {
    Status.IN_PROGRESS.value: "started_at",
    Status.COMPLETE.value: "completed_at",
}
#: The statuses a job is already past each stamped move from: starting it again, or
#: completing a finished job again, would overwrite when the work really happened.
_ALREADY_PAST: Final = {
    Status.IN_PROGRESS.value: (
        frozenset({Status.IN_PROGRESS, Status.COMPLETE, Status.INVOICED,
                   Status.READY_TO_INVOICE}), "started"),
    Status.COMPLETE.value: (frozenset({Status.COMPLETE, Status.INVOICED}), "completed"),
}


def move_refusal(current: str | None, target: str) -> str | None:
    """Why a job in status ``current`` cannot move to ``target``; ``None`` when it can."""
    past, verb = _ALREADY_PAST.get(target, (frozenset(), ""))
    if current in past:
        return f"cannot move from {current} to {target}: the job has already been {verb}"
    return None


def status_move(current: Mapping[str, Any], target: str, now: str) -> dict[str, Any]:
    """The changes that move a job (its ``current`` values) to the ``target`` status.

    Moving to In Progress starts the job and moving to Complete finishes it: each
    records ``now`` in its time field. Raises ``InvalidJob`` naming ``status`` for a
    move the job is already past; the caller still validates the changes as any edit.
    """
    problem = move_refusal(current.get("status"), target)
    if problem is not None:
        raise InvalidJob([FieldError("status", problem)])
    changes: dict[str, Any] = {"status": target}
    stamp = STATUS_STAMPS.get(target)
    if stamp is not None:
        changes[stamp] = now
    return changes


#: The statuses a job's work is done in: no longer anyone's next job.
DONE_STATUSES: Final = (Status.COMPLETE.value, Status.INVOICED.value,
                        Status.READY_TO_INVOICE.value)


def completion_changes(current: Mapping[str, Any], amount: object, note: str | None,
                       day: date) -> dict[str, Any]:
    """What completing a job records beside the move: the actual amount, when one is
    given (read as any amount; a bad one raises ``InvalidJob`` naming
    ``actual_amount``), and a work note, added to the internal notes under the day's
    date so earlier notes stay as they were."""
    changes: dict[str, Any] = {}
    try:
        amount_value = parse_money("actual_amount", amount)
    except FieldError as error:
        raise InvalidJob([error]) from None
    if amount_value is not None:
        changes["actual_amount"] = amount_value
    text = (note or "").strip()
    if text:
        entry = f"Work done {day.isoformat()}: {text}"
        earlier = (current.get("internal_notes") or "").rstrip()
        changes["internal_notes"] = f"{earlier}\n\n{entry}" if earlier else entry
    return changes


def new_job_defaults() -> dict[str, Any]:
    """The values a job created without them gets, as the API documents."""
    return {
        "status": Status.NEW.value,
        "priority": Priority.NORMAL.value,
        "is_urgent": False,
        "is_emergency": False,
    }


def _as_text(value: object) -> str | None:
    """Any JSON value as text a person can read: strings as they are, numbers as
    written, anything else as its JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _kept_amount(value: object) -> Decimal | None:
    """An out-of-range amount as the mirror can hold it (whole cents, in a 64-bit
    column), or ``None`` when it cannot be held exactly."""
    if isinstance(value, str):
        text = value.strip()
        if not _AMOUNT_RE.fullmatch(text):
            return None
        text = text.replace(",", "")
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        return None
    try:
        amount = Decimal(text)
        if not amount.is_finite() or amount != amount.quantize(_CENT):
            return None
    except InvalidOperation:
        return None
    return amount.quantize(_CENT) if abs(amount * 100) < 2**63 else None


def _kept(field: str, value: object) -> Any:
    """What the mirror keeps of a server value that breaks a rule: the value itself
    where its column can show it, else the API's default or nothing (the flag still
    holds the value as sent)."""
    kind = FIELD_KINDS[field]
    if kind is Kind.BOOL:
        return False
    if kind is Kind.MONEY:
        return _kept_amount(value)
    return _as_text(value)


def _json_safe(value: object) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


@dataclass(frozen=True)
class FieldFlag:
    """A value the server sent that breaks one of our rules: kept, shown, never refused."""

    field: str
    sent: Any
    problem: str

    @property
    def column(self) -> str:
        """The job field this is about: the nested customer's flag is about its uuid."""
        return "customer_uuid" if self.field == "customer" else self.field

    def describe(self) -> str:
        sent = json.dumps(self.sent, ensure_ascii=False, default=str)
        return f"the server sent {sent}: {self.problem}"

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "problem": self.problem}


def read_flags(extras: Mapping[str, Any]) -> dict[str, FieldFlag]:
    """The flags ``parse_server_job`` noted in a job's extras, by field."""
    raw = extras.get(FLAGS_KEY)
    if not isinstance(raw, Mapping):
        return {}
    return {
        str(field): FieldFlag(str(field), note.get("sent"), str(note.get("problem")))
        for field, note in raw.items() if isinstance(note, Mapping)
    }


def parse_server_job(payload: Mapping[str, Any]) -> ServerJob:
    """Normalise a job the server sent, tolerating every documented unknown.

    A value that breaks a rule (a negative amount, ``9am``, a numeric status) does
    not cost the job: it is kept as ``_kept`` can hold it and flagged under
    ``FLAGS_KEY`` in the extras. Raises ``FieldError`` only for a payload that is not
    an object or has no usable ``uuid``: without one the job cannot be mirrored.
    """
    if not isinstance(payload, Mapping):
        raise FieldError("job", "must be a JSON object")
    fields: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    flags: dict[str, dict[str, Any]] = {}
    for key, value in payload.items():
        parser = _LENIENT.get(key)
        if parser is None:
            if key != "customer":
                extras[key] = value
        elif value is None:
            # Most optional fields are empty; null means "none" for every kind but
            # the flags, which the API defaults to false.
            fields[key] = False if key in _FLAGS else None
        elif parser is _server_text and type(value) is str:
            # Free text is most of a record: trimmed here rather than through calls,
            # which a 100,000-job first sync would pay 1.2 million times.
            fields[key] = value.strip() or None
        else:
            try:
                fields[key] = parser(key, value)
            except FieldError as exc:
                if key == "uuid":
                    raise
                fields[key] = _kept(key, value)
                flags[key] = {"sent": _json_safe(value), "problem": exc.problem}
    if not fields.get("uuid"):
        raise FieldError("uuid", "is missing from the server's job")
    customer = payload.get("customer")
    nested: dict[str, str | None] | None = None
    if isinstance(customer, Mapping) and customer.get("uuid"):
        try:
            customer_uuid = parse_uuid("customer.uuid", customer.get("uuid"))
        except FieldError as exc:
            flags["customer"] = {"sent": _json_safe(customer.get("uuid")),
                                 "problem": f"its uuid {exc.problem}"}
        else:
            nested = {
                "uuid": customer_uuid,
                "first_name": _as_text(customer.get("first_name")),
                "last_name": _as_text(customer.get("last_name")),
            }
            fields.setdefault("customer_uuid", customer_uuid)
    if flags:
        extras[FLAGS_KEY] = flags
    return ServerJob(fields=fields, customer=nested, extras=extras)


def wire_value(value: Any) -> Any:
    """A canonical value as JSON sends it; amounts become their exact decimal text."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value
