"""Customers created and edited here: each edit validated, then written with what the
server still has to be told, in one transaction.

As for a job (see ``edits``), the row holds the effective record, the first local
change to a synced customer snapshots the server's record into ``base_json``, and
the pending operation is derived from "effective versus base": many edits make
one update, and an edit undone by hand needs no request. A customer the server has
never seen has no uuid; the jobs created for it name it by local id
(``jobs.customer_local_id``) until its create is confirmed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from desktop.core.customers import (
    CUSTOMER_FIELDS,
    EDITABLE_FIELDS,
    new_customer_defaults,
    validate_customer,
)
from desktop.core.jobs import FieldError, InvalidJob
from desktop.core.store.edits import now_iso, to_db
from desktop.core.store.records import CUSTOMER_RECORD_COLUMNS, CustomerRecord

SELECT_CUSTOMER = f"SELECT {', '.join(CUSTOMER_RECORD_COLUMNS)} FROM customers"


class CustomerMissing(LookupError):
    """The reference names no customer in the mirror; the message names it."""


def load_customer(conn: Connection, local_id: int) -> CustomerRecord | None:
    row = conn.exec_driver_sql(f"{SELECT_CUSTOMER} WHERE local_id = ?", (local_id,)).first()
    return CustomerRecord.from_row(row) if row else None


def customer_by_uuid(conn: Connection, uuid: str) -> CustomerRecord | None:
    row = conn.exec_driver_sql(f"{SELECT_CUSTOMER} WHERE uuid = ?", (uuid,)).first()
    return CustomerRecord.from_row(row) if row else None


def require_customer(conn: Connection, local_id: int) -> CustomerRecord:
    found = load_customer(conn, local_id)
    if found is None:
        raise CustomerMissing(f"customer: no customer with local id {local_id}")
    return found


def customer_state(uuid: str | None, values: Mapping[str, Any],
                   base: Mapping[str, Any] | None, *, in_flight: bool,
                   rejected: bool) -> dict[str, Any]:
    """The bookkeeping columns of a customer in this situation."""
    if uuid is None:
        op: str | None = "create"
    elif in_flight or any(values.get(f) != (base or values).get(f) for f in EDITABLE_FIELDS):
        op = "update"
    else:
        op = None
    state = "synced" if op is None else "rejected" if rejected else "pending"
    keep_base = base is not None and op == "update"
    return {"pending_op": op, "sync_state": state,
            "base_json": json.dumps(dict(base), sort_keys=True) if keep_base and base else None}


def _insert(conn: Connection, columns: Mapping[str, Any]) -> int:
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    result = conn.exec_driver_sql(
        f"INSERT INTO customers ({names}) VALUES ({marks}) RETURNING local_id",
        tuple(to_db(v) for v in columns.values()))
    return int(result.scalar_one())


def create_customer(conn: Connection, values: Mapping[str, object]) -> CustomerRecord:
    """A new customer, sent with the next sync; raises ``InvalidJob`` naming the fields."""
    clean = validate_customer(values, None)
    record = {**new_customer_defaults(), **clean}
    local_id = _insert(conn, {
        **{f: record[f] for f in EDITABLE_FIELDS}, "sync_state": "pending",
        "pending_op": "create", "local_rev": 1, "local_modified_at": now_iso()})
    return require_customer(conn, local_id)


def update_customer(conn: Connection, local_id: int,
                    changes: Mapping[str, object]) -> CustomerRecord:
    """Change a customer's fields; raises ``InvalidJob`` (and changes nothing) on a
    broken rule."""
    row = require_customer(conn, local_id)
    if row.deleted:
        raise InvalidJob([FieldError("customer", "was deleted on the server and cannot be "
                                                 "edited")])
    clean = validate_customer(changes, row.values)
    changed = {k: v for k, v in clean.items() if row.values[k] != v}
    if not changed:
        return row
    values = {**row.values, **changed}
    base = row.base
    if base is None and row.uuid is not None:
        base = {f: row.values[f] for f in CUSTOMER_FIELDS}
    # A user's fix supersedes the server's old complaint, on the customer and on
    # the jobs that wait for it.
    columns = {**changed, "last_error": None,
               **customer_state(row.uuid, values, base,
                                in_flight=row.idempotency_key is not None, rejected=False)}
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.exec_driver_sql(
        f"UPDATE customers SET {assignments}, local_rev = local_rev + 1, "
        "local_modified_at = ? WHERE local_id = ?",
        (*(to_db(v) for v in columns.values()), now_iso(), local_id))
    conn.exec_driver_sql("UPDATE jobs SET last_error = NULL WHERE customer_local_id = ?",
                         (local_id,))
    return require_customer(conn, local_id)
