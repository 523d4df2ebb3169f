"""The push queue: which rows owe the server a request, and that request's lifecycle.

A request is written to its row (key, exact body, the local revision it was built
from) and committed *before* it is sent. A retry resends that same body under that
same key, so the server can recognise it; an edit made after the request was built
goes out later as its own request with a new key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection

from desktop.core.jobs import EDITABLE_FIELDS, SERVER_FIELDS, ServerJob, wire_value
from desktop.core.merge import after_confirmed_write, local_changes
from desktop.core.store.edits import load, new_idempotency_key, now_iso, settle_state
from desktop.core.store.mirror import (
    has_local_changes,
    is_summary,
    server_values,
    write_columns,
)
from desktop.core.store.records import JobRecord, fields_from_json

_NO_REQUEST = {"idempotency_key": None, "request_body": None, "first_attempt_at": None}


@dataclass(frozen=True)
class Request:
    local_id: int
    method: str  # POST, PUT or DELETE
    uuid: str | None
    key: str
    body: dict[str, Any]
    rev: int
    before: dict[str, Any]
    #: Whether it may have reached the server (False only when surely not sent).
    sent: bool
    failures: int
    first_attempt_at: str
    #: A lower bound of the server's clock before the first attempt (server time).
    server_floor: str | None
    #: The table of the row that owes it: a job's, or a customer's.
    table: str = "jobs"

    def to_json(self) -> str:
        return json.dumps({
            "method": self.method, "body": {k: wire_value(v) for k, v in self.body.items()},
            "rev": self.rev, "before": {k: wire_value(v) for k, v in self.before.items()},
            "sent": self.sent, "failures": self.failures, "server_floor": self.server_floor,
        }, sort_keys=True)


def queue(conn: Connection) -> list[int]:
    """Rows with something to send; rows that keep failing go to the back. A job
    whose customer the server does not have yet waits for that customer's create."""
    result = conn.exec_driver_sql(
        "SELECT local_id FROM jobs WHERE pending_op IS NOT NULL "
        "AND sync_state IN ('pending', 'conflict') AND customer_local_id IS NULL "
        "ORDER BY coalesce(json_extract(request_body, '$.failures'), 0), local_modified_at, "
        "local_id"
    )
    return [int(r[0]) for r in result]


class Queued(Protocol):
    """A row that may owe the server a request: a job's or a customer's record."""

    @property
    def local_id(self) -> int: ...
    @property
    def uuid(self) -> str | None: ...
    @property
    def idempotency_key(self) -> str | None: ...
    @property
    def request_body(self) -> Mapping[str, Any] | None: ...
    @property
    def first_attempt_at(self) -> str | None: ...


def in_flight(row: Queued, table: str = "jobs") -> Request | None:
    if row.idempotency_key is None or row.request_body is None:
        return None
    raw = row.request_body
    return Request(
        local_id=row.local_id, method=raw["method"], uuid=row.uuid, key=row.idempotency_key,
        body=fields_from_json(json.dumps(raw["body"])), rev=int(raw["rev"]),
        before=fields_from_json(json.dumps(raw["before"])), sent=bool(raw.get("sent", True)),
        failures=int(raw.get("failures", 0)), first_attempt_at=row.first_attempt_at or now_iso(),
        server_floor=raw.get("server_floor"), table=table,
    )


def build(row: JobRecord, server_floor: str | None) -> Request | None:
    """The next request this row needs, or None if there is nothing to send."""
    before = row.editable()
    conflicted = {c.field for c in row.conflicts}
    if row.pending_op == "create":
        method = "POST"
        body = {f: v for f, v in before.items() if v is not None}
    elif row.pending_op == "delete":
        method, body = "DELETE", {}
    elif row.pending_op == "update" and row.base is not None:
        method = "PUT"
        body = {f: v for f, v in local_changes(row.base, before).items() if f not in conflicted}
        if not body:
            return None
    else:
        return None
    return Request(
        local_id=row.local_id, method=method, uuid=row.uuid, key=new_idempotency_key(),
        body=body, rev=row.local_rev, before=before, sent=True, failures=0,
        first_attempt_at=now_iso(), server_floor=server_floor,
    )


def record(conn: Connection, request: Request) -> None:
    """Commit the request to its row before the first byte of it is sent."""
    write_columns(conn, request.local_id, {
        "idempotency_key": request.key, "request_body": request.to_json(),
        "first_attempt_at": request.first_attempt_at,
    }, request.table)


def mark_not_sent(conn: Connection, request: Request) -> None:
    write_columns(conn, request.local_id, {
        "request_body": Request(**{**request.__dict__, "sent": False}).to_json()},
        request.table)


def mark_failed(conn: Connection, request: Request, message: str) -> None:
    failed = Request(**{**request.__dict__, "failures": request.failures + 1})
    write_columns(conn, request.local_id, {"request_body": failed.to_json(),
                                           "last_error": message}, request.table)


class DuplicateCopy(Exception):
    """A create reached the server, and the job it made is already mirrored as
    another row that holds edits of its own: neither copy may be dropped."""


def _claim_uuid(conn: Connection, request: Request, uuid: str) -> bool:
    """Make ``uuid`` free for the row of ``request``, a create that made that job.

    A scan may have mirrored the job before this device knew it was its own. That
    copy is the same job, so it goes, unless it holds edits of its own: then the
    create's row goes instead if the server already holds everything it carried,
    and returns False. Raises ``DuplicateCopy`` when both rows hold unsent edits.
    """
    found = conn.exec_driver_sql(
        "SELECT local_id FROM jobs WHERE uuid = ? AND local_id != ?",
        (uuid, request.local_id)).scalar()
    if found is None:
        return True
    copy = load(conn, int(found))
    if copy is None or not has_local_changes(copy):
        conn.exec_driver_sql("DELETE FROM jobs WHERE local_id = ?", (int(found),))
        return True
    row = load(conn, request.local_id)
    if row is not None and row.local_rev == request.rev and not row.deleted:
        conn.exec_driver_sql("DELETE FROM jobs WHERE local_id = ?", (request.local_id,))
        return False
    number = copy.values.get("job_number") or uuid
    raise DuplicateCopy(f"this job already reached the server as {number}, and that copy "
                        "has edits of its own here: keep one of the two and discard the other")


def confirm(conn: Connection, request: Request, job: ServerJob | None, *,
            read_at: str | None = None) -> JobRecord | None:
    """The server accepted the request; ``job`` is its reply (None for a delete).

    A reply that is the whole record makes the row whole, its details read at
    ``read_at`` (the sync engine's clock, as ``mirror.apply_remote`` takes it): the
    server has just said what every field holds.
    """
    if request.method == "POST" and job is not None and not _claim_uuid(conn, request, job.uuid):
        return None
    row = load(conn, request.local_id)
    if row is None:
        return None
    conflicts = list(row.conflicts)
    if job is None:
        # Deleted on the server: the row stays in the Trash as the server has it.
        write_columns(conn, row.local_id, {
            **_NO_REQUEST, "last_error": None, "pending_op": None, "sync_state": "synced",
            "base_json": None, "conflict_json": None})
        return load(conn, row.local_id)
    theirs = server_values(job)
    if row.local_rev == request.rev:
        effective = {f: theirs[f] for f in EDITABLE_FIELDS}
    else:
        effective = after_confirmed_write(row.editable(), request.body, request.before, theirs)
    for conflict in conflicts:
        if conflict.field in effective:
            effective[conflict.field] = row.values[conflict.field]
    values = {**row.values, **effective, **{f: theirs[f] for f in SERVER_FIELDS}}
    if row.deleted:
        values["deleted_at"] = row.values["deleted_at"]
    columns: dict[str, Any] = {**values, **_NO_REQUEST, "last_error": None}
    if job.extras:
        columns["extras_json"] = json.dumps(job.extras, sort_keys=True)
    if not is_summary(job):
        columns["summary_only"] = False
        if read_at is not None:
            columns["details_at"] = read_at
    columns.update(settle_state(values["uuid"], values, theirs, in_flight=False,
                                conflicts=conflicts, rejected=False))
    write_columns(conn, row.local_id, columns)
    return load(conn, row.local_id)


def reject(conn: Connection, request: Request, message: str) -> None:
    """The server refused the request (400): keep the edit and the server's reason."""
    write_columns(conn, request.local_id, {
        **_NO_REQUEST, "sync_state": "rejected", "last_error": message})


def set_aside(conn: Connection, local_id: int, message: str) -> None:
    """Take a row out of the queue with the reason, for the user to settle.

    Unlike ``reject``, its request is kept: one that may have reached the server
    must go out again under the same key, never as a new create.
    """
    write_columns(conn, local_id, {"sync_state": "rejected", "last_error": message})


def adopt(conn: Connection, request: Request, job: ServerJob, *,
          read_at: str | None = None) -> JobRecord | None:
    """A create whose reply was lost turned out to exist on the server: map it.

    ``read_at``: when ``job`` was read, as ``confirm`` takes it.
    """
    if not _claim_uuid(conn, request, job.uuid):
        return None
    write_columns(conn, request.local_id, {"uuid": job.uuid})
    return confirm(conn, request, job, read_at=read_at)
