"""Writing server data into the mirror: the sync engine's side of the store.

Every function here runs inside the caller's write transaction, so a server
record, its merge with local edits and the sync bookkeeping land together or not
at all. None of them touches ``local_rev``: that counts the user's edits only, and
is how a confirmed write tells whether the user typed something meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from desktop.core.jobs import FIELD_KINDS, JOB_FIELDS, SERVER_FIELDS, Kind, ServerJob
from desktop.core.merge import DELETED, FieldConflict, merge
from desktop.core.store.bulk import insert_rows
from desktop.core.store.edits import last_local_id, settle_state, to_db
from desktop.core.store.queries import SELECT_RECORD
from desktop.core.store.records import JobRecord, fields_from_json
from desktop.core.store.search_index import INDEX_NEW_JOBS_SQL

_INSERT_COLUMNS = (*JOB_FIELDS, "customer_name", "extras_json", "sync_state", "seen_scan")
_MONEY_AT = tuple(i for i, f in enumerate(JOB_FIELDS) if FIELD_KINDS[f] is Kind.MONEY)
_FLAGS_AT = tuple(i for i, f in enumerate(JOB_FIELDS) if FIELD_KINDS[f] is Kind.BOOL)
_INSERT_HEAD = f"INSERT INTO jobs ({', '.join(_INSERT_COLUMNS)})"


def customer_name_of(job: ServerJob) -> str | None:
    if job.customer is None:
        return None
    name = " ".join(p for p in (job.customer["first_name"], job.customer["last_name"]) if p)
    return name or None


def server_values(job: ServerJob) -> dict[str, Any]:
    """Every API field of a server record (absent ones as null, flags as bools)."""
    values: dict[str, Any] = {f: job.fields.get(f) for f in JOB_FIELDS}
    values["is_urgent"] = bool(values["is_urgent"])
    values["is_emergency"] = bool(values["is_emergency"])
    return values


def _insert_row(job: ServerJob, scan: int | None) -> tuple[Any, ...]:
    # Built straight from the fields: this runs for every job of a first sync.
    fields = job.fields
    row: list[Any] = [fields.get(name) for name in JOB_FIELDS]
    for index in _MONEY_AT:
        if row[index] is not None:
            row[index] = to_db(row[index])
    for index in _FLAGS_AT:
        row[index] = bool(row[index])
    extras = json.dumps(job.extras, sort_keys=True) if job.extras else None
    row.extend((customer_name_of(job), extras, "synced", scan))
    return tuple(row)


def job_rows(jobs: Iterable[ServerJob], scan: int | None = None) -> list[tuple[Any, ...]]:
    """The table rows of jobs the mirror has never seen, for ``insert_job_rows``.

    Plain tuples that need no connection, so a bulk load can build them on the
    thread that parses, while the writer's thread is inside SQLite.
    """
    return [_insert_row(job, scan) for job in jobs]


def insert_job_rows(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert rows from ``job_rows`` as synced jobs, searchable; returns how many."""
    if rows:
        last = last_local_id(conn)
        insert_rows(conn, _INSERT_HEAD, rows)
        conn.exec_driver_sql(INDEX_NEW_JOBS_SQL, (last,))
    return len(rows)


def insert_server_jobs(conn: Connection, jobs: Iterable[ServerJob], scan: int | None = None) -> int:
    """Insert jobs the mirror has never seen, as synced rows; returns how many."""
    return insert_job_rows(conn, job_rows(jobs, scan))


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
    insert_rows(
        conn, "INSERT INTO customers (uuid, first_name, last_name)",
        [(u, c["first_name"], c["last_name"]) for u, c in seen.items()],
        "ON CONFLICT (uuid) DO UPDATE SET first_name = excluded.first_name, "
        "last_name = excluded.last_name "
        "WHERE customers.first_name IS NOT excluded.first_name "
        "OR customers.last_name IS NOT excluded.last_name",
    )


def rows_by_uuid(conn: Connection, uuids: Sequence[str]) -> dict[str, JobRecord]:
    if not uuids:
        return {}
    marks = ", ".join("?" * len(uuids))
    result = conn.exec_driver_sql(f"{SELECT_RECORD} WHERE j.uuid IN ({marks})", tuple(uuids))
    records = [JobRecord.from_row(r) for r in result]
    return {str(r.uuid): r for r in records}


def unchanged(conn: Connection, jobs: Sequence[ServerJob]) -> dict[str, int]:
    """The listed jobs the mirror already holds exactly so: uuid -> local id.

    Most of any scan is jobs nobody touched: one light query settles them, instead
    of loading and comparing whole records.
    """
    if not jobs:
        return {}
    marks = ", ".join("?" * len(jobs))
    result = conn.exec_driver_sql(
        "SELECT uuid, local_id, updated_at, deleted_at FROM jobs "
        f"WHERE uuid IN ({marks}) AND sync_state = 'synced' AND pending_op IS NULL",
        tuple(j.uuid for j in jobs),
    )
    known = {str(r[0]): (int(r[1]), r[2], r[3]) for r in result}
    same: dict[str, int] = {}
    for job in jobs:
        row = known.get(job.uuid)
        if row is not None and job.fields.get("updated_at") is not None and (
                row[1], row[2]) == (job.fields.get("updated_at"), job.fields.get("deleted_at")):
            same[job.uuid] = row[0]
    return same


def mark_seen(conn: Connection, local_ids: Sequence[int], scan: int) -> None:
    if local_ids:
        conn.exec_driver_sql(
            f"UPDATE jobs SET seen_scan = ? WHERE local_id IN ({', '.join('?' * len(local_ids))})",
            (scan, *local_ids))


def write_columns(conn: Connection, local_id: int, columns: Mapping[str, Any]) -> None:
    """Update engine-owned columns; never counts as a user edit."""
    if not columns:
        return
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.exec_driver_sql(
        f"UPDATE jobs SET {assignments} WHERE local_id = ?",
        (*(to_db(v) for v in columns.values()), local_id),
    )


def has_local_changes(row: JobRecord) -> bool:
    return row.pending_op is not None or row.sync_state != "synced" or bool(row.conflicts)


def sent_fields(row: JobRecord) -> dict[str, Any]:
    """The body of this row's in-flight request, as canonical values."""
    if row.request_body is None:
        return {}
    return fields_from_json(json.dumps(row.request_body.get("body") or {}))


def apply_remote(conn: Connection, row: JobRecord | None, job: ServerJob,
                 scan: int | None = None) -> str:
    """Bring one server record into the mirror; returns what happened.

    "inserted", "updated", "unchanged", "skipped" (a deleted job never mirrored),
    "merged" (remote changes folded into local edits) or "conflict".
    """
    theirs = server_values(job)
    if row is None:
        if theirs["deleted_at"] is not None:
            return "skipped"
        insert_server_jobs(conn, [job], scan)
        return "inserted"
    seen = {"seen_scan": scan} if scan is not None else {}
    extras = {"extras_json": json.dumps(job.extras, sort_keys=True) if job.extras else None}
    name = customer_name_of(job)
    if name is not None:
        extras["customer_name"] = name
    if not has_local_changes(row):
        if row.values == theirs:
            write_columns(conn, row.local_id, seen)
            return "unchanged"
        write_columns(conn, row.local_id, {**theirs, **extras, **seen})
        return "updated"
    base = dict(row.base) if row.base is not None else dict(row.values)
    if base.get("updated_at") == theirs["updated_at"] and base.get("deleted_at") == theirs[
        "deleted_at"
    ]:
        write_columns(conn, row.local_id, seen)
        return "unchanged"
    return _merge_into(conn, row, base, theirs, {**extras, **seen})


def _merge_into(conn: Connection, row: JobRecord, base: Mapping[str, Any],
                theirs: dict[str, Any], extra_columns: dict[str, Any]) -> str:
    mine = dict(row.values)
    sent = sent_fields(row)
    locally_deleted = mine["deleted_at"] is not None and base.get("deleted_at") is None
    old = {c.field: c for c in list(row.conflicts)}
    if theirs["deleted_at"] is not None:
        if locally_deleted:
            # Both sides deleted it: settled, nothing left to send.
            values = {**mine, **{f: theirs[f] for f in SERVER_FIELDS}}
            write_columns(conn, row.local_id, {
                **values, **extra_columns, "idempotency_key": None, "request_body": None,
                **settle_state(row.uuid, values, theirs, in_flight=False, conflicts=[],
                               rejected=False)})
            return "merged"
        conflict = FieldConflict(DELETED, None, "edited", "deleted")
        values = {**mine, **{f: theirs[f] for f in SERVER_FIELDS if f != "deleted_at"}}
        write_columns(conn, row.local_id, {
            **values, **extra_columns,
            **settle_state(row.uuid, values, theirs, in_flight=row.idempotency_key is not None,
                           conflicts=[conflict], rejected=False)})
        return "conflict"
    result = merge(base, mine, theirs, sent=sent)
    conflicts = {c.field: c for c in result.conflicts}
    for name, previous in old.items():
        # An earlier conflict stays until the user settles it, or until the server
        # comes round to the local value on its own.
        if name == DELETED:
            continue
        if name not in conflicts and mine.get(name) != theirs.get(name):
            conflicts[name] = FieldConflict(name, previous.base, mine.get(name), theirs.get(name))
    values = {**result.merged, **{f: theirs[f] for f in SERVER_FIELDS}}
    if locally_deleted:
        values["deleted_at"] = mine["deleted_at"]
    in_flight = row.idempotency_key is not None
    request: dict[str, Any] = {}
    if in_flight and row.uuid is not None and sent and all(
        theirs.get(f) == v for f, v in sent.items()
    ):
        # The server already holds everything that request carried: it landed.
        in_flight = False
        request = {"idempotency_key": None, "request_body": None, "first_attempt_at": None}
    write_columns(conn, row.local_id, {
        **values, **extra_columns, **request,
        **settle_state(row.uuid, values, theirs, in_flight=in_flight,
                       conflicts=list(conflicts.values()),
                       rejected=row.sync_state == "rejected")})
    return "conflict" if conflicts else "merged"


def unseen_ids(conn: Connection, scan: int, *, statuses: Sequence[str] | None,
               assigned_to: str | None) -> list[int]:
    """Mirrored live jobs a completed scan should have listed but did not."""
    sql = ("SELECT local_id FROM jobs WHERE uuid IS NOT NULL AND deleted_at IS NULL "
           "AND seen_scan IS NOT ? AND pending_op IS NULL AND sync_state = 'synced'")
    params: list[Any] = [scan]
    if statuses is not None:
        sql += f" AND status IN ({', '.join('?' * len(statuses))})"
        params.extend(statuses)
    if assigned_to:
        sql += " AND assigned_to_user_id = ?"
        params.append(assigned_to)
    return [int(r[0]) for r in conn.exec_driver_sql(sql, tuple(params))]


def mark_gone(conn: Connection, row: JobRecord, when: str) -> str:
    """The server answered 404 for a job: deleted there. Local edits make it a conflict."""
    if not has_local_changes(row) or (row.deleted and row.pending_op == "delete"):
        write_columns(conn, row.local_id, {
            "deleted_at": row.values["deleted_at"] or when, "pending_op": None,
            "sync_state": "synced", "base_json": None, "conflict_json": None,
            "idempotency_key": None, "request_body": None, "first_attempt_at": None})
        return "removed"
    conflict = FieldConflict(DELETED, None, "edited", "deleted")
    write_columns(conn, row.local_id, {
        "sync_state": "conflict", "idempotency_key": None, "request_body": None,
        "conflict_json": json.dumps([conflict.to_json()])})
    return "conflict"

