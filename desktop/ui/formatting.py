"""How values read to a person: money, dates, time windows, timestamps, empty values.

Functions shared by the table, the detail panel, the dashboard and the conflict
dialog, so a value looks the same everywhere. Money, dates and clock times follow
the system's locale through ``QLocale`` (its currency, the order of day and month,
a 12-hour clock where the locale keeps one). The bare C locale of a server or a
container, which names no country, reads as JobDesk always has: dollars, the day
before the month, a 24-hour clock.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QLocale, QTime

from desktop.core.jobs import FIELD_KINDS, Kind, parse_day
from desktop.core.merge import DELETED
from desktop.core.schedule import format_minutes
from desktop.core.team import technician_name

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


@dataclass(frozen=True)
class Technicians:
    """How the window names technicians: by the team's names, "Technician 0b70" until
    named (``core.team.technician_name``), and the user as "Me" or "Name (me)"."""

    me: str = ""
    team: Mapping[str, str] = field(default_factory=dict)

    def name(self, user_id: str | None) -> str:
        if user_id and user_id == self.me:
            return f"{self.team[self.me]} (me)" if self.me in self.team else "Me"
        return technician_name(user_id, self.team)


def conflict_summary(fields: Iterable[str]) -> str:
    """What a conflict is about, as a sentence."""
    names = list(fields)
    if DELETED in names:
        return "Edited here but deleted on the server."
    return f"Changed here and on the server differently: {', '.join(map(label, names))}."


def jobs(count: int) -> str:
    """``1 job``, ``1,234 jobs``."""
    return f"{count:,} job{'' if count == 1 else 's'}"


def locale() -> QLocale:
    """The locale values are shown in: the system's (``QLocale.setDefault`` aside)."""
    return QLocale()


def _plain(where: QLocale) -> bool:
    return where.language() == QLocale.Language.C


def plain_locale() -> bool:
    """Whether values are shown in the bare C locale, which names no country."""
    return _plain(locale())


def currency_symbol() -> str:
    where = locale()
    return "$" if _plain(where) else where.currencySymbol() or "$"


def money(value: Decimal | None) -> str:
    if value is None:
        return ""
    where = locale()
    if _plain(where):
        return f"${value:,.2f}"
    return where.toCurrencyString(float(value), currency_symbol(), 2)


def _month_first(where: QLocale) -> bool:
    """Whether the locale writes the month before the day (Dec 3, not 3 Dec)."""
    short = where.dateFormat(QLocale.FormatType.ShortFormat)
    return short.find("M") < short.find("d")


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def date_text(value: date, *, weekday: bool = True, year: bool = True) -> str:
    """A day as words and numbers: "Thu 3 Dec 2026", "Thu, Dec 3, 2026" (en_US)."""
    where = locale()
    if _plain(where):
        return value.strftime(("%a " if weekday else "") + "%d %b" + (" %Y" if year else ""))
    if _month_first(where):
        pattern = "MMM d" + (", yyyy" if year else "")
        pattern = ("ddd, " if weekday else "") + pattern
    else:
        pattern = (("ddd " if weekday else "") + f"{_day_part(where)} MMM"
                   + (" yyyy" if year else ""))
    return where.toString(_qdate(value), pattern)


def _day_part(where: QLocale) -> str:
    """"d." where the locale writes its day with a dot (dd.MM.yy, so "3. Dez."), else "d"."""
    return "d." if "d." in where.dateFormat(QLocale.FormatType.ShortFormat) else "d"


def long_date(value: date) -> str:
    """A day in full: "Thursday 3 December 2026", "Thursday, December 3, 2026" (en_US)."""
    where = locale()
    if _plain(where):
        return f"{value:%A} {value.day} {value:%B %Y}"
    return where.toString(_qdate(value), QLocale.FormatType.LongFormat)


def date_range(first: date, last: date) -> str:
    """Two days as one span, saying a shared month and year once: "2 \u2013 8 Dec 2026",
    "Dec 2 \u2013 8, 2026" (en_US), "2. \u2013 8. Dez. 2026" (de_DE)."""
    where = locale()
    if _plain(where):
        if first.year != last.year:
            return f"{first.day} {first:%b %Y} \u2013 {last.day} {last:%b %Y}"
        if first.month != last.month:
            return f"{first.day} {first:%b} \u2013 {last.day} {last:%b %Y}"
        return f"{first.day} \u2013 {last.day} {last:%b %Y}"
    if first.year != last.year or first.month != last.month:
        start = date_text(first, weekday=False, year=first.year != last.year)
        return f"{start} \u2013 {date_text(last, weekday=False)}"
    if _month_first(where):
        return (f"{date_text(first, weekday=False, year=False)} \u2013 "
                f"{where.toString(_qdate(last), 'd, yyyy')}")
    return (f"{where.toString(_qdate(first), _day_part(where))} \u2013 "
            f"{date_text(last, weekday=False)}")


def month_text(value: date) -> str:
    """A month and its year: "December 2026"."""
    where = locale()
    return value.strftime("%B %Y") if _plain(where) else where.toString(_qdate(value),
                                                                        "MMMM yyyy")


def weekday_text(value: date) -> str:
    """A day's short name: "Thu", "Do." (de_DE)."""
    where = locale()
    return value.strftime("%a") if _plain(where) else where.toString(_qdate(value), "ddd")


# Clock times are cached per locale: the schedule paints hundreds of them per frame.
def clock(hhmm: str) -> str:
    """An API time ("HH:MM") on the locale's clock: "14:30", or "2:30 PM"."""
    return _clock(hhmm, locale().name())


@functools.lru_cache(maxsize=4096)
def _clock(hhmm: str, _locale_name: str) -> str:
    where = locale()
    parsed = QTime.fromString(hhmm[:5], "HH:mm")
    if _plain(where) or not parsed.isValid():
        return hhmm
    return where.toString(parsed, where.timeFormat(QLocale.FormatType.ShortFormat))


def minutes_clock(minutes: int) -> str:
    """Minutes since midnight on the locale's clock: "14:30", or "2:30 PM"."""
    return clock(format_minutes(minutes))


def hour_text(hour: int) -> str:
    """An hour of the day as a timeline marks it: "09:00", "9 AM" on a 12-hour clock."""
    return _hour_text(hour, locale().name())


@functools.lru_cache(maxsize=256)
def _hour_text(hour: int, _locale_name: str) -> str:
    where = locale()
    pattern = where.timeFormat(QLocale.FormatType.ShortFormat)
    if _plain(where) or "ap" not in pattern.lower():
        return minutes_clock(hour * 60)
    # The minutes of a whole hour say nothing beside an AM or PM.
    return where.toString(QTime(hour % 24, 0), pattern.replace(":mm", ""))


def parse_timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


# A list or an export formats the same few hundred days over and over, and strftime
# is slow here: it imports ``time`` on every call, through PySide6's import hook.
def day(value: date, today: date) -> str:
    return _day(value, today, locale().name())


@functools.lru_cache(maxsize=4096)
def _day(value: date, today: date, _locale_name: str) -> str:
    if value == today:
        return "Today"
    if value == today + timedelta(days=1):
        return "Tomorrow"
    if value == today - timedelta(days=1):
        return "Yesterday"
    if value.year == today.year:
        return date_text(value, year=False)
    return date_text(value, weekday=False)


def time_window(start: str | None, end: str | None) -> str:
    return _time_window(start, end, locale().name())


@functools.lru_cache(maxsize=4096)
def _time_window(start: str | None, end: str | None, _locale_name: str) -> str:
    if start and end:
        first, last = clock(start), clock(end)
        where = locale()
        # "9:00 to 11:30 AM" with a dash: one AM or PM says it for both.
        for half in (where.amText(), where.pmText()):
            if half and first.endswith(half) and last.endswith(half):
                first = first[:-len(half)].rstrip()
        return f"{first}\u2013{last}"
    if start:
        return f"from {clock(start)}"
    if end:
        return f"until {clock(end)}"
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
    return moment_text(moment.astimezone())


def moment_text(moment: datetime, *, year: bool = True) -> str:
    """A date and a time of day: "03 Dec 2026 14:30", "Dec 3, 2026 2:30 PM" (en_US)."""
    return (f"{date_text(moment.date(), weekday=False, year=year)} "
            f"{clock(moment.strftime('%H:%M'))}")


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
        return date_text(parsed) if parsed else str(raw)
    return str(raw)
