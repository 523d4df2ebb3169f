"""How values read to a person: money, dates, time windows, timestamps, empty values.

Plain functions with no Qt, shared by the table, the detail panel and the conflict
dialog so a value looks the same everywhere.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from desktop.core.jobs import FIELD_KINDS, Kind, parse_day
from desktop.core.merge import DELETED

EMPTY = "—"

#: What each job field is called on screen.
FIELD_LABELS: dict[str, str] = {
    "uuid": "Server id",
    "job_number": "Job #",
    "customer_uuid": "Customer",
    "location_uuid": "Location",
    "assigned_to_user_id": "Assigned to",
    "title": "Title",
    "description": "Description",
    "status": "Status",
    "priority": "Priority",
    "is_urgent": "Urgent",
    "is_emergency": "Emergency",
    "service_address1": "Address",
    "service_address2": "Address 2",
    "service_city": "City",
    "service_state": "State",
    "service_zip": "ZIP",
    "estimated_amount": "Estimate",
    "actual_amount": "Actual",
    "scheduled_date": "Date",
    "scheduled_time_start": "Start time",
    "scheduled_time_end": "End time",
    "started_at": "Started",
    "completed_at": "Completed",
    "invoiced_at": "Invoiced",
    "paid_at": "Paid",
    "internal_notes": "Internal notes",
    "customer_notes": "Customer notes",
    "created_at": "Created",
    "updated_at": "Updated",
    "deleted_at": "Deleted",
}


def label(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


_UUID = re.compile(r"\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
                   re.IGNORECASE)
_FIELD_NAMES = re.compile(r"\b(" + "|".join(sorted(FIELD_LABELS, key=len, reverse=True))
                          + r")\b")


def humanize(message: str) -> str:
    """A server or engine message with field names as the screen calls them and ids
    shortened, so it reads as a sentence and fits beside a field."""
    text = _UUID.sub(lambda m: f"{m.group(1)}…", message)
    return _FIELD_NAMES.sub(lambda m: FIELD_LABELS[m.group(1)], text)


def technician(user_id: str | None, me: str) -> str:
    """Who a job is assigned to. The API cannot name its users, so a technician is a
    short id, or "Me"; every view names them through here."""
    if not user_id:
        return "Unassigned"
    return "Me" if user_id == me else humanize(user_id)


def conflict_summary(fields: Iterable[str]) -> str:
    """What a conflict is about, as a sentence."""
    names = list(fields)
    if DELETED in names:
        return "Edited here but deleted on the server."
    return f"Changed here and on the server differently: {', '.join(map(label, names))}."


def money(value: Decimal | None) -> str:
    return "" if value is None else f"${value:,.2f}"


def parse_timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


# A list or an export formats the same few hundred days over and over, and strftime
# is slow here: it imports ``time`` on every call, through PySide6's import hook.
@functools.lru_cache(maxsize=4096)
def day(value: date, today: date) -> str:
    if value == today:
        return "Today"
    if value == today + timedelta(days=1):
        return "Tomorrow"
    if value == today - timedelta(days=1):
        return "Yesterday"
    if value.year == today.year:
        return value.strftime("%a %d %b")
    return value.strftime("%d %b %Y")


def time_window(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{start}\u2013{end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return ""


def schedule(scheduled: str | None, start: str | None, end: str | None, today: date) -> str:
    when = parse_day(scheduled)
    if when is None:
        return "Unscheduled" if not (start or end) else time_window(start, end)
    window = time_window(start, end)
    return f"{day(when, today)} · {window}" if window else day(when, today)


def timestamp(value: str | None) -> str:
    """A server timestamp in this computer's local time."""
    moment = parse_timestamp(value)
    if moment is None:
        return value or ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%d %b %Y %H:%M")


def ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} h ago"
    return f"{hours // 24} d ago"


def value(field: str, raw: Any) -> str:
    """Any field's value as text, for places that show fields side by side."""
    if raw is None or raw == "":
        return "(empty)"
    kind = FIELD_KINDS.get(field)
    if kind is Kind.MONEY:
        return money(Decimal(str(raw)))
    if kind is Kind.BOOL:
        return "Yes" if raw else "No"
    if kind is Kind.TIMESTAMP:
        return timestamp(str(raw))
    if kind is Kind.DATE:
        parsed = parse_day(str(raw))
        return parsed.strftime("%a %d %b %Y") if parsed else str(raw)
    return str(raw)
