"""Jobs on the schedule, as the schedule tests put them there and open the page on them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from desktop.core.jobs import parse_server_job
from desktop.core.schedule import week_start
from desktop.core.store import JobQuery, Store
from desktop.core.store.mirror import insert_server_jobs, upsert_nested_customers
from desktop.ui.schedule.page import SchedulePage
from desktop.ui.session import Session

#: A week ahead of today, so that drops there are not into the past (which asks).
MONDAY = week_start(date.today()) + timedelta(weeks=3)
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
THURSDAY = MONDAY + timedelta(days=3)
TECH_A = "aaaaaaaa-0000-4000-8000-000000000001"
TECH_B = "bbbbbbbb-0000-4000-8000-000000000002"
CUSTOMER = {"uuid": "cccccccc-0000-4000-8000-000000000003", "first_name": "Ada",
            "last_name": "Lovelace"}


def put_jobs(store: Store, *jobs: dict[str, Any]) -> dict[str, int]:
    """Jobs as a sync would have stored them; their local ids by job number."""
    parsed = []
    for n, values in enumerate(jobs, start=1):
        number = values.get("job_number", f"JOB-{n}")
        parsed.append(parse_server_job({
            "uuid": f"00000000-0000-4000-8000-{n:012d}", "job_number": number,
            "customer": CUSTOMER, "title": f"Job {n}", "status": "Scheduled",
            "priority": "Normal", "created_at": "2024-11-01T00:00:00.000Z",
            "updated_at": "2024-11-01T00:00:00.000Z", **values}))
    with store.write() as conn:
        upsert_nested_customers(conn, parsed)
        insert_server_jobs(conn, parsed)
    ids = {}
    for job in parsed:
        record = store.get_by_uuid(job.uuid)
        assert record is not None
        ids[str(job.fields["job_number"])] = record.local_id
    return ids


def open_schedule(qtbot: Any, session: Session, query: JobQuery | None = None,
          day: date = TUESDAY) -> SchedulePage:
    view = SchedulePage(session)
    qtbot.addWidget(view)
    view.resize(1300, 820)
    view.show_day(day)
    view.set_query(JobQuery() if query is None else query)
    view.show()
    qtbot.waitUntil(view.settled)
    return view


def timed_job(day: date, start: str, end: str | None = None, **values: Any) -> dict[str, Any]:
    return {"scheduled_date": day.isoformat(), "scheduled_time_start": start,
            "scheduled_time_end": end, **values}
