"""Job list queries: filters, full-text search and sorting, all as SQL.

Nothing here loops over rows in Python: a query is turned into one WHERE clause
and one ORDER BY that the indexes declared in ``schema`` were built to serve.

These are the store's hot paths, so they are SQL text rather than SQLAlchemy
expressions: every page of a list, every count and every keystroke of a search runs
them; several name the index the planner must use (``INDEXED BY``: 90 ms against 7
for the urgent jobs' count at 100,000 jobs, see ``reports``); and their rows come
straight from the driver (``fetch_all``), which took a CSV export of 98,054 jobs
from 5.4-6.5 s to 3.95-4.2 s (bench/README).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import Connection

from desktop.core.jobs import JOB_FIELDS, Priority, Status
from desktop.core.store.records import CUSTOMER_COLUMNS, JOB_COLUMNS

SYNC_STATES = ("synced", "pending", "conflict", "rejected")
#: The generated rank columns' values (see schema); unknown values rank last.
STATUS_RANK = {s.value: i for i, s in enumerate(Status)}
PRIORITY_RANK = {p.value: i for i, p in enumerate(Priority)}
Deleted = Literal["exclude", "include", "only"]

#: Sort keys the list offers: their ORDER BY terms and the index that serves them
#: (see schema: each carries the broad filters' columns too).
SORTS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "job_number": (("j.job_number COLLATE NOCASE",), "ix_sort_job_number"),
    "title": (("j.title COLLATE NOCASE",), "ix_sort_title"),
    "customer": (("j.customer_name COLLATE NOCASE",), "ix_sort_customer"),
    "status": (("j.status_rank",), "ix_sort_status"),
    "priority": (("j.priority_rank",), "ix_sort_priority"),
    "scheduled": (("j.scheduled_date", "j.scheduled_time_start"), "ix_sort_scheduled"),
    "city": (("j.service_city COLLATE NOCASE",), "ix_sort_city"),
    "estimated_amount": (("j.estimated_amount",), "ix_sort_estimated"),
    # Not list columns: sortable, but not worth two more indexes on every write.
    "created_at": (("j.created_at",), None),
    "updated_at": (("j.updated_at",), None),
    "sync_state": (("j.sync_state",), "ix_sort_sync_state"),
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


def has_narrow_index(query: JobQuery) -> bool:
    """Whether a filter with an index of its own that keeps few rows is present.

    Such a query is left to SQLite's planner; every other one walks the sort index.
    """
    return bool(query.customer_uuid or query.date_from or query.date_to or query.search
                or query.sync_states or query.deleted == "only")


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
        if query.sort == "status":
            # Restating the filter on the sort key turns the index walk into a range.
            ranks = sorted({STATUS_RANK.get(s, len(STATUS_RANK)) for s in query.statuses})
            parts.append(f"j.status_rank IN ({', '.join(map(str, ranks))})")
    if query.priority:
        parts.append("j.priority = ?")
        params.append(query.priority)
        if query.sort == "priority":
            rank = PRIORITY_RANK.get(query.priority, len(PRIORITY_RANK))
            parts.append(f"j.priority_rank = {rank}")
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
        # The same expression the sort indexes carry, so they can answer it.
        parts.append("(j.scheduled_date IS NULL) = 1")
    if query.urgent:
        parts.append("(j.is_urgent OR j.is_emergency OR j.priority = 'Emergency')")
    if query.sync_states:
        parts.append(f"j.sync_state IN ({', '.join('?' * len(query.sync_states))})")
        params.extend(query.sync_states)
        if "synced" not in query.sync_states:
            # Lets SQLite use the small partial index of unsynced rows.
            parts.append("j.sync_state != 'synced'")
    _search_clause(query, parts, params)
    return (" AND ".join(parts) or "1"), params


def fts_match(text: str) -> str | None:
    """The MATCH expression for the search's 3+ character fragments, if any."""
    long_tokens = [t for t in text.split() if len(t) >= 3]
    return " AND ".join(_fts_phrase(t) for t in long_tokens) if long_tokens else None


_TEXT_COLUMNS = ("title", "description", "job_number", "customer_name", "service_address1",
                 "service_address2", "service_city", "service_state", "service_zip",
                 "internal_notes", "customer_notes")


def _like_any(columns: tuple[str, ...], token: str, params: list[Any]) -> str:
    params.extend([_like_escape(token)] * len(columns))
    return "(" + " OR ".join(f"j.{c} LIKE ? ESCAPE '\\'" for c in columns) + ")"


def _search_clause(query: JobQuery, parts: list[str], params: list[Any]) -> None:
    tokens = query.search.split()
    if not tokens:
        return
    match = fts_match(query.search)
    live: list[str] = []
    live_params: list[Any] = []
    if match:
        live.append("j.local_id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)")
        live_params.append(match)
    # The trigram index answers substrings of 3+ characters; shorter fragments fall
    # back to LIKE on the short columns people type a couple of letters of.
    for token in (t for t in tokens if len(t) < 3):
        live.append(_like_any(("title", "job_number", "customer_name"), token, live_params))
    # Deleted jobs are not in the index (see ddl): the Trash is searched by LIKE.
    trash_params: list[Any] = []
    trash = " AND ".join(_like_any(_TEXT_COLUMNS, t, trash_params) for t in tokens)
    if query.deleted == "exclude":
        parts.extend(live)
        params.extend(live_params)
    elif query.deleted == "only":
        parts.append(trash)
        params.extend(trash_params)
    else:
        parts.append(f"((j.deleted_at IS NULL AND {' AND '.join(live)}) OR "
                     f"(j.deleted_at IS NOT NULL AND {trash}))")
        params.extend([*live_params, *trash_params])


def order_clause(query: JobQuery) -> str:
    sort = SORTS.get(query.sort)
    if sort is None:
        if query.sort not in JOB_FIELDS:
            raise ValueError(f"sort: unknown column {query.sort!r}")
        terms: tuple[str, ...] = (f"j.{query.sort}",)
    else:
        terms = sort[0]
    direction = " DESC" if query.descending else ""
    return ", ".join(f"{t}{direction}" for t in (*terms, "j.local_id"))


#: Below this many matches a status filter is cheaper to sort than to walk past.
FEW = 2000


def few_matches_sql(query: JobQuery) -> tuple[str, list[Any]] | None:
    """A bounded, index-only count of a status (+ priority, technician) filter.

    Walking the sort index is the right plan when matches are common; when a
    combination is rare (new, high priority, one technician) the walk would pass
    almost every job, while the filter index finds the few at once.
    """
    if not query.statuses:
        return None
    narrowed = JobQuery(statuses=query.statuses, priority=query.priority,
                        assigned_to=query.assigned_to, deleted=query.deleted)
    where, params = where_clause(narrowed)
    sql = (f"SELECT count(*) FROM (SELECT 1 FROM jobs j INDEXED BY ix_jobs_filters "
           f"WHERE {where} LIMIT {FEW})")
    return sql, params


FTS_COUNT_SQL = "SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH ?"


#: How many jobs are not in the Trash, from the counts the triggers keep (schema 5).
LIVE_TOTAL_SQL = "SELECT ifnull(sum(jobs), 0) FROM live_status_counts"


def every_live_job(query: JobQuery) -> bool:
    """Whether the query asks for every job not in the Trash, in whatever order."""
    return query == JobQuery(sort=query.sort, descending=query.descending)


def search_only(query: JobQuery) -> bool:
    """Whether a search of live jobs is the query's only filter (the index alone can
    count it, since it holds exactly the live jobs)."""
    plain = JobQuery(search=query.search, sort=query.sort, descending=query.descending)
    return query == plain and fts_match(query.search) is not None and all(
        len(t) >= 3 for t in query.search.split())


def _source(query: JobQuery, few: bool, broad_search: bool = False) -> str:
    if has_narrow_index(query) and not (broad_search and search_only(query)):
        return "jobs j"
    if few:
        return "jobs j INDEXED BY ix_jobs_filters"
    if query.urgent and query.sort == "priority":
        return "jobs j INDEXED BY ix_jobs_urgent"
    if query.assigned_to and query.sort == "scheduled":
        return "jobs j INDEXED BY ix_jobs_assigned"
    sort = SORTS.get(query.sort)
    return "jobs j" if sort is None or sort[1] is None else f"jobs j INDEXED BY {sort[1]}"


def ids_sql(query: JobQuery, *, few: bool = False,
            broad_search: bool = False) -> tuple[str, list[Any]]:
    """Matching ids in order; ``few`` when ``few_matches_sql`` counted under ``FEW``;
    ``broad_search`` when a search alone matches at least ``FEW`` jobs, so walking the
    sort index finds a page sooner than sorting every match."""
    where, params = where_clause(query)
    return (f"SELECT j.local_id FROM {_source(query, few, broad_search)} WHERE {where} "
            f"ORDER BY {order_clause(query)}"), params


def page_sql(
    query: JobQuery, offset: int, limit: int, *, few: bool = False, broad_search: bool = False
) -> tuple[str, list[Any]]:
    """One page of records: ids picked (and sorted) first, whole rows fetched after,
    so the sort never carries wide rows it will throw away."""
    ids, params = ids_sql(query, few=few, broad_search=broad_search)
    order = order_clause(query)
    sql = f"{SELECT_RECORD} WHERE j.local_id IN ({ids} LIMIT ? OFFSET ?) ORDER BY {order}"
    return sql, [*params, limit, offset]


def count_sql(query: JobQuery) -> tuple[str, list[Any]]:
    where, params = where_clause(query)
    return f"SELECT count(*) FROM jobs j WHERE {where}", params


def fetch_all(conn: Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    """Rows straight from the driver, inside ``conn``'s transaction: by the thousand,
    SQLAlchemy's row objects cost more than SQLite's own work."""
    driver: Any = conn.connection.driver_connection
    rows: list[Any] = driver.execute(sql, tuple(params)).fetchall()
    return rows
