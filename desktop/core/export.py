"""Files people take elsewhere: CSV for spreadsheets and iCalendar for phone calendars.

Every file is written beside its target under a temporary name and renamed over it
only once complete, so a full disk or a crash never leaves half a file behind (nor
damages the file it was meant to replace).
"""

from __future__ import annotations

import csv
import errno
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from desktop.core.jobs import parse_day
from desktop.core.store import CustomerRecord, JobQuery, JobRecord, Store

#: Records read per query while exporting: few queries, yet a bounded parameter list.
CHUNK = 2000
#: Spreadsheet programs read a CSV as UTF-8 only when it starts with a byte-order mark.
CSV_ENCODING = "utf-8-sig"
#: How long a visit with a start time but no (sensible) end lasts in a calendar.
DEFAULT_VISIT = timedelta(hours=1)
ICS_LINE_OCTETS = 75
_CANCELLED = frozenset({"cancelled", "canceled"})
#: Job statuses whose visit is not settled yet; every other live status is confirmed.
_TENTATIVE = frozenset({"New", "Contacted", "Needs Approval", "Estimate Sent",
                        "Estimate Approved"})


# -- writing files -----------------------------------------------------------------------


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A fresh temporary path beside ``path``: renamed over ``path`` when the block
    completes, removed when it raises."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        yield temporary
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    with replacing(path) as temporary, temporary.open("xb") as out:
        out.write(data)


_PROBLEMS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "the folder does not exist",
    errno.EISDIR: "that name is a folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def write_problem(path: Path, error: OSError) -> str:
    """Why a file could not be written, as a sentence that names it."""
    problem = _PROBLEMS.get(error.errno or 0) or (error.strerror or str(error)).lower()
    return f"Could not write {path}: {problem}."


# -- reading what to export --------------------------------------------------------------


def records(store: Store, query: JobQuery, chunk: int = CHUNK) -> Iterator[JobRecord]:
    """Every job of ``query`` in its order, read a chunk at a time (the ids first, as
    the list does, so 100,000 jobs are never all in memory at once)."""
    ids = store.ids(query)
    for start in range(0, len(ids), chunk):
        window = ids[start:start + chunk]
        found = store.rows(window)
        # A job purged between the two reads is simply left out.
        yield from (found[i] for i in window if i in found)


def address_lines(values: Mapping[str, Any]) -> list[str]:
    """A job's service address as it is written on an envelope."""
    place = " ".join(p for p in (values["service_state"], values["service_zip"]) if p)
    town = ", ".join(p for p in (values["service_city"], place) if p)
    return [line for line in (values["service_address1"], values["service_address2"], town)
            if line]


# -- CSV ---------------------------------------------------------------------------------


def write_csv(path: Path, titles: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """A header row and ``rows`` as RFC 4180 CSV; returns the number of rows written."""
    count = 0
    with replacing(path) as temporary, temporary.open(
            "x", encoding=CSV_ENCODING, newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(titles)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


# -- iCalendar (RFC 5545) ----------------------------------------------------------------


def ics_text(value: str) -> str:
    """A TEXT value with backslash, semicolon, comma and line breaks escaped."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line cut into pieces of at most 75 octets, never inside a UTF-8
    character; each continuation starts with a space, which counts towards its 75."""
    data = line.encode()
    if len(data) <= ICS_LINE_OCTETS:
        return line
    pieces: list[bytes] = []
    start, limit = 0, ICS_LINE_OCTETS
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: back to the character's start
            cut -= 1
        pieces.append(data[start:cut])
        start, limit = cut, ICS_LINE_OCTETS - 1
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode()


def _ics_date(day: date) -> str:
    # Spelled out rather than strftime, which imports a module on every call: at
    # thousands of events that import (hooked by the GUI toolkit) is most of the cost.
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _ics_time(moment: datetime) -> str:
    return f"{_ics_date(moment)}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"


def _time(text: str | None) -> time | None:
    try:
        return time.fromisoformat(text) if text else None
    except ValueError:
        return None


def _when(values: Mapping[str, Any], day: date) -> list[str]:
    """DTSTART and DTEND as floating local times: a visit happens at 08:00 wherever the
    phone is. Without a start time the job is an all-day event."""
    start = _time(values["scheduled_time_start"])
    if start is None:
        return [f"DTSTART;VALUE=DATE:{_ics_date(day)}",
                f"DTEND;VALUE=DATE:{_ics_date(day + timedelta(days=1))}"]
    begins = datetime.combine(day, start)
    end = _time(values["scheduled_time_end"])
    ends = datetime.combine(day, end) if end is not None and end > start else (
        begins + DEFAULT_VISIT)
    return [f"DTSTART:{_ics_time(begins)}", f"DTEND:{_ics_time(ends)}"]


def _status(record: JobRecord) -> str:
    status = record.values["status"] or ""
    if record.deleted or status.lower() in _CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if status in _TENTATIVE else "CONFIRMED"


def event_uid(record: JobRecord) -> str:
    """Stable across exports, so importing a newer file updates the event, not adds one."""
    return f"{record.uuid or f'local-{record.local_id}'}@jobdesk"


def _event(record: JobRecord, customer: CustomerRecord | None, stamp: str) -> list[str]:
    values = record.values
    day = parse_day(values["scheduled_date"])
    if day is None:
        return []
    summary = " ".join(p for p in (values["job_number"], values["title"]) if p)
    name = record.customer_name or (customer.display_name if customer else None)
    details = [
        f"Customer: {name}" if name else "",
        f"Phone: {customer.phone}" if customer and customer.phone else "",
        values["description"] or "",
        f"Customer notes: {values['customer_notes']}" if values["customer_notes"] else "",
    ]
    lines = ["BEGIN:VEVENT", f"UID:{event_uid(record)}", f"DTSTAMP:{stamp}",
             *_when(values, day), f"SUMMARY:{ics_text(summary)}"]
    location = ", ".join(address_lines(values))
    if location:
        lines.append(f"LOCATION:{ics_text(location)}")
    description = "\n".join(d for d in details if d)
    if description:
        lines.append(f"DESCRIPTION:{ics_text(description)}")
    lines += [f"STATUS:{_status(record)}", "END:VEVENT"]
    return lines


def calendar(jobs: Iterable[JobRecord], customers: Mapping[str, CustomerRecord],
             now: datetime) -> str:
    """An iCalendar file with one event per scheduled job (internal notes never go in:
    a calendar is shown on a phone in front of the customer)."""
    stamp = f"{_ics_time(now.astimezone(UTC))}Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//JobDesk//Job schedule//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for job in jobs:
        lines += _event(job, customers.get(job.values["customer_uuid"] or ""), stamp)
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)


def week_query(query: JobQuery, week_start: date) -> JobQuery | None:
    """``query`` narrowed to the seven days from ``week_start`` in schedule order;
    ``None`` when its own filters leave nothing of that week."""
    if query.unscheduled:
        return None
    first = max(week_start, query.date_from) if query.date_from else week_start
    week_end = week_start + timedelta(days=6)
    last = min(week_end, query.date_to) if query.date_to else week_end
    if first > last:
        return None
    return replace(query, date_from=first, date_to=last, sort="scheduled", descending=False)


def write_week_calendar(store: Store, query: JobQuery, week_start: date, path: Path,
                        now: datetime | None = None) -> int:
    """The week's jobs of ``query`` as an .ics file; returns the number of events."""
    narrowed = week_query(query, week_start)
    jobs = list(records(store, narrowed)) if narrowed is not None else []
    uuids = sorted({j.values["customer_uuid"] for j in jobs if j.values["customer_uuid"]})
    customers = {str(c.uuid): c for c in store.customers_by_uuid(uuids)}
    text = calendar(jobs, customers, now or datetime.now(UTC))
    with replacing(path) as temporary, temporary.open("x", encoding="utf-8",
                                                      newline="") as out:
        out.write(text)
    return sum(1 for j in jobs if parse_day(j.values["scheduled_date"]) is not None)
