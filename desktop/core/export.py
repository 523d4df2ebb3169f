"""Files people take elsewhere: CSV for spreadsheets and iCalendar for phone calendars.

Every file is written beside its target under a temporary name and renamed over it
only once complete, so a full disk or a crash never leaves half a file behind (nor
damages the file it was meant to replace).
"""

from __future__ import annotations

import csv
import errno
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from desktop.core.company import Company
from desktop.core.company import load as load_company
from desktop.core.jobs import JOB_FIELDS, Status, parse_day, wire_value
from desktop.core.store import CustomerRecord, JobQuery, JobRecord, Store
from desktop.core.team import technician_name

#: Records read per query while exporting: few queries, yet a bounded parameter list.
CHUNK = 2000
#: Spreadsheet programs read a CSV as UTF-8 only when it starts with a byte-order mark.
CSV_ENCODING = "utf-8-sig"
#: How long a visit with a start time but no (sensible) end lasts in a calendar.
DEFAULT_VISIT = timedelta(hours=1)
ICS_LINE_OCTETS = 75
_CANCELLED = frozenset({"cancelled", "canceled"})
#: Statuses of a job whose visit is over: the work is done.
VISIT_DONE = frozenset({Status.READY_TO_INVOICE, Status.INVOICED, Status.COMPLETE})
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


def day_route(store: Store, technician: str, day: date) -> list[JobRecord]:
    """The technician's visits still to make on ``day``, by start time, untimed last;
    a finished job (work done: ``VISIT_DONE``) is left off."""
    jobs = records(store, JobQuery(assigned_to=technician, date_from=day, date_to=day))

    def visit(job: JobRecord) -> tuple[bool, str]:
        # A window given only by its end ("until 12:00") is placed by that end.
        when = job.values["scheduled_time_start"] or job.values["scheduled_time_end"]
        return when is None, when or ""

    return sorted((j for j in jobs if j.values["status"] not in VISIT_DONE
                   and not j.values["completed_at"]), key=visit)


# -- CSV ---------------------------------------------------------------------------------

#: A cell a spreadsheet would run as a formula starts with one of these (tab and
#: carriage return too: some programs skip them and read the formula after).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it but never runs it: a cell that starts like a
    formula gets a leading apostrophe (OWASP's advice); a plain number stays a number."""
    if value.startswith(_FORMULA_STARTS) and not _NUMBER_RE.fullmatch(value):
        return "'" + value
    return value


def write_csv(path: Path, titles: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """A header row and ``rows`` as RFC 4180 CSV, every cell made safe for spreadsheets
    (``safe_cell``); returns the number of rows written."""
    count = 0
    with replacing(path) as temporary, temporary.open(
            "x", encoding=CSV_ENCODING, newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([safe_cell(t) for t in titles])
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
            count += 1
    return count


#: The columns of an export of every field: each API field, with a name beside each id.
EVERY_FIELD_TITLES: tuple[str, ...] = tuple(
    title for f in JOB_FIELDS for title in (
        (f, "customer_name") if f == "customer_uuid" else
        (f, "technician") if f == "assigned_to_user_id" else
        (f, "location") if f == "location_uuid" else (f,)))


def every_field_cells(record: JobRecord, team: Mapping[str, str],
                      company: Company | None) -> list[str]:
    """A job's every field as text (amounts as exact decimals), ids with their names."""
    v = record.values
    cells: list[str] = []
    for f in JOB_FIELDS:
        value = wire_value(v[f])
        cells.append("" if value is None else str(value).lower() if isinstance(value, bool)
                     else str(value))
        if f == "customer_uuid":
            cells.append(record.customer_name or "")
        elif f == "assigned_to_user_id":
            cells.append(technician_name(v[f], team) if v[f] else "")
        elif f == "location_uuid":
            cells.append((company.location_name(v[f]) if company else None) or "")
    return cells


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


def _when(values: Mapping[str, Any], day: date, zone: str | None) -> list[str]:
    """DTSTART and DTEND in the company's timezone (``zone``), else as floating local
    times: a visit happens at 08:00 where the job is, wherever the phone is. Without
    a start time the job is an all-day event."""
    start = _time(values["scheduled_time_start"])
    if start is None:
        return [f"DTSTART;VALUE=DATE:{_ics_date(day)}",
                f"DTEND;VALUE=DATE:{_ics_date(day + timedelta(days=1))}"]
    begins = datetime.combine(day, start)
    end = _time(values["scheduled_time_end"])
    ends = datetime.combine(day, end) if end is not None and end > start else (
        begins + DEFAULT_VISIT)
    where = f";TZID={zone}" if zone else ""
    return [f"DTSTART{where}:{_ics_time(begins)}", f"DTEND{where}:{_ics_time(ends)}"]


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


#: How finely ``vtimezone`` looks for a change of offset (zones change on the quarter hour).
_ZONE_STEP = timedelta(minutes=15)


def vtimezone(name: str, first: date, last: date) -> list[str]:
    """A VTIMEZONE for ``name`` that covers ``first`` to ``last``: the offset in force
    when the span begins, and each change of offset within it (RFC 5545 3.6.5)."""
    zone = ZoneInfo(name)
    moment = datetime.combine(first - timedelta(days=1), time(), UTC)
    end = datetime.combine(last + timedelta(days=2), time(), UTC)
    local = moment.astimezone(zone)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]

    def observance(at: datetime, before: datetime, after: datetime) -> None:
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        # DTSTART is the local time of the change as the clocks read before it.
        onset = at.replace(tzinfo=None) + (before.utcoffset() or timedelta(0))
        lines.extend([f"BEGIN:{kind}", f"DTSTART:{_ics_time(onset)}",
                      f"TZOFFSETFROM:{_offset(before.utcoffset())}",
                      f"TZOFFSETTO:{_offset(after.utcoffset())}",
                      f"TZNAME:{after.tzname()}", f"END:{kind}"])

    observance(moment, local, local)
    while moment < end:
        moment += _ZONE_STEP
        now = moment.astimezone(zone)
        if now.utcoffset() != local.utcoffset():
            observance(moment, local, now)
        local = now
    lines.append("END:VTIMEZONE")
    return lines


def _status(record: JobRecord) -> str:
    status = record.values["status"] or ""
    if record.deleted or status.lower() in _CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if status in _TENTATIVE else "CONFIRMED"


def event_uid(record: JobRecord) -> str:
    """Stable across exports, so importing a newer file updates the event, not adds one."""
    return f"{record.uuid or f'local-{record.local_id}'}@jobdesk"


def _event(record: JobRecord, customer: CustomerRecord | None, stamp: str,
           zone: str | None) -> list[str]:
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
             *_when(values, day, zone), f"SUMMARY:{ics_text(summary)}"]
    location = ", ".join(address_lines(values))
    if location:
        lines.append(f"LOCATION:{ics_text(location)}")
    description = "\n".join(d for d in details if d)
    if description:
        lines.append(f"DESCRIPTION:{ics_text(description)}")
    lines += [f"STATUS:{_status(record)}", "END:VEVENT"]
    return lines


def calendar(jobs: Iterable[JobRecord], customers: Mapping[str, CustomerRecord],
             now: datetime, zone: str | None = None) -> str:
    """An iCalendar file with one event per scheduled job (internal notes never go in:
    a calendar is shown on a phone in front of the customer), its times in ``zone``
    (an IANA name, with its VTIMEZONE) or floating without one."""
    stamp = f"{_ics_time(now.astimezone(UTC))}Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//JobDesk//Job schedule//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    jobs = list(jobs)
    days = [d for j in jobs if (d := parse_day(j.values["scheduled_date"])) is not None]
    if zone and days:
        lines += vtimezone(zone, min(days), max(days))
    for job in jobs:
        lines += _event(job, customers.get(job.values["customer_uuid"] or ""), stamp, zone)
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
    """The week's jobs of ``query`` as an .ics file, in the company's timezone when it
    is known (see ``core.company``); returns the number of events."""
    narrowed = week_query(query, week_start)
    jobs = list(records(store, narrowed)) if narrowed is not None else []
    uuids = sorted({j.values["customer_uuid"] for j in jobs if j.values["customer_uuid"]})
    customers = {str(c.uuid): c for c in store.customers_by_uuid(uuids)}
    known = load_company(store)
    zone = known.timezone if known is not None else None
    text = calendar(jobs, customers, now or datetime.now(UTC), zone)
    with replacing(path) as temporary, temporary.open("x", encoding="utf-8",
                                                      newline="") as out:
        out.write(text)
    return sum(1 for j in jobs if parse_day(j.values["scheduled_date"]) is not None)
