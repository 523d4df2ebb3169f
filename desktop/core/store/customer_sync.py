"""The sync engine's side of the customers table: server customers in, the queue of
customers that owe the server a request, and each request confirmed or refused.

A customer's request goes through the job's lifecycle (``outbox.Request``: key and
exact body committed before the first byte is sent, resent unchanged). What is
particular to customers: a scan never overwrites a customer with unsent changes
(an update sends only the fields changed here, and its reply brings the rest), and
a confirmed create hands the new uuid to the jobs that waited for it, in the same
transaction, so they go out next, and only then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection

from desktop.core.customers import CUSTOMER_FIELDS, EDITABLE_FIELDS
from desktop.core.merge import after_confirmed_write, local_changes
from desktop.core.store.bulk import insert_rows
from desktop.core.store.customer_edits import customer_state, load_customer
from desktop.core.store.edits import new_idempotency_key, now_iso
from desktop.core.store.mirror import write_columns
from desktop.core.store.outbox import DuplicateCopy, Request
from desktop.core.store.records import CustomerRecord

TABLE = "customers"
_NO_REQUEST = {"idempotency_key": None, "request_body": None, "first_attempt_at": None}
_STORED = (*CUSTOMER_FIELDS, "extras_json")


def _row(customer: Mapping[str, Any]) -> tuple[Any, ...]:
    extras = {k: v for k, v in customer.items() if k not in CUSTOMER_FIELDS}
    return (*(bool(customer.get(name)) if name == "is_vip" else customer.get(name)
              for name in CUSTOMER_FIELDS),
            json.dumps(extras, sort_keys=True) if extras else None)


def upsert_server_customers(conn: Connection, customers: Iterable[Mapping[str, Any]]) -> int:
    """Insert or refresh customers from server data; unknown fields are kept, and a
    customer with changes not yet sent keeps them."""
    rows = [_row(c) for c in customers]
    if rows:
        updates = ", ".join(f"{n} = excluded.{n}" for n in _STORED if n != "uuid")
        # Raw multi-row SQL, like the job inserts (see bulk): every sync page of
        # customers and a first sync's thousands come through here, and executemany
        # stalled beside a busy parsing thread (bench/README: 0.35 s of customer
        # upserts became 3.5 s).
        insert_rows(conn, f"INSERT INTO customers ({', '.join(_STORED)})", rows,
                    f"ON CONFLICT (uuid) DO UPDATE SET {updates} "
                    "WHERE customers.pending_op IS NULL AND customers.sync_state = 'synced'")
    return len(rows)


def customer_queue(conn: Connection) -> list[int]:
    """Customers with something to send; those that keep failing go to the back."""
    result = conn.exec_driver_sql(
        "SELECT local_id FROM customers WHERE pending_op IS NOT NULL "
        "AND sync_state = 'pending' "
        "ORDER BY coalesce(json_extract(request_body, '$.failures'), 0), local_modified_at, "
        "local_id")
    return [int(r[0]) for r in result]


def build_customer_request(row: CustomerRecord, server_floor: str | None) -> Request | None:
    """The next request this customer needs, or None if there is nothing to send."""
    before = row.editable()
    if row.pending_op == "create":
        method, body = "POST", {f: v for f, v in before.items() if v is not None}
    elif row.pending_op == "update" and row.base is not None:
        method, body = "PUT", local_changes(row.base, before, EDITABLE_FIELDS)
        if not body:
            return None
    else:
        return None
    return Request(local_id=row.local_id, method=method, uuid=row.uuid,
                   key=new_idempotency_key(), body=body, rev=row.local_rev, before=before,
                   sent=True, failures=0, first_attempt_at=now_iso(),
                   server_floor=server_floor, table=TABLE)


def _has_local_changes(row: CustomerRecord) -> bool:
    return row.pending_op is not None or row.sync_state != "synced"


def _claim_uuid(conn: Connection, request: Request, uuid: str) -> None:
    """Make ``uuid`` free for the customer of ``request``, the create that made it.

    A scan may have mirrored the new customer before this device knew it was its
    own: that copy is the same customer, and its jobs name it by that same uuid.
    """
    found = conn.exec_driver_sql("SELECT local_id FROM customers WHERE uuid = ? "
                                 "AND local_id != ?", (uuid, request.local_id)).scalar()
    if found is None:
        return
    copy = load_customer(conn, int(found))
    if copy is not None and _has_local_changes(copy):
        raise DuplicateCopy(f"this customer already reached the server as {copy.display_name}, "
                            "and that copy has edits of its own here")
    conn.exec_driver_sql("DELETE FROM customers WHERE local_id = ?", (int(found),))


def confirm_customer(conn: Connection, request: Request,
                     customer: Mapping[str, Any]) -> CustomerRecord | None:
    """The server holds ``customer`` for ``request`` (its reply, or the customer a lost
    create turned out to have made): the row takes the server's record, and the jobs
    that waited for it name it by its uuid."""
    uuid = str(customer["uuid"])
    if request.method == "POST":
        _claim_uuid(conn, request, uuid)
    row = load_customer(conn, request.local_id)
    if row is None:
        return None
    theirs = {f: customer.get(f) for f in CUSTOMER_FIELDS}
    if row.local_rev == request.rev:
        effective = {f: theirs[f] for f in EDITABLE_FIELDS}
    else:
        effective = after_confirmed_write(row.editable(), request.body, request.before,
                                          theirs, EDITABLE_FIELDS)
    values = {**theirs, **effective}
    extras = {k: v for k, v in customer.items() if k not in CUSTOMER_FIELDS}
    write_columns(conn, row.local_id, {
        **values, **_NO_REQUEST, "last_error": None,
        "extras_json": json.dumps(extras, sort_keys=True) if extras else None,
        **customer_state(uuid, values, theirs, in_flight=False, rejected=False),
    }, TABLE)
    conn.exec_driver_sql(
        "UPDATE jobs SET customer_uuid = ?, customer_local_id = NULL, last_error = NULL "
        "WHERE customer_local_id = ?", (uuid, row.local_id))
    return load_customer(conn, row.local_id)


def reject_customer(conn: Connection, request: Request, message: str) -> None:
    """The server refused the customer (400): it keeps the edit and the server's
    reason, and so do the jobs that wait for it, which stay pending."""
    write_columns(conn, request.local_id, {
        **_NO_REQUEST, "sync_state": "rejected", "last_error": message}, TABLE)
    hold_jobs(conn, request.local_id, message)


def set_customer_aside(conn: Connection, local_id: int, message: str) -> None:
    """Take a customer out of the queue with the reason; its request is kept, so one
    that may have reached the server goes out again under the same key."""
    write_columns(conn, local_id, {"sync_state": "rejected", "last_error": message}, TABLE)
    hold_jobs(conn, local_id, message)


def hold_jobs(conn: Connection, local_id: int, message: str) -> None:
    row = load_customer(conn, local_id)
    name = row.display_name if row is not None else f"customer {local_id}"
    conn.exec_driver_sql(
        "UPDATE jobs SET last_error = ? WHERE customer_local_id = ?",
        (f"waits for its customer {name}, whom the server refused: {message}", local_id))
