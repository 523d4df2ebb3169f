"""What the server accepts in a job's create or update body, and how it stores it.

Rules are the documented ones (required fields, enums, UUIDs, HH:MM times, ISO dates,
non-negative amounts, booleans) and nothing stricter where the vendor is silent:
unknown fields and server-assigned fields are ignored, not refused.
Stored values are API-shaped: amounts as ``"150.00"``, timestamps in UTC with ``Z``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from desktop.core.jobs import (
    EDITABLE_FIELDS,
    FIELD_KINDS,
    MONEY_MAX,
    TITLE_MAX,
    Kind,
    Priority,
    Status,
)

from .clock import format_timestamp, parse_timestamp

STATUSES: Final = tuple(s.value for s in Status)
PRIORITIES: Final = tuple(p.value for p in Priority)
_UUID_RE: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_TIME_RE: Final = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_AMOUNT_RE: Final = re.compile(r"\d+(\.\d+)?")
_CENT: Final = Decimal("0.01")


class Problem(ValueError):
    """One field's value was refused; the message starts with the field's name."""


def is_uuid(text: str) -> bool:
    return bool(_UUID_RE.fullmatch(text))


def _text(field: str, value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise Problem(f"{field} must be a string or null")


def _title(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Problem(f"{field} is required and must be a non-empty string")
    if len(value) > TITLE_MAX:
        raise Problem(f"{field} must be at most {TITLE_MAX} characters (got {len(value)})")
    return value


def _uuid(field: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and is_uuid(value):
        return value.lower()
    raise Problem(f"{field} must be a UUID like 123e4567-e89b-12d3-a456-426614174000")


def _choice(field: str, value: object, allowed: tuple[str, ...]) -> str:
    if isinstance(value, str) and value in allowed:
        return value
    raise Problem(f"{field} must be one of: {', '.join(allowed)}")


def _bool(field: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise Problem(f"{field} must be true or false (or the string \"true\" or \"false\")")


def money_text(field: str, value: object) -> str | None:
    """A non-negative amount, from a JSON number or a string like ``"150.00"``, stored
    as ``"150.00"`` (rounded to the cent)."""
    if value is None:
        return None
    if isinstance(value, str) and _AMOUNT_RE.fullmatch(value):
        amount = Decimal(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(repr(value))  # repr: the shortest text that round-trips
        if not amount.is_finite():
            raise Problem(f"{field} must be a finite number")
    else:
        raise Problem(f"{field} must be a number or a numeric string like \"150.00\"")
    if amount < 0:
        raise Problem(f"{field} must be 0 or more")
    if amount > MONEY_MAX:
        raise Problem(f"{field} must be at most {MONEY_MAX}")
    return f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):.2f}"


def _date(field: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DATE_RE.fullmatch(text):
                date.fromisoformat(text)
            else:
                datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return text
    raise Problem(f"{field} must be an ISO date (YYYY-MM-DD or a full ISO timestamp)")


def _time(field: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and _TIME_RE.fullmatch(value):
        return value
    raise Problem(f"{field} must be a time of day in HH:MM format")


def _timestamp(field: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return format_timestamp(parse_timestamp(value.strip()))
        except (ValueError, OverflowError):
            pass
    raise Problem(f"{field} must be an ISO timestamp like 2025-02-18T14:30:00.000Z")


_CLEANERS: Final[dict[Kind, Callable[[str, object], Any]]] = {
    Kind.TEXT: _text,
    Kind.UUID: _uuid,
    Kind.STATUS: lambda field, value: _choice(field, value, STATUSES),
    Kind.PRIORITY: lambda field, value: _choice(field, value, PRIORITIES),
    Kind.BOOL: _bool,
    Kind.MONEY: money_text,
    Kind.DATE: _date,
    Kind.TIME: _time,
    Kind.TIMESTAMP: _timestamp,
}


def clean_job_body(body: object, *, creating: bool) -> dict[str, Any]:
    """The writable fields present in ``body``, normalised for storage.

    Raises ``Problem`` naming every field that was refused, so a client sees all of
    its mistakes at once.
    """
    if not isinstance(body, dict):
        raise Problem("Request body must be a JSON object")
    problems: list[str] = []
    clean: dict[str, Any] = {}
    for field in EDITABLE_FIELDS:
        if field not in body:
            if creating and field in ("customer_uuid", "title"):
                problems.append(f"{field} is required")
            continue
        cleaner = _title if field == "title" else _CLEANERS[FIELD_KINDS[field]]
        try:
            clean[field] = cleaner(field, body[field])
        except Problem as exc:
            problems.append(str(exc))
    if clean.get("customer_uuid", "") is None:
        problems.append("customer_uuid is required")
    if problems:
        raise Problem("; ".join(problems))
    return clean
