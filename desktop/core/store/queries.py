"""Job list queries: filters, full-text search and sorting, all as SQL.

Nothing here loops over rows in Python: a query is turned into one WHERE clause
and one ORDER BY that the indexes in ``migrations`` were built to serve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from desktop.core.jobs import JOB_FIELDS
from desktop.core.store.records import CUSTOMER_COLUMNS, JOB_COLUMNS

SYNC_STATES = ("synced", "pending", "conflict", "rejected")
Deleted = Literal["exclude", "include", "only"]

#: Sort keys the list offers, each an indexed expression (see migrations).
SORTS: dict[str, tuple[str, ...]] = {
    "job_number": ("j.job_number COLLATE NOCASE",),
    "title": ("j.title COLLATE NOCASE",),
    "customer": ("j.customer_name COLLATE NOCASE",),
    "status": ("j.status_rank",),
    "priority": ("j.priority_rank",),
    "scheduled": ("j.scheduled_date", "j.scheduled_time_start"),
    "city": ("j.service_city COLLATE NOCASE",),
    "estimated_amount": ("j.estimated_amount",),
    "created_at": ("j.created_at",),
    "updated_at": ("j.updated_at",),
    "sync_state": ("j.sync_state",),
}

SELECT_RECORD = (
    "SELECT "
    + ", ".join(f"j.{c}" for c in JOB_COLUMNS)
    + ", "
    + ", ".join(f"c.{c}" for c in CUSTOMER_COLUMNS)
    + " FROM jobs j LEFT JOIN customers c ON c.uuid = j.customer_uuid"
)


@dataclass(frozen=True)
class JobQuery:
    """What the user asked to see. Every field narrows; defaults show all live jobs."""

    statuses: tuple[str, ...] = ()
    priority: str | None = None
    customer_uuid: str | None = None
    assigned_to: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    unscheduled: bool = False
    urgent: bool = False
    sync_states: tuple[str, ...] = ()
    deleted: Deleted = "exclude"
    search: str = ""
    sort: str = "scheduled"
    descending: bool = False


def _fts_phrase(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _like_escape(token: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", token) + "%"


def where_clause(query: JobQuery) -> tuple[str, list[Any]]:
    """The WHERE clause (without the keyword) and its parameters."""
    parts: list[str] = []
    params: list[Any] = []
    if query.deleted == "exclude":
        parts.append("j.deleted_at IS NULL")
    elif query.deleted == "only":
        parts.append("j.deleted_at IS NOT NULL")
    if query.statuses:
        parts.append(f"j.status IN ({', '.join('?' * len(query.statuses))})")
        params.extend(query.statuses)
    if query.priority:
        parts.append("j.priority = ?")
        params.append(query.priority)
    if query.customer_uuid:
        parts.append("j.customer_uuid = ?")
        params.append(query.customer_uuid)
    if query.assigned_to:
        parts.append("j.assigned_to_user_id = ?")
        params.append(query.assigned_to)
    # Dates are ISO text: 'YYYY-MM-DD' and 'YYYY-MM-DDT...' both sort inside the day,
    # so a half-open range on the text uses the index and accepts both forms.
    if query.date_from:
        parts.append("j.scheduled_date >= ?")
        params.append(query.date_from.isoformat())
    if query.date_to:
        parts.append("j.scheduled_date < ?")
        params.append((query.date_to + timedelta(days=1)).isoformat())
    if query.unscheduled:
        parts.append("j.scheduled_date IS NULL")
    if query.urgent:
        parts.append("(j.is_urgent OR j.is_emergency OR j.priority = 'Emergency')")
    if query.sync_states:
        parts.append(f"j.sync_state IN ({', '.join('?' * len(query.sync_states))})")
        params.extend(query.sync_states)
    _search_clause(query.search, parts, params)
    return (" AND ".join(parts) or "1"), params


def _search_clause(text: str, parts: list[str], params: list[Any]) -> None:
    tokens = text.split()
    # The trigram index answers substrings of 3+ characters; shorter fragments fall
    # back to LIKE on the short columns people type a couple of letters of.
    long_tokens = [t for t in tokens if len(t) >= 3]
    if long_tokens:
        parts.append("j.local_id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)")
        params.append(" AND ".join(_fts_phrase(t) for t in long_tokens))
    for token in (t for t in tokens if len(t) < 3):
        parts.append(
            "(j.title LIKE ? ESCAPE '\\' OR j.job_number LIKE ? ESCAPE '\\'"
            " OR j.customer_name LIKE ? ESCAPE '\\')"
        )
        params.extend([_like_escape(token)] * 3)


def order_clause(query: JobQuery) -> str:
    terms = SORTS.get(query.sort)
    if terms is None:
        if query.sort not in JOB_FIELDS:
            raise ValueError(f"sort: unknown column {query.sort!r}")
        terms = (f"j.{query.sort}",)
    direction = " DESC" if query.descending else ""
    return ", ".join(f"{t}{direction}" for t in (*terms, "j.local_id"))


def ids_sql(query: JobQuery) -> tuple[str, list[Any]]:
    where, params = where_clause(query)
    return f"SELECT j.local_id FROM jobs j WHERE {where} ORDER BY {order_clause(query)}", params


def page_sql(query: JobQuery, offset: int, limit: int) -> tuple[str, list[Any]]:
    where, params = where_clause(query)
    sql = f"{SELECT_RECORD} WHERE {where} ORDER BY {order_clause(query)} LIMIT ? OFFSET ?"
    return sql, [*params, limit, offset]


def count_sql(query: JobQuery) -> tuple[str, list[Any]]:
    where, params = where_clause(query)
    return f"SELECT count(*) FROM jobs j WHERE {where}", params
