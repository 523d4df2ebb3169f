"""Local edits: each one validated, then written with its pending change in one transaction.

A row keeps the effective record (what the user sees) in its columns. The first
local change to a synced row snapshots the server record into ``base_json``; the
pending operation is then always derived from "effective versus base", which is
what coalesces many edits into one update and lets an edit undone by hand fall back
to synced without a request.
"""

from __future__ import annotations

import json
import uuid as uuid_mod
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Text, func, select

from desktop.core.jobs import (
    EDITABLE_FIELDS,
    JOB_FIELDS,
    FieldError,
    InvalidJob,
    new_job_defaults,
    validate_changes,
)
from desktop.core.merge import DELETED, FieldConflict
from desktop.core.store.queries import SELECT_RECORD, fetch_all
from desktop.core.store.records import JobRecord, fields_to_json
from desktop.core.store.schema import CUSTOMERS
from desktop.core.store.search_index import INDEX_NEW_JOBS_SQL
from desktop.core.undo import TRASHED, JobChange, field_changes


class JobMissing(LookupError):
    """The local id names no job (deleted from the mirror meanwhile)."""


def now_iso() -> str:
    """UTC now in the API's own format: milliseconds and a ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_idempotency_key() -> str:
    return str(uuid_mod.uuid4())


def to_db(value: Any) -> Any:
    """A canonical value as SQLite stores it (amounts as integer cents)."""
    if isinstance(value, Decimal):
        return int((value * 100).to_integral_value())
    return value


def last_local_id(conn: Connection) -> int:
    """The highest local id ever issued (AUTOINCREMENT never reuses one)."""
    value = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'").scalar()
    return int(value or 0)


def load(conn: Connection, local_id: int) -> JobRecord | None:
    found = fetch_all(conn, f"{SELECT_RECORD} WHERE j.local_id = ?", (local_id,))
    return JobRecord.from_row(found[0]) if found else None


def _require(conn: Connection, local_id: int) -> JobRecord:
    record = load(conn, local_id)
    if record is None:
        raise JobMissing(f"job: no job with local id {local_id}")
    return record


def pending_op(
    uuid: str | None, values: Mapping[str, Any], base: Mapping[str, Any] | None, in_flight: bool
) -> str | None:
    """What the server still has to be told about this row, if anything."""
    deleted = values.get("deleted_at") is not None
    if uuid is None:
        # A create whose request may have reached the server must still be settled
        # (and then deleted) even if the user trashed it meanwhile.
        return "create" if in_flight or not deleted else None
    base = base or values
    if deleted and base.get("deleted_at") is None:
        return "delete"
    if deleted:
        return None
    if in_flight or any(values.get(f) != base.get(f) for f in EDITABLE_FIELDS):
        return "update"
    return None


def _server_snapshot(record: JobRecord) -> dict[str, Any] | None:
    if record.base is not None:
        return dict(record.base)
    if record.uuid is None:
        return None
    return {f: record.values[f] for f in JOB_FIELDS}


def _write(conn: Connection, local_id: int, columns: Mapping[str, Any]) -> None:
    # Raw SQL: moving a selection to the Trash runs this once a job (50 jobs in one
    # transaction: 42-56 ms of a 100 ms target, bench/README).
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.exec_driver_sql(
        f"UPDATE jobs SET {assignments}, local_rev = local_rev + 1, local_modified_at = ? "
        "WHERE local_id = ?",
        (*(to_db(v) for v in columns.values()), now_iso(), local_id),
    )


def _bookkeeping(record: JobRecord, values: Mapping[str, Any], base: dict[str, Any] | None,
                 *, user_edit: bool) -> dict[str, Any]:
    columns = settle_state(
        values.get("uuid"), values, base, in_flight=record.idempotency_key is not None,
        conflicts=record.conflicts, rejected=record.sync_state == "rejected" and not user_edit)
    # A user's fix supersedes the server's old complaint.
    columns["last_error"] = (None if user_edit and columns["sync_state"] == "pending"
                             else record.last_error)
    return columns


def settle_state(
    uuid: str | None,
    values: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    *,
    in_flight: bool,
    conflicts: Sequence[FieldConflict],
    rejected: bool,
) -> dict[str, Any]:
    """The bookkeeping columns for a row in this situation."""
    op = pending_op(uuid, values, base, in_flight)
    if conflicts:
        state = "conflict"
    elif op is None:
        state = "synced"
    elif rejected:
        state = "rejected"
    else:
        state = "pending"
    keep_base = base is not None and (op is not None or bool(conflicts))
    return {
        "pending_op": op,
        "sync_state": state,
        "base_json": fields_to_json(base) if keep_base and base is not None else None,
        "conflict_json": json.dumps([c.to_json() for c in conflicts], default=str)
        if conflicts else None,
    }


def _customer_name_column() -> Any:
    """A customer's display name (the one the customers_rename trigger keeps on
    their jobs)."""
    c = CUSTOMERS.c
    full_name = func.trim(func.ifnull(c.first_name, "", type_=Text) + " "
                          + func.ifnull(c.last_name, "", type_=Text))
    return func.coalesce(func.nullif(full_name, ""), c.company_name)


def customer_display(conn: Connection, customer_uuid: str | None) -> tuple[bool, str | None]:
    """Whether the mirror knows a live customer with this uuid, and their display name."""
    c = CUSTOMERS.c
    row = conn.execute(select(_customer_name_column(), c.deleted_at)
                       .where(c.uuid == customer_uuid)).first()
    if row is None:
        return False, None
    return row[1] is None, row[0]


def _customer_name(conn: Connection, customer_uuid: str) -> str | None:
    known, name = customer_display(conn, customer_uuid)
    if not known:
        raise InvalidJob([FieldError(
            "customer_uuid", f"no live customer {customer_uuid} in the local customer list"
        )])
    return name


#: Stands in for the uuid of a customer the server does not have yet while a job's
#: other fields are checked: the job is valid but for that uuid, which it waits for.
_AWAITED_CUSTOMER = "00000000-0000-0000-0000-000000000000"
#: Names the customer of a new or edited job by local id: a customer created here.
CUSTOMER_LOCAL_ID = "customer_local_id"


def validate_job(values: Mapping[str, object],
                 current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``validate_changes`` for values that may name their customer by
    ``CUSTOMER_LOCAL_ID``: what ``create`` and ``update`` will accept, checked before."""
    fields = {k: v for k, v in values.items() if k != CUSTOMER_LOCAL_ID}
    if values.get(CUSTOMER_LOCAL_ID) is not None:
        fields["customer_uuid"] = _AWAITED_CUSTOMER
    return validate_changes(fields, current)


def _customer_link(conn: Connection, values: Mapping[str, object]
                   ) -> tuple[dict[str, object], dict[str, Any]]:
    """The job fields of ``values``, and the columns that link the job to its customer
    when ``values`` names it by local id (``CUSTOMER_LOCAL_ID``): by uuid if the
    server has the customer, else by local id, the job waiting for it."""
    fields = {k: v for k, v in values.items() if k != CUSTOMER_LOCAL_ID}
    local_id = values.get(CUSTOMER_LOCAL_ID)
    if local_id is None:
        return fields, {}
    c = CUSTOMERS.c
    row = conn.execute(select(c.uuid, _customer_name_column(), c.deleted_at)
                       .where(c.local_id == local_id)).first()
    if row is None or row[2] is not None:
        raise InvalidJob([FieldError("customer", f"no live customer with local id {local_id}")])
    if row[0] is not None:
        return {**fields, "customer_uuid": row[0]}, {"customer_local_id": None}
    fields["customer_uuid"] = _AWAITED_CUSTOMER
    return fields, {"customer_uuid": None, "customer_local_id": int(str(local_id)),
                    "customer_name": row[1]}


def create(conn: Connection, values: Mapping[str, object]) -> JobRecord:
    """A new job; its customer is named by ``customer_uuid`` or ``CUSTOMER_LOCAL_ID``."""
    fields, link = _customer_link(conn, values)
    clean = validate_changes(fields, None)
    record = {**new_job_defaults(), **clean}
    if "customer_local_id" in link and link["customer_local_id"] is not None:
        customer_name = link["customer_name"]
    else:
        customer_name = _customer_name(conn, record["customer_uuid"])
    record.update({k: v for k, v in link.items() if k != "customer_name"})
    columns = {**record, "customer_name": customer_name, "sync_state": "pending",
               "pending_op": "create", "local_rev": 1, "local_modified_at": now_iso()}
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    last = last_local_id(conn)
    # Raw SQL, as the mirror's inserts: the search index then takes the new job by
    # local id in one statement (see search_index).
    result = conn.exec_driver_sql(
        f"INSERT INTO jobs ({names}) VALUES ({marks}) RETURNING local_id",
        tuple(to_db(v) for v in columns.values()),
    )
    local_id = int(result.scalar_one())
    conn.exec_driver_sql(INDEX_NEW_JOBS_SQL, (last,))
    return _require(conn, local_id)


def update(conn: Connection, local_id: int, changes: Mapping[str, object]) -> JobRecord:
    record = _require(conn, local_id)
    if record.deleted:
        raise InvalidJob([FieldError("job", "is in the Trash; restore it before editing")])
    fields, link = _customer_link(conn, changes)
    clean = validate_changes(fields, record.values)
    awaited = link.get("customer_local_id")
    if awaited is not None:
        clean.update(customer_uuid=None)
    changed = {k: v for k, v in clean.items() if record.values[k] != v}
    if awaited is not None and awaited != record.customer_local_id:
        changed["customer_uuid"] = None
    if not changed:
        return record
    columns: dict[str, Any] = dict(changed)
    if "customer_uuid" in changed:
        columns["customer_local_id"] = awaited
        columns["customer_name"] = (link["customer_name"] if awaited is not None
                                    else _customer_name(conn, changed["customer_uuid"]))
    values = {**record.values, **changed}
    columns.update(_bookkeeping(record, values, _server_snapshot(record), user_edit=True))
    _write(conn, local_id, columns)
    return _require(conn, local_id)


def delete(conn: Connection, local_id: int) -> JobRecord:
    record = _require(conn, local_id)
    if record.deleted:
        return record
    values = {**record.values, "deleted_at": now_iso()}
    columns = {"deleted_at": values["deleted_at"]}
    columns.update(_bookkeeping(record, values, _server_snapshot(record), user_edit=True))
    _write(conn, local_id, columns)
    return _require(conn, local_id)


def restore(conn: Connection, local_id: int) -> JobRecord:
    record = _require(conn, local_id)
    if not record.deleted:
        return record
    base = _server_snapshot(record)
    if record.uuid is not None and (base is None or base.get("deleted_at") is not None):
        # The server already deleted it and the API cannot undelete: bring it back
        # as a new job with the same contents.
        columns: dict[str, Any] = {
            "uuid": None, "job_number": None, "created_at": None, "updated_at": None,
            "deleted_at": None, "sync_state": "pending", "pending_op": "create",
            "base_json": None, "conflict_json": None, "last_error": None,
            "idempotency_key": None, "request_body": None, "first_attempt_at": None,
        }
    else:
        values = {**record.values, "deleted_at": None}
        columns = {"deleted_at": None}
        columns.update(_bookkeeping(record, values, base, user_edit=True))
    _write(conn, local_id, columns)
    return _require(conn, local_id)


def apply_change(conn: Connection, change: JobChange) -> JobRecord:
    """Take a job from ``change.before`` to ``change.after`` as a new local edit (an
    undo or redo); raises ``Stale`` naming the field when one no longer holds
    ``before``, and ``InvalidJob`` when the result breaks an edit rule."""
    record = _require(conn, change.local_id)
    name = str(record.values["job_number"] or "the new job")
    fields = field_changes(change, record.values, [c.field for c in record.conflicts], name)
    trashed = change.after.get(TRASHED)
    if trashed is False:
        record = restore(conn, change.local_id)
    if fields:
        record = update(conn, change.local_id, fields)
    if trashed is True:
        record = delete(conn, change.local_id)
    return record


def discard(conn: Connection, local_id: int) -> JobRecord | None:
    """Drop unsent changes: the row returns to the server's version (or goes away)."""
    record = _require(conn, local_id)
    if record.uuid is None:
        if record.idempotency_key is not None:
            raise InvalidJob([FieldError(
                "job", "its creation may already have reached the server; sync before discarding"
            )])
        conn.exec_driver_sql("DELETE FROM jobs WHERE local_id = ?", (local_id,))
        return None
    columns: dict[str, Any] = dict(record.base) if record.base is not None else {}
    columns.pop("uuid", None)
    if columns.get("customer_uuid") != record.values["customer_uuid"]:
        columns["customer_name"] = customer_display(conn, columns.get("customer_uuid"))[1]
    columns.update({
        "customer_local_id": None,
        "sync_state": "synced", "pending_op": None, "base_json": None, "conflict_json": None,
        "last_error": None, "idempotency_key": None, "request_body": None,
        "first_attempt_at": None,
    })
    _write(conn, local_id, columns)
    return _require(conn, local_id)


def resolve_conflict(conn: Connection, local_id: int, choices: Mapping[str, str]) -> JobRecord:
    """Settle a conflicted job: for each conflicted field, keep "mine" or take "theirs".

    Raises ``InvalidJob`` (and changes nothing) when a choice is missing or the merged
    job breaks a rule of ``validate_changes``, naming the fields.
    """
    record = _require(conn, local_id)
    if not record.conflicts:
        return record
    errors = [
        FieldError(c.field, "choose mine or theirs")
        for c in record.conflicts if choices.get(c.field) not in ("mine", "theirs")
    ]
    if errors:
        raise InvalidJob(errors)
    base = dict(record.base or record.values)
    columns: dict[str, Any] = {"conflict_json": None, "last_error": None}
    if any(c.field == DELETED for c in record.conflicts):
        if choices[DELETED] == "theirs":
            columns.update({"deleted_at": record.values["deleted_at"] or base.get("deleted_at")
                            or now_iso(), "pending_op": None, "sync_state": "synced",
                            "base_json": None, "idempotency_key": None, "request_body": None})
        else:
            # Gone on the server, and the API cannot undelete: send it as a new job.
            columns.update({"uuid": None, "job_number": None, "created_at": None,
                            "updated_at": None, "deleted_at": None, "pending_op": "create",
                            "sync_state": "pending", "base_json": None,
                            "idempotency_key": None, "request_body": None})
        _write(conn, local_id, columns)
        return _require(conn, local_id)
    picked = {c.field: base.get(c.field, c.theirs) if choices[c.field] == "theirs"
              else record.values[c.field] for c in record.conflicts}
    # The merged job must pass the rules any edit does (a start from one side and an
    # end from the other may not fit); each pick counts as touched, so every rule
    # involving a conflicted field is checked. The values kept are the picks as they
    # are: the server's own, or the local ones already validated.
    validate_changes(picked, record.values)
    values = {**record.values, **picked}
    for name, value in picked.items():
        if value != record.values[name]:
            columns[name] = value
    if "customer_uuid" in picked:
        # The name shown is the picked customer's, whichever side it came from.
        columns["customer_name"] = (customer_display(conn, picked["customer_uuid"])[1]
                                    or record.customer_name)
    columns.update(settle_state(record.uuid, values, base,
                                in_flight=record.idempotency_key is not None,
                                conflicts=[], rejected=False))
    _write(conn, local_id, columns)
    return _require(conn, local_id)
