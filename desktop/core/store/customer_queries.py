"""Reads of the customers table for lists and a customer's history, as SQL text.

The Customers page holds every matching local id in name order and reads only the
visible window (as the job list does); at 20,000 customers the ids of a search
come from one pass over the table (bench/bench_customers.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from desktop.core.jobs import Status
from desktop.core.store.queries import SELECT_RECORD, fetch_all
from desktop.core.store.records import CustomerRecord, JobRecord

#: The name order of every customer list; ix_customers_name serves it.
CUSTOMER_ORDER = "last_name COLLATE NOCASE, first_name COLLATE NOCASE, local_id"
#: Statuses of work done: a job in one of them no longer counts as open.
DONE_STATUSES = (Status.READY_TO_INVOICE, Status.INVOICED, Status.COMPLETE)


def customer_filter(search: str) -> tuple[str, list[Any]]:
    """The WHERE clause of live customers holding every word of ``search`` (any case)
    in their name, company, phone, email, city or uuid."""
    clauses = ["deleted_at IS NULL"]
    params: list[Any] = []
    for token in search.split():
        # One text a customer (the stored search_text), so each word of a search is
        # one LIKE a row over the name index, not one a column over the table: a
        # search of 20,000 customers took 35-72 ms the other way, 4-7 ms this way.
        clauses.append("search_text LIKE ? ESCAPE '\\'")
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    return " AND ".join(clauses), params


@dataclass(frozen=True)
class CustomerHistory:
    """A customer's live jobs, newest first, and what they add up to."""

    jobs: Sequence[JobRecord]
    open: int
    done: int
    estimated: Decimal
    actual: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"count": len(self.jobs), "open": self.open, "done": self.done,
                "estimated_total": f"{self.estimated:.2f}", "actual_total": f"{self.actual:.2f}"}


def customer_history(conn: Connection, customer: CustomerRecord) -> CustomerHistory:
    if customer.uuid is not None:
        where, params = "(j.customer_uuid = ? OR j.customer_local_id = ?)", [
            customer.uuid, customer.local_id]
    else:
        where, params = "j.customer_local_id = ?", [customer.local_id]
    # Newest first by the day of the work; a job not yet scheduled nor sent has
    # neither date and is the newest of all.
    rows = fetch_all(conn, f"{SELECT_RECORD} WHERE {where} AND j.deleted_at IS NULL "
                           "ORDER BY coalesce(j.scheduled_date, j.created_at, '9') DESC, "
                           "j.local_id DESC", params)
    jobs = [JobRecord.from_row(row) for row in rows]
    done = sum(1 for job in jobs if job["status"] in DONE_STATUSES)
    return CustomerHistory(
        jobs=jobs, open=len(jobs) - done, done=done,
        estimated=sum((j["estimated_amount"] or Decimal(0) for j in jobs), Decimal(0)),
        actual=sum((j["actual_amount"] or Decimal(0) for j in jobs), Decimal(0)))
