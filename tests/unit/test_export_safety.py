"""What documents leave out or defuse: formulas in CSV cells, finished visits on a route,
ids without names; and calendars in the company's own timezone."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar

from desktop.core.company import COMPANY_META, Company
from desktop.core.export import (
    EVERY_FIELD_TITLES,
    day_route,
    every_field_cells,
    safe_cell,
    write_csv,
    write_week_calendar,
)
from desktop.core.jobs import JOB_FIELDS
from desktop.core.store import JobQuery, Store
from tests.conftest import make_customer
from tests.unit.test_export import MONDAY, NOW, TECH, _events, _week


def test_cells_that_would_run_as_formulas_are_defused(tmp_path: Path) -> None:
    attacks = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3",
               "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
    assert [safe_cell(a) for a in attacks] == ["'" + a for a in attacks]
    assert [safe_cell(v) for v in ("-12.50", "150", "Plain", "a=b", "")] == [
        "-12.50", "150", "Plain", "a=b", ""]
    path = tmp_path / "jobs.csv"
    write_csv(path, ["=Title"], [[a] for a in attacks])
    with path.open(encoding="utf-8-sig", newline="") as handle:
        read = list(csv.reader(handle))
    assert all(row[0].startswith("'") for row in read)


def test_every_field_names_the_technician_the_customer_and_the_location(store: Store) -> None:
    customer = make_customer(store, "Zoë", "Dupré")
    office = "44444444-4444-4444-8444-444444444444"
    record = store.create_job({"customer_uuid": customer, "title": "=cmd",
                               "assigned_to_user_id": TECH, "location_uuid": office,
                               "estimated_amount": "150.5", "is_urgent": True})
    cells = dict(zip(EVERY_FIELD_TITLES, every_field_cells(
        record, {TECH: "Alex Rivera"}, Company(locations={office: "Main office"})),
        strict=True))
    assert set(JOB_FIELDS) < set(cells)
    assert (cells["technician"], cells["customer_name"], cells["location"]) == (
        "Alex Rivera", "Zoë Dupré", "Main office")
    assert (cells["estimated_amount"], cells["is_urgent"], cells["title"]) == (
        "150.50", "true", "=cmd")
    unnamed = dict(zip(EVERY_FIELD_TITLES, every_field_cells(record, {}, None), strict=True))
    assert (unnamed["technician"], unnamed["location"]) == ("Technician 1111", "")


def test_a_route_leaves_out_finished_visits_and_puts_untimed_ones_last(store: Store) -> None:
    customer = make_customer(store)
    day = "2025-03-04"

    def job(title: str, **values: str) -> None:
        store.create_job({"customer_uuid": customer, "title": title, "scheduled_date": day,
                          "assigned_to_user_id": TECH, **values})

    job("No time")
    job("Afternoon", scheduled_time_start="14:00")
    job("Done already", scheduled_time_start="07:00", status="Complete")
    job("Invoiced", scheduled_time_start="07:30", status="Invoiced")
    job("Work done, awaiting invoice", scheduled_time_start="08:00",
        status="Ready to Invoice")
    job("Morning", scheduled_time_start="09:00", status="In Progress")
    job("Until noon", scheduled_time_end="12:00")
    route = [r.values["title"] for r in day_route(store, TECH, date(2025, 3, 4))]
    assert route == ["Morning", "Until noon", "Afternoon", "No time"]


def test_the_week_calendar_is_in_the_companys_timezone_across_a_clock_change(
        store: Store, tmp_path: Path) -> None:
    _week(store)  # its Sunday, 9 March 2025, is when New York's clocks go forward
    store.put_meta(COMPANY_META, {"read_at": NOW.isoformat(), "company": {"name": "Acme"},
                                  "locations": [{"uuid": "a", "name": "Main",
                                                 "timezone": "America/New_York",
                                                 "is_primary": True}]})
    path = tmp_path / "week.ics"
    assert write_week_calendar(store, JobQuery(assigned_to=TECH), MONDAY, path, NOW) == 5
    calendar = Calendar.from_ical(path.read_bytes())
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["America/New_York"]
    kinds = [(c.name, str(c["TZNAME"])) for c in zones[0].subcomponents]
    assert kinds == [("STANDARD", "EST"), ("DAYLIGHT", "EDT")]
    change = zones[0].subcomponents[1]
    assert change.decoded("DTSTART") == datetime(2025, 3, 9, 2, 0)
    timed = _events(path)["Replace valve, kitchen; urgent"]
    assert timed.decoded("DTSTART") == datetime(2025, 3, 4, 8, 0,
                                                tzinfo=ZoneInfo("America/New_York"))
    assert timed["DTSTART"].params["TZID"] == "America/New_York"
    assert _events(path)["Quote a new boiler"].decoded("DTSTART") == date(2025, 3, 9)
