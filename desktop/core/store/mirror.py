"""Writing server data into the mirror: the sync engine's side of the store."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection

from desktop.core.jobs import JOB_FIELDS, ServerJob
from desktop.core.store.edits import last_local_id, to_db
from desktop.core.store.queries import INDEX_NEW_JOBS_SQL

_INSERT_COLUMNS = (*JOB_FIELDS, "customer_name", "extras_json", "sync_state")
_INSERT_SQL = (
    f"INSERT INTO jobs ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"
)


def customer_name_of(job: ServerJob) -> str | None:
    if job.customer is None:
        return None
    name = " ".join(p for p in (job.customer["first_name"], job.customer["last_name"]) if p)
    return name or None


def server_columns(job: ServerJob) -> dict[str, Any]:
    """The row columns a server record sets (every API field, absent ones as null)."""
    columns: dict[str, Any] = {f: job.fields.get(f) for f in JOB_FIELDS}
    columns["is_urgent"] = bool(columns["is_urgent"])
    columns["is_emergency"] = bool(columns["is_emergency"])
    columns["extras_json"] = json.dumps(job.extras, sort_keys=True) if job.extras else None
    name = customer_name_of(job)
    if name is not None:
        columns["customer_name"] = name
    return columns


def insert_server_jobs(conn: Connection, jobs: Iterable[ServerJob]) -> int:
    """Insert jobs the mirror has never seen, as synced rows; returns how many."""
    rows = []
    for job in jobs:
        columns = server_columns(job)
        columns["sync_state"] = "synced"
        rows.append(tuple(to_db(columns.get(c)) for c in _INSERT_COLUMNS))
    if rows:
        last = last_local_id(conn)
        conn.exec_driver_sql(_INSERT_SQL, rows)
        conn.exec_driver_sql(INDEX_NEW_JOBS_SQL, (last,))
    return len(rows)


def upsert_nested_customers(conn: Connection, jobs: Iterable[ServerJob]) -> None:
    """Refresh customer names from the ``customer`` object nested in jobs.

    Only names are known here, so other customer fields are left as they are.
    """
    seen: dict[str, Mapping[str, str | None]] = {}
    for job in jobs:
        if job.customer is not None and job.customer["uuid"]:
            seen[str(job.customer["uuid"])] = job.customer
    if not seen:
        return
    conn.exec_driver_sql(
        "INSERT INTO customers (uuid, first_name, last_name) VALUES (?, ?, ?) "
        "ON CONFLICT (uuid) DO UPDATE SET first_name = excluded.first_name, "
        "last_name = excluded.last_name "
        "WHERE customers.first_name IS NOT excluded.first_name "
        "OR customers.last_name IS NOT excluded.last_name",
        [(u, c["first_name"], c["last_name"]) for u, c in seen.items()],
    )
