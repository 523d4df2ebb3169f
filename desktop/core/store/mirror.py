"""Writing server data into the mirror: the sync engine's side of the store.

Every function here runs inside the caller's write transaction, so a server
record, its merge with local edits and the sync bookkeeping land together or not
at all. None of them touches ``local_rev``: that counts the user's edits only, and
is how a confirmed write tells whether the user typed something meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from desktop.core.jobs import (
    FIELD_KINDS,
    FLAGS_KEY,
    JOB_FIELDS,
    SERVER_FIELDS,
    Kind,
    ServerJob,
)
from desktop.core.merge import DELETED, FieldConflict, merge
from desktop.core.store.bulk import insert_rows
from desktop.core.store.edits import last_local_id, settle_state, to_db
from desktop.core.store.queries import SELECT_RECORD
from desktop.core.store.records import JobRecord, fields_from_json
from desktop.core.store.search_index import INDEX_NEW_JOBS_SQL
from desktop.core.store.team import harvest

_INSERT_COLUMNS = (*JOB_FIELDS, "customer_name", "extras_json", "sync_state", "seen_scan",
                   "summary_only", "details_at")
_MONEY_AT = tuple(i for i, f in enumerate(JOB_FIELDS) if FIELD_KINDS[f] is Kind.MONEY)
_FLAGS_AT = tuple(i for i, f in enumerate(JOB_FIELDS) if FIELD_KINDS[f] is Kind.BOOL)
_INSERT_HEAD = f"INSERT INTO jobs ({', '.join(_INSERT_COLUMNS)})"
#: What a list summary may show of a job, as mirror columns (the nested customer is
#: its uuid); ``unchanged`` compares these when a summary carries no stamps.
SUMMARY_COLUMNS = ("job_number", "title", "status", "priority", "customer_uuid",
                   "scheduled_date", "updated_at", "deleted_at")
_STAMPS = ("updated_at", "deleted_at")
#: Fields a summary-only row does not know (the server assigns the rest of them).
_HIDDEN = tuple(f for f in JOB_FIELDS if f not in (*SUMMARY_COLUMNS, "uuid"))


def is_summary(job: ServerJob) -> bool:
    """Whether the server sent less than the whole job (a list summary)."""
    return len(job.fields) < len(JOB_FIELDS)


def is_stamped(job: ServerJob) -> bool:
    """Whether the record says when it last changed and whether it is deleted, so
    comparing those two with the mirror's settles whether anything changed."""
    return "updated_at" in job.fields and "deleted_at" in job.fields


def known_server_values(row: JobRecord) -> dict[str, Any]:
    """The server record as this row last saw it."""
    return dict(row.base) if row.base is not None else dict(row.values)


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


def _insert_row(job: ServerJob, scan: int | None, summary: bool,
                read_at: str | None) -> tuple[Any, ...]:
    # Built straight from the fields: this runs for every job of a first sync.
    fields = job.fields
    row: list[Any] = [fields.get(name) for name in JOB_FIELDS]
    for index in _MONEY_AT:
        if row[index] is not None:
            row[index] = to_db(row[index])
    for index in _FLAGS_AT:
        row[index] = bool(row[index])
    extras = json.dumps(job.extras, sort_keys=True) if job.extras else None
    row.extend((customer_name_of(job), extras, "synced", scan, summary,
                None if summary else read_at))
    return tuple(row)


def job_rows(jobs: Iterable[ServerJob], scan: int | None = None, *, summaries: bool = False,
             read_at: str | None = None) -> list[tuple[Any, ...]]:
    """The table rows of jobs the mirror has never seen, for ``insert_job_rows``.

    Plain tuples that need no connection, so a bulk load can build them on the
    thread that parses, while the writer's thread is inside SQLite. ``summaries``:
    the jobs are list summaries, mirrored as summary-only; else whole records, read
    at ``read_at``.
    """
    return [_insert_row(job, scan, summaries, read_at) for job in jobs]


def insert_job_rows(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert rows from ``job_rows`` as synced jobs, searchable; returns how many."""
    if rows:
        last = last_local_id(conn)
        insert_rows(conn, _INSERT_HEAD, rows)
        conn.exec_driver_sql(INDEX_NEW_JOBS_SQL, (last,))
    return len(rows)


def insert_server_jobs(conn: Connection, jobs: Iterable[ServerJob], scan: int | None = None,
                       *, summaries: bool = False, read_at: str | None = None) -> int:
    """Insert jobs the mirror has never seen, as synced rows; returns how many.

    ``summaries`` marks them summary-only (see ``job_rows``).
    """
    return insert_job_rows(conn, job_rows(jobs, scan, summaries=summaries, read_at=read_at))


def upsert_nested_customers(conn: Connection, jobs: Iterable[ServerJob]) -> None:
    """Refresh customer names from the ``customer`` object nested in jobs.

    Only names are known here, so other customer fields are left as they are; a
    customer edited here and not yet sent keeps the name typed here.
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
        "WHERE (customers.first_name IS NOT excluded.first_name "
        "OR customers.last_name IS NOT excluded.last_name) "
        "AND customers.pending_op IS NULL AND customers.sync_state = 'synced'",
    )


def rows_by_uuid(conn: Connection, uuids: Sequence[str]) -> dict[str, JobRecord]:
    if not uuids:
        return {}
    marks = ", ".join("?" * len(uuids))
    result = conn.exec_driver_sql(f"{SELECT_RECORD} WHERE j.uuid IN ({marks})", tuple(uuids))
    records = [JobRecord.from_row(r) for r in result]
    return {str(r.uuid): r for r in records}


@dataclass(frozen=True)
class Unchanged:
    """A listed job the mirror already holds as the server has it."""

    local_id: int
    #: Only its summary is mirrored.
    summary_only: bool
    #: The listing proves the whole record unchanged, not only what it shows: it
    #: carried the stamps (or every field).
    whole: bool
    #: The technician the mirror has it assigned to.
    assignee: str | None = None


def unchanged(conn: Connection, jobs: Sequence[ServerJob]) -> dict[str, Unchanged]:
    """The listed jobs the mirror already holds exactly so, by uuid.

    Most of any scan is jobs nobody touched: one light query settles them, instead
    of loading and comparing whole records. A stamped item is compared by its
    stamps, which change with any field; an item without them by the fields it
    shows (a summary's), which says nothing of the fields it does not show.
    """
    if not jobs:
        return {}
    marks = ", ".join("?" * len(jobs))
    result = conn.exec_driver_sql(
        f"SELECT uuid, local_id, summary_only, assigned_to_user_id, "
        f"{', '.join(SUMMARY_COLUMNS)} FROM jobs "
        f"WHERE uuid IN ({marks}) AND sync_state = 'synced' AND pending_op IS NULL",
        tuple(j.uuid for j in jobs),
    )
    known = {str(r[0]): r for r in result}
    same: dict[str, Unchanged] = {}
    for job in jobs:
        row = known.get(job.uuid)
        if row is None:
            continue
        stored = dict(zip(SUMMARY_COLUMNS, row[4:], strict=True))
        if is_stamped(job) and job.fields["updated_at"] is not None:
            if all(stored[f] == job.fields[f] for f in _STAMPS):
                same[job.uuid] = Unchanged(int(row[1]), bool(row[2]), whole=True,
                                           assignee=row[3])
        elif "updated_at" not in job.fields and job.fields.keys() <= {"uuid", *stored} and all(
                stored[f] == v for f, v in job.fields.items() if f != "uuid"):
            same[job.uuid] = Unchanged(int(row[1]), bool(row[2]), whole=False,
                                       assignee=row[3])
    return same


def mark_seen(conn: Connection, local_ids: Sequence[int], scan: int,
              read_at: str | None = None) -> None:
    """Note that a scan listed these jobs; with ``read_at``, that the listing also
    proved their whole records current then (rows that have one)."""
    if not local_ids:
        return
    marks = ", ".join("?" * len(local_ids))
    if read_at is None:
        conn.exec_driver_sql(f"UPDATE jobs SET seen_scan = ? WHERE local_id IN ({marks})",
                             (scan, *local_ids))
    else:
        conn.exec_driver_sql(
            "UPDATE jobs SET seen_scan = ?, "
            "details_at = CASE WHEN summary_only THEN details_at ELSE ? END "
            f"WHERE local_id IN ({marks})", (scan, read_at, *local_ids))


def claim_listed(conn: Connection, uuids: Sequence[str], user: str) -> None:
    """Note that a list filtered to ``user``'s jobs listed these: theirs, which a
    summary item does not say. Without it a technician's device would never know
    its own jobs it has not read whole (finished ones, under summary lists): not in
    its own views, and not missed when its round no longer lists them. Rows with a
    local change are left: their push reads the job first."""
    if not uuids:
        return
    marks = ", ".join("?" * len(uuids))
    conn.exec_driver_sql(
        "UPDATE jobs SET assigned_to_user_id = ? WHERE assigned_to_user_id IS NOT ? "
        f"AND sync_state = 'synced' AND pending_op IS NULL AND uuid IN ({marks})",
        (user, user, *uuids))


def write_columns(conn: Connection, local_id: int, columns: Mapping[str, Any],
                  table: str = "jobs") -> None:
    """Update engine-owned columns of a job (or a customer); never a user edit."""
    if not columns:
        return
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.exec_driver_sql(
        f"UPDATE {table} SET {assignments} WHERE local_id = ?",
        (*(to_db(v) for v in columns.values()), local_id),
    )


def has_local_changes(row: JobRecord) -> bool:
    return row.pending_op is not None or row.sync_state != "synced" or bool(row.conflicts)


def sent_fields(row: JobRecord) -> dict[str, Any]:
    """The body of this row's in-flight request, as canonical values."""
    if row.request_body is None:
        return {}
    return fields_from_json(json.dumps(row.request_body.get("body") or {}))


def _summary_extras(row: JobRecord, job: ServerJob) -> dict[str, Any]:
    """The row's unknown fields and flags with a summary's laid over them: a flag on
    a field the summary shows is the summary's to keep or clear; the rest stay."""
    flags = {name: note for name, note in dict(row.extras.get(FLAGS_KEY) or {}).items()
             if (note_column(name)) not in job.fields}
    flags.update(job.extras.get(FLAGS_KEY) or {})
    extras = {**row.extras, **job.extras}
    extras.pop(FLAGS_KEY, None)
    if flags:
        extras[FLAGS_KEY] = flags
    return extras


def note_column(flagged: str) -> str:
    """The job field a flag is about: the nested customer's flag is about its uuid."""
    return "customer_uuid" if flagged == "customer" else flagged


def apply_remote(conn: Connection, row: JobRecord | None, job: ServerJob,
                 scan: int | None = None, *, read_at: str | None = None) -> str:
    """Bring one server record into the mirror; returns what happened.

    "inserted", "updated", "unchanged", "skipped" (a deleted job never mirrored),
    "merged" (remote changes folded into local edits) or "conflict".

    A whole record makes the row whole, its details read at ``read_at`` (the sync
    engine's clock; None leaves the date as it was). A summary changes only what it
    shows: a field it leaves out is unknown, not empty, so it is taken to be as the
    row last saw it, and neither clears a value nor looks like a remote change.
    """
    summary = is_summary(job)
    harvest(conn, [job])
    if row is None:
        if job.fields.get("deleted_at") is not None:
            return "skipped"
        insert_server_jobs(conn, [job], scan, summaries=summary, read_at=read_at)
        return "inserted"
    base = known_server_values(row)
    if summary:
        carried = server_values(job)
        theirs = {**base, **{f: carried[f] for f in JOB_FIELDS if f in job.fields}}
        extras_json = _summary_extras(row, job)
        details: dict[str, Any] = {}
    else:
        theirs = server_values(job)
        extras_json = dict(job.extras)
        details = {"summary_only": False}
        if read_at is not None:
            details["details_at"] = read_at
    seen = {"seen_scan": scan} if scan is not None else {}
    extras = {"extras_json": json.dumps(extras_json, sort_keys=True) if extras_json else None}
    name = customer_name_of(job)
    if name is not None:
        extras["customer_name"] = name
    if not has_local_changes(row):
        if row.values == theirs:
            write_columns(conn, row.local_id, {**seen, **details})
            return "unchanged"
        write_columns(conn, row.local_id, {**theirs, **extras, **seen, **details})
        return "updated"
    mine = dict(row.values)
    if row.summary_only and not summary and base.get("created_at") is None:
        # The first whole record of a job edited here while only its summary was
        # known (never read whole: no summary carries ``created_at``, every whole
        # record does). A field no summary shows had no known value to merge from:
        # what the server holds is that value, so an edit made here is the only
        # change to it and is kept, and a field not edited here takes the server's
        # value. A job read whole once and then marked summary-only for its age
        # (``details.demote_stale``) has a real base, and merges three-way.
        for name in _HIDDEN:
            if mine[name] == base.get(name):
                mine[name] = theirs[name]
            base[name] = theirs[name]
    elif (is_stamped(job) and all(base.get(f) == theirs[f] for f in _STAMPS)) or (
            summary and all(base.get(f) == theirs[f] for f in job.fields if f in theirs)):
        write_columns(conn, row.local_id, {**seen, **details})
        return "unchanged"
    return _merge_into(conn, row, base, theirs, {**extras, **seen, **details},
                       mine=mine)


def _merge_into(conn: Connection, row: JobRecord, base: Mapping[str, Any],
                theirs: dict[str, Any], extra_columns: dict[str, Any], *,
                mine: dict[str, Any]) -> str:
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

