"""Push of customers created or edited here: one request each, under its stored key.

The job's lifecycle (see ``push``): the request is committed before it is sent and
resent unchanged; a create whose reply was lost is looked for on the server before
it is sent again, in case the server has forgotten its key, and adopted if found.
A customer the server refuses keeps its edit and the server's reason, and holds
its jobs back (``customer_sync.reject_customer``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from desktop.core.store.customer_edits import customer_by_uuid, load_customer
from desktop.core.store.customer_sync import (
    TABLE,
    build_customer_request,
    confirm_customer,
    reject_customer,
)
from desktop.core.store.outbox import Request, in_flight, record
from desktop.core.sync.adoption import is_own_customer, server_floor
from desktop.core.sync.cycle import Cycle
from desktop.core.sync.sending import Outcomes, send

#: What a lost create is searched by on the server, most telling first.
_SEARCHED_BY = ("email", "phone", "last_name")


def push_customer(cycle: Cycle, local_id: int) -> None:
    with cycle.store.read() as conn:
        row = load_customer(conn, local_id)
    if row is None:
        return
    request = in_flight(row, TABLE)
    if request is None:
        request = build_customer_request(row, server_floor(cycle))
        if request is None:
            return
        with cycle.store.write() as conn:
            record(conn, request)
    elif request.method == "POST" and request.sent:
        found = _find_created(cycle, request)
        if found is not None:
            with cycle.store.write() as conn:
                confirm_customer(conn, request, found)
            cycle.report.pushed += 1
            return
    _send(cycle, request)


def _send(cycle: Cycle, request: Request) -> None:
    client = cycle.client

    def call() -> dict[str, Any]:
        if request.method == "POST":
            return client.create_customer(request.body, request.key)
        return client.update_customer(str(request.uuid), request.body, request.key)

    def vanished(conn: Connection, request: Request) -> None:
        reject_customer(conn, request, "this customer is no longer on the server")

    send(cycle, request, call, Outcomes(rejected=reject_customer, vanished=vanished,
                                        confirmed=confirm_customer))


def _find_created(cycle: Cycle, request: Request) -> dict[str, Any] | None:
    """The customer an earlier attempt of this create made, if the server has it:
    the earliest made after that attempt with the same name, email and phone."""
    term = next((request.body[f] for f in _SEARCHED_BY if request.body.get(f)), None)
    if term is None:
        return None
    page = cycle.client.list_customers(1, include_deleted=True, search=str(term))
    matches = []
    for customer in page.customers:
        if not is_own_customer(request, customer):
            continue
        with cycle.store.read() as conn:
            known = customer_by_uuid(conn, str(customer["uuid"]))
        # A copy a scan mirrored without knowing it was this create is still a
        # candidate; one with local history of its own is someone else's.
        if known is not None and (known.pending_op is not None or known.sync_state != "synced"):
            continue
        matches.append(customer)
    return min(matches, key=lambda c: str(c.get("created_at") or "")) if matches else None
