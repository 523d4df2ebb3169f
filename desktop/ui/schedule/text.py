"""How the schedule names things: days, ranges, lanes, time windows, and each job's
tooltip. Plain functions with no Qt, beside ``formatting`` which they build on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from desktop.core.schedule import Lane, ScheduleItem, format_minutes
from desktop.ui import formatting

#: Before the title of an emergency or urgent job, in the grid and the tray alike.
ALERT_MARK = "\u26a0 "
_SYNC_NOTES = {"pending": "Waiting to sync", "conflict": "Conflict: open it to choose",
               "rejected": "The server refused the last change"}


def day_text(day: date) -> str:
    """A day as the schedule names it: "Tue 3 Dec", "Tue, Dec 3" (en_US)."""
    if formatting.plain_locale():
        return f"{day:%a} {day.day} {day:%b}"
    return formatting.date_text(day, year=False)


def range_title(days: list[date]) -> str:
    """The visible days: "Tuesday 3 December 2024" or "2 to 8 Dec 2024" (with a dash),
    in the locale's words and order."""
    first, last = days[0], days[-1]
    return formatting.long_date(first) if first == last else formatting.date_range(first, last)


def lane_title(lane: Lane, names: formatting.Technicians) -> str:
    """A lane's technician by name ("Technician 0b70" until named); "Me", or the
    user's own name marked "(me)"."""
    return names.name(lane.assignee)


def time_text(item: ScheduleItem) -> str:
    start = format_minutes(item.start) if item.start is not None else None
    end = format_minutes(item.end) if item.end is not None else None
    return formatting.time_window(start, end)


def block_title(item: ScheduleItem) -> str:
    """A job's title on its block, marked when it is an emergency or urgent."""
    title = item.title or "(no title)"
    return ALERT_MARK + title if item.emergency or item.is_urgent else title


def clash_text(others: Sequence[ScheduleItem], names: formatting.Technicians) -> str:
    """A double booking in words, naming the other jobs: "Double-booked: Me also has
    JOB-2 (09:00-10:00) then"; "" for none."""
    if not others:
        return ""
    who = names.name(others[0].assignee)
    jobs = ", ".join(f"{o.job_number or '(new job)'} ({time_text(o)})" for o in others)
    return f"Double-booked: {who} also has {jobs} then"


def tooltip(item: ScheduleItem, clashing: Sequence[ScheduleItem] = (),
            names: formatting.Technicians | None = None) -> str:
    when = day_text(item.day) if item.day else "No date"
    window = time_text(item)
    status = f"Status: {item.status or 'unknown'}"
    alerts = [word for word, on in (("Emergency", item.emergency), ("Urgent", item.is_urgent))
              if on]
    if alerts:
        status += " · " + " and ".join(alerts)
    lines = [f"{item.job_number or '(new)'} · {item.title or '(no title)'}",
             item.customer_name or "No customer",
             f"{when}, {window}" if window else f"{when}, no set time", status]
    if item.sync_state != "synced":
        lines.append(_SYNC_NOTES.get(item.sync_state, item.sync_state))
    if clashing:
        lines.append(clash_text(clashing, names or formatting.Technicians()))
    return "\n".join(lines)
