"""Grouped reads of the mirror for the status board and the dashboard.

Each function takes the ``Store`` and a ``JobQuery`` (the main window's filters) and
answers with SQL aggregates or one ordered pass over the indexes; none loads whole
records. Only live jobs count: the Trash is never part of a board or a total.
They are SQL text built on ``queries``' WHERE clauses and index hints, for the
reasons given there: the board and the dashboard run them at every refresh.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from desktop.core.store.database import Store
from desktop.core.store.queries import (
    JobQuery,
    every_live_job,
    fetch_all,
    has_narrow_index,
    order_clause,
    where_clause,
)


def live(query: JobQuery) -> JobQuery:
    """The query narrowed to jobs not in the Trash."""
    return query if query.deleted == "exclude" else replace(query, deleted="exclude")


def _where(query: JobQuery) -> tuple[str, list[Any]]:
    """The WHERE clause of the query's live jobs (none, for a query of the Trash)."""
    if query.deleted == "only":
        return "0", []
    return where_clause(live(query))


def _count_source(query: JobQuery) -> str:
    if has_narrow_index(query) or query.deleted == "only":
        return "jobs j"
    if query.urgent:
        # The planner would walk every live job for the urgent few; their partial
        # index holds exactly them (measured at 100,000 jobs: 90 ms against 7).
        return "jobs j INDEXED BY ix_jobs_urgent"
    if (query.assigned_to or query.priority) and not query.unscheduled:
        # The planner reaches one technician's jobs through ix_jobs_assigned and reads
        # each row for its status (33 ms for 20,000 of them); the filter index holds
        # every column tested, so one walk of it alone takes 9.
        return "jobs j INDEXED BY ix_jobs_filters"
    return "jobs j"


def status_counts(store: Store, query: JobQuery) -> dict[str | None, int]:
    """How many matching jobs each status holds, statuses unknown to this version (or
    none at all: ``None``) included as the server sent them."""
    if query.deleted != "only" and every_live_job(live(query)):
        # Every live job: the counts the triggers keep (see ddl).
        with store.read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT status, jobs FROM live_status_counts WHERE jobs > 0")
            return {status or None: int(count) for status, count in rows}
    where, params = _where(query)
    with store.read() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT j.status, count(*) FROM {_count_source(query)} WHERE {where} "
            "GROUP BY j.status",
            tuple(params))
        return {status: int(count) for status, count in rows}


def ids_by_status(store: Store, query: JobQuery) -> dict[str | None, list[int]]:
    """Every matching job's local id, grouped by status, each group in the query's
    order: the board's columns, read in one pass."""
    where, params = _where(query)
    sql = f"SELECT j.local_id, j.status FROM jobs j WHERE {where} ORDER BY {order_clause(query)}"
    groups: dict[str | None, list[int]] = {}
    with store.read() as conn:
        rows = fetch_all(conn, sql, params)
    for local_id, status in rows:
        group = groups.get(status)
        if group is None:
            group = groups[status] = []
        group.append(local_id)
    return groups


def matching(store: Store, query: JobQuery, local_ids: Sequence[int]) -> set[int]:
    """Which of a few jobs the query matches (after an edit, whether they stay shown)."""
    if not local_ids:
        return set()
    where, params = _where(query)
    marks = ", ".join("?" * len(local_ids))
    with store.read() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT j.local_id FROM jobs j WHERE j.local_id IN ({marks}) AND {where}",
            (*local_ids, *params))
        return {int(row[0]) for row in rows}


def insertion_point(store: Store, query: JobQuery, ordered: Sequence[int],
                    local_id: int) -> int:
    """Where a job goes in ``ordered`` (ids already in the query's order).

    A binary search whose every comparison is the query's own ORDER BY applied to
    two rows, so the answer agrees with a full re-read without sorting a column.
    """
    order = order_clause(query)
    sql = f"SELECT j.local_id FROM jobs j WHERE j.local_id IN (?, ?) ORDER BY {order} LIMIT 1"
    low, high = 0, len(ordered)
    with store.read() as conn:
        while low < high:
            middle = (low + high) // 2
            first = conn.exec_driver_sql(sql, (ordered[middle], local_id)).scalar()
            if first == ordered[middle]:
                low = middle + 1
            else:
                high = middle
    return low


def jobs_per_day(store: Store, query: JobQuery, first: date, days: int) -> list[tuple[date, int]]:
    """Matching jobs scheduled on each of ``days`` days from ``first`` (zeros included);
    the range replaces any dates the query has."""
    span = [first + timedelta(days=n) for n in range(days)]
    if query.unscheduled:
        return [(day, 0) for day in span]
    where, params = _where(replace(query, date_from=span[0], date_to=span[-1]))
    with store.read() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT substr(j.scheduled_date, 1, 10), count(*) FROM jobs j WHERE {where} "
            "GROUP BY 1", tuple(params))
        counts = {str(day): int(count) for day, count in rows}
    return [(day, counts.get(day.isoformat(), 0)) for day in span]


def _money(cents: int | None) -> Decimal:
    """A sum of stored cents as an exact two-place amount."""
    return Decimal(cents or 0).scaleb(-2)


@dataclass(frozen=True)
class MonthAmounts:
    """The money of the matching jobs scheduled in one calendar month."""

    first_day: date
    jobs: int
    estimated: Decimal
    #: How many of the month's jobs have an actual amount recorded, what they were
    #: estimated at, and what they came to.
    with_actual: int
    estimated_with_actual: Decimal
    actual: Decimal


def month_amounts(store: Store, query: JobQuery, day: date) -> MonthAmounts:
    """Estimated and actual totals of the jobs scheduled in ``day``'s month; the month
    replaces any dates the query has."""
    first = day.replace(day=1)
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if query.unscheduled:
        return MonthAmounts(first, 0, _money(0), 0, _money(0), _money(0))
    where, params = _where(replace(query, date_from=first, date_to=last))
    with store.read() as conn:
        jobs, estimated, with_actual, estimated_done, actual = conn.exec_driver_sql(
            "SELECT count(*), sum(j.estimated_amount), count(j.actual_amount), "
            "sum(CASE WHEN j.actual_amount IS NOT NULL THEN j.estimated_amount END), "
            f"sum(j.actual_amount) FROM jobs j WHERE {where}", tuple(params)).one()
    return MonthAmounts(first, int(jobs), _money(estimated), int(with_actual),
                        _money(estimated_done), _money(actual))
