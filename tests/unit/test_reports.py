"""The board's and the dashboard's grouped reads, on a real store with known jobs."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from desktop.core.jobs import parse_server_job
from desktop.core.store import JobQuery, Store, reports
from desktop.core.store.mirror import insert_server_jobs


def _job(store: Store, customer: str, title: str = "Fix leak", **values: object) -> int:
    return store.create_job({"customer_uuid": customer, "title": title, **values}).local_id


def _server_job(store: Store, customer: str, **values: object) -> int:
    """A job as a sync brings it, which may carry what a user could not type."""
    job = parse_server_job({"uuid": str(uuid.uuid4()), "customer_uuid": customer,
                            "title": "From the server", "updated_at": "2025-01-01T00:00:00Z",
                            **values})
    with store.write() as conn:
        insert_server_jobs(conn, [job])
    found = store.get_by_uuid(job.uuid)
    assert found is not None
    return found.local_id


def test_status_counts_group_live_jobs_and_keep_unknown_statuses(store: Store,
                                                                 customer: str) -> None:
    _job(store, customer, status="New")
    _job(store, customer, status="New", priority="Emergency")
    _job(store, customer, status="Scheduled")
    store.delete_job(_job(store, customer, status="Scheduled"))
    _server_job(store, customer, status="On Hold")
    _server_job(store, customer, status="Complete", deleted_at="2025-01-02T00:00:00Z")

    assert reports.status_counts(store, JobQuery()) == {"New": 2, "Scheduled": 1, "On Hold": 1}
    assert reports.status_counts(store, JobQuery(priority="Emergency")) == {"New": 1}
    assert reports.status_counts(store, JobQuery(urgent=True)) == {"New": 1}
    assert reports.status_counts(store, JobQuery(urgent=True, deleted="only")) == {}
    # The Trash never counts, even when the filters ask for it.
    assert reports.status_counts(store, JobQuery(deleted="only")) == {}
    assert reports.status_counts(store, JobQuery(deleted="include")) == {
        "New": 2, "Scheduled": 1, "On Hold": 1}


def test_jobs_per_day_counts_every_day_of_the_range(store: Store, customer: str) -> None:
    _job(store, customer, scheduled_date="2025-03-10")
    _job(store, customer, scheduled_date="2025-03-10", status="Scheduled")
    _server_job(store, customer, scheduled_date="2025-03-12T09:30:00Z")
    _job(store, customer, scheduled_date="2025-03-12", priority="High")
    _job(store, customer, scheduled_date="2025-03-14")  # after the range
    _job(store, customer, scheduled_date="2025-03-09")  # before it
    store.delete_job(_job(store, customer, scheduled_date="2025-03-11"))
    _job(store, customer)  # unscheduled

    first = date(2025, 3, 10)
    assert reports.jobs_per_day(store, JobQuery(), first, 4) == [
        (date(2025, 3, 10), 2), (date(2025, 3, 11), 0), (date(2025, 3, 12), 2),
        (date(2025, 3, 13), 0)]
    # The range replaces the query's own dates; its other filters still narrow.
    narrowed = JobQuery(priority="High", date_from=date(2025, 1, 1), date_to=date(2025, 1, 2))
    assert reports.jobs_per_day(store, narrowed, first, 4) == [
        (date(2025, 3, 10), 0), (date(2025, 3, 11), 0), (date(2025, 3, 12), 1),
        (date(2025, 3, 13), 0)]
    assert [n for _day, n in reports.jobs_per_day(store, JobQuery(unscheduled=True),
                                                  first, 4)] == [0, 0, 0, 0]


def test_month_amounts_are_exact_sums_of_the_months_live_jobs(store: Store,
                                                             customer: str) -> None:
    _job(store, customer, scheduled_date="2025-03-01", estimated_amount="100.10")
    _job(store, customer, scheduled_date="2025-03-15", estimated_amount="200.20",
         actual_amount="250.05")
    _job(store, customer, scheduled_date="2025-03-31", estimated_amount="0.01",
         actual_amount="0.02")
    _job(store, customer, scheduled_date="2025-03-20")  # no amounts at all
    _job(store, customer, scheduled_date="2025-04-01", estimated_amount="999.99")
    _job(store, customer, scheduled_date="2025-02-28", actual_amount="999.99")
    store.delete_job(_job(store, customer, scheduled_date="2025-03-05",
                          estimated_amount="500.00", actual_amount="500.00"))

    month = reports.month_amounts(store, JobQuery(), date(2025, 3, 18))
    assert month == reports.MonthAmounts(
        first_day=date(2025, 3, 1), jobs=4, estimated=Decimal("300.31"), with_actual=2,
        estimated_with_actual=Decimal("200.21"), actual=Decimal("250.07"))
    assert str(month.estimated) == "300.31" and str(month.actual) == "250.07"

    empty = reports.month_amounts(store, JobQuery(), date(2024, 7, 4))
    assert (empty.first_day, empty.jobs, str(empty.estimated), str(empty.actual)) == (
        date(2024, 7, 1), 0, "0.00", "0.00")


def test_ids_by_status_are_each_in_the_querys_order(store: Store, customer: str) -> None:
    ids = {title: _job(store, customer, title, status=status)
           for title, status in (("Boiler", "New"), ("Attic fan", "New"), ("Drain", "Complete"),
                                 ("Cooler", "New"), ("Bath", "Complete"))}
    odd = _server_job(store, customer, status="On Hold")
    store.delete_job(ids["Cooler"])

    groups = reports.ids_by_status(store, JobQuery(sort="title"))
    assert groups == {"New": [ids["Attic fan"], ids["Boiler"]],
                      "Complete": [ids["Bath"], ids["Drain"]], "On Hold": [odd]}
    backwards = reports.ids_by_status(store, JobQuery(sort="title", descending=True))
    assert backwards["New"] == [ids["Boiler"], ids["Attic fan"]]


def test_insertion_point_agrees_with_reading_the_column_again(store: Store,
                                                              customer: str) -> None:
    dates = ["2025-03-04", None, "2025-03-01", "2025-03-04", "2025-03-09", None, "2025-03-02"]
    for n, day in enumerate(dates):
        _job(store, customer, f"Job {n % 3}", scheduled_date=day, status="Scheduled")
    for query in (JobQuery(), JobQuery(descending=True), JobQuery(sort="title"),
                  JobQuery(sort="title", descending=True)):
        column = reports.ids_by_status(store, query)["Scheduled"]
        for place, local_id in enumerate(column):
            others = column[:place] + column[place + 1:]
            assert reports.insertion_point(store, query, others, local_id) == place, query


def test_matching_tells_which_jobs_a_query_still_shows(store: Store, customer: str) -> None:
    urgent = _job(store, customer, priority="Emergency")
    calm = _job(store, customer, priority="Low")
    gone = _job(store, customer, priority="Emergency")
    store.delete_job(gone)
    query = JobQuery(priority="Emergency")
    assert reports.matching(store, query, [urgent, calm, gone]) == {urgent}
    assert reports.matching(store, replace(query, priority=None), [urgent, calm]) == {
        urgent, calm}
    assert reports.matching(store, query, []) == set()
