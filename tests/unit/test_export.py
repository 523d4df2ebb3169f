"""CSV and iCalendar files, read back by Python's csv module and the icalendar parser."""

from __future__ import annotations

import csv
import errno
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from desktop.core.export import (
    fold,
    ics_text,
    records,
    write_csv,
    write_problem,
    write_week_calendar,
)
from desktop.core.jobs import parse_server_job
from desktop.core.store import JobQuery, Store
from desktop.core.store.mirror import insert_server_jobs
from tests.conftest import make_customer

MONDAY = date(2025, 3, 3)
TECH = "11111111-1111-4111-8111-111111111111"
OTHER_TECH = "22222222-2222-4222-8222-222222222222"
SERVER_UUID = "33333333-3333-4333-8333-333333333333"
SECRET = "Alarm code 4417, key under the mat"
NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

TRICKY = [
    ["Job #", "Title", "Notes"],
    ["JOB-1", "Façade, north side", 'He said "not before 9"'],
    ["JOB-2", "Crème brûlée oven; Zoë's café", "line one\nline two\r\nline three"],
    ["JOB-3", "", "  leading and trailing spaces  "],
]


# -- CSV -------------------------------------------------------------------------------


def test_csv_round_trips_accents_commas_quotes_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    count = write_csv(path, TRICKY[0], TRICKY[1:])
    assert count == 3
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    # RFC 4180: CRLF between records, quotes doubled inside a quoted field.
    assert raw.split(b"\r\n")[0] == "\ufeffJob #,Title,Notes".encode()
    assert b'"He said ""not before 9"""' in raw
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == TRICKY


def test_a_failed_csv_write_leaves_the_old_file_and_no_scraps(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text("the previous export\n", encoding="utf-8")

    def rows() -> Iterator[list[str]]:
        yield ["JOB-1", "Fix", "first"]
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_csv(path, TRICKY[0], rows())
    assert path.read_text(encoding="utf-8") == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["jobs.csv"]


def test_write_problems_name_the_file_and_the_cause(tmp_path: Path) -> None:
    missing = tmp_path / "no such folder" / "jobs.csv"
    with pytest.raises(OSError) as caught:
        write_csv(missing, ["Job #"], [])
    assert write_problem(missing, caught.value) == (
        f"Could not write {missing}: the folder does not exist.")
    full = OSError(errno.ENOSPC, "No space left on device")
    assert write_problem(missing, full).endswith(": the disk is full.")
    denied = PermissionError(errno.EACCES, "Permission denied")
    assert write_problem(missing, denied).endswith(": permission denied.")
    assert "Traceback" not in write_problem(missing, OSError(errno.EIO, "I/O error"))


def test_records_come_in_query_order_across_chunks(store: Store) -> None:
    customer = make_customer(store)
    titles = [f"Job {n:02d}" for n in range(7)]
    for title in reversed(titles):
        store.create_job({"customer_uuid": customer, "title": title})
    found = [r.values["title"] for r in records(store, JobQuery(sort="title"), chunk=3)]
    assert found == titles


# -- iCalendar -------------------------------------------------------------------------


def _week(store: Store) -> dict[str, int]:
    """A technician's week with every kind of visit, and jobs that must stay out."""
    customer = make_customer(store, "Zoë", "Dupré", phone="512-555-0101")
    other = make_customer(store, "Sam", "Other", phone="512-555-0199")

    def job(title: str, **values: Any) -> int:
        return store.create_job({"customer_uuid": customer, "title": title,
                                 "assigned_to_user_id": TECH, **values}).local_id

    ids = {
        "timed": job("Replace valve, kitchen; urgent", scheduled_date="2025-03-04",
                     scheduled_time_start="08:00", scheduled_time_end="10:30",
                     service_address1="12 Rue de l'Église", service_city="Austin",
                     service_state="TX", service_zip="78701",
                     customer_notes="Ring twice.\nDog is friendly; gate\\latch sticks.",
                     internal_notes=SECRET),
        "all_day": job("Quote a new boiler", scheduled_date="2025-03-09"),
        "start_only": job("Check thermostat", scheduled_date="2025-03-05",
                          scheduled_time_start="15:00"),
        "long": job("Descale the tankless heater", scheduled_date="2025-03-06",
                    scheduled_time_start="09:00", scheduled_time_end="10:00",
                    description="Évier bouché à côté du réfrigérateur. " * 12),
        "next_week": job("Next week", scheduled_date="2025-03-10"),
        "last_week": job("Last week", scheduled_date="2025-03-02"),
    }
    store.create_job({"customer_uuid": other, "title": "Someone else's",
                      "assigned_to_user_id": OTHER_TECH, "scheduled_date": "2025-03-04"})
    cancelled = parse_server_job({
        "uuid": SERVER_UUID, "job_number": "JOB-000042", "customer_uuid": customer,
        "title": "Cancelled visit", "status": "Cancelled", "assigned_to_user_id": TECH,
        "scheduled_date": "2025-03-07", "scheduled_time_start": "13:00",
        "scheduled_time_end": "14:00", "internal_notes": SECRET,
    })
    with store.write() as conn:
        insert_server_jobs(conn, [cancelled])
    return ids


def _events(path: Path) -> dict[str, Any]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_week_calendar_has_one_event_per_visit_of_that_week(store: Store,
                                                            tmp_path: Path) -> None:
    ids = _week(store)
    path = tmp_path / "week.ics"
    count = write_week_calendar(store, JobQuery(assigned_to=TECH), MONDAY, path, NOW)
    events = _events(path)
    assert count == 5
    assert sorted(events) == sorted(["Replace valve, kitchen; urgent", "Quote a new boiler",
                                     "Check thermostat", "Descale the tankless heater",
                                     "JOB-000042 Cancelled visit"])

    timed = events["Replace valve, kitchen; urgent"]
    assert str(timed["UID"]) == f"local-{ids['timed']}@jobdesk"
    # Floating local times: no time zone, no UTC marker.
    assert timed.decoded("DTSTART") == datetime(2025, 3, 4, 8, 0)
    assert timed.decoded("DTEND") == datetime(2025, 3, 4, 10, 30)
    assert str(timed["LOCATION"]) == "12 Rue de l'Église, Austin, TX 78701"
    assert str(timed["DESCRIPTION"]) == ("Customer: Zoë Dupré\nPhone: 512-555-0101\n"
                                         "Customer notes: Ring twice.\n"
                                         "Dog is friendly; gate\\latch sticks.")
    assert str(timed["STATUS"]) == "TENTATIVE"
    assert timed.decoded("DTSTAMP") == NOW

    all_day = events["Quote a new boiler"]
    assert all_day.decoded("DTSTART") == date(2025, 3, 9)
    assert all_day.decoded("DTEND") == date(2025, 3, 10)
    start_only = events["Check thermostat"]
    assert start_only.decoded("DTEND") == datetime(2025, 3, 5, 16, 0)

    cancelled = events["JOB-000042 Cancelled visit"]
    assert str(cancelled["UID"]) == f"{SERVER_UUID}@jobdesk"
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_calendar_text_is_escaped_and_folded_at_75_octets(store: Store,
                                                          tmp_path: Path) -> None:
    _week(store)
    path = tmp_path / "week.ics"
    write_week_calendar(store, JobQuery(assigned_to=TECH), MONDAY, path, NOW)
    raw = path.read_bytes()
    assert raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines), "the long description is folded"
    for line in lines:
        line.decode("utf-8")  # no character is cut in two
    unfolded = raw.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:Replace valve\\, kitchen\\; urgent\r\n" in unfolded
    assert "Ring twice.\\nDog is friendly\\; gate\\\\latch sticks." in unfolded
    long = _events(path)["Descale the tankless heater"]
    assert str(long["DESCRIPTION"]).endswith(
        "Évier bouché à côté du réfrigérateur. " * 11 + "Évier bouché à côté du réfrigérateur.")
    assert SECRET.encode() not in raw and b"Alarm" not in raw.replace(b"\r\n ", b"")


def test_fold_and_escape_rules() -> None:
    assert ics_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    assert fold("X" * 75) == "X" * 75
    folded = fold("DESCRIPTION:" + "é" * 100)
    pieces = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert pieces[0] + "".join(p[1:] for p in pieces[1:]) == "DESCRIPTION:" + "é" * 100


def test_a_week_outside_the_querys_dates_gives_an_empty_calendar(store: Store,
                                                                 tmp_path: Path) -> None:
    _week(store)
    path = tmp_path / "week.ics"
    query = JobQuery(assigned_to=TECH, date_from=date(2025, 4, 1))
    assert write_week_calendar(store, query, MONDAY, path, NOW) == 0
    assert _events(path) == {}
    assert Calendar.from_ical(path.read_bytes())["VERSION"] == "2.0"
