"""Customers in the mirror: the vendor's rules, edits and their pending change, and the
bookkeeping of a request, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.customers import parse_phone, validate_customer
from desktop.core.jobs import InvalidJob
from desktop.core.store import Store
from desktop.core.store.customer_edits import load_customer
from desktop.core.store.customer_sync import (
    build_customer_request,
    confirm_customer,
    upsert_server_customers,
)
from desktop.core.store.edits import CUSTOMER_LOCAL_ID
from desktop.core.store.outbox import record
from tests.conftest import make_customer

SERVER = {"first_name": "Ada", "last_name": "Lovelace", "phone": "555-010-0001",
          "email": "ada@example.org", "customer_type": "Residential",
          "created_at": "2025-01-01T00:00:00.000Z", "updated_at": "2025-01-01T00:00:00.000Z"}
EDITS = st.lists(st.tuples(
    st.sampled_from(["first_name", "phone", "customer_type", "notes"]),
    st.sampled_from([0, 1, 2])), max_size=8)
CHOICES: dict[str, list[Any]] = {
    "first_name": ["Ada", "Augusta", "Countess"],
    "phone": ["555-010-0001", "555-010-0002", None],
    "customer_type": ["Residential", "Commercial", "Residential"],
    "notes": [None, "Gate 4", "Ring twice"],
}


@pytest.fixture
def synced_customer(store: Store) -> int:
    uuid = make_customer(store, **{k: v for k, v in SERVER.items()
                                   if k not in ("first_name", "last_name")})
    found = store.customer(uuid)
    assert found is not None
    return found.local_id


@given(st.from_regex(r"\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}", fullmatch=True))
def test_ten_digits_written_any_usual_way_are_the_vendors_phone(text: str) -> None:
    digits = "".join(ch for ch in text if ch.isdigit())
    assert parse_phone("phone", text) == f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


@pytest.mark.parametrize("text", ["555-1234", "555-010-00011", "call me",
                                  "\uff15\uff15\uff15-010-0001"])
def test_anything_else_is_refused_naming_the_phone(text: str) -> None:
    with pytest.raises(InvalidJob, match="phone: must be a phone number written xxx-xxx-xxxx"):
        validate_customer({"first_name": "A", "last_name": "B", "phone": text})


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_edits_coalesce_into_one_update_of_exactly_the_changed_fields(
        store: Store, synced_customer: int, edits: list[tuple[str, int]]) -> None:
    start = store.get_customer(synced_customer)
    assert start is not None
    with store.write() as conn:
        # Each example starts from the synced customer the server holds.
        conn.exec_driver_sql("UPDATE customers SET sync_state = 'synced', pending_op = NULL, "
                             "base_json = NULL WHERE local_id = ?", (synced_customer,))
        upsert_server_customers(conn, [{**SERVER, "uuid": start.uuid}])
    expected: dict[str, Any] = {}
    for field, choice in edits:
        value = CHOICES[field][choice]
        store.update_customer(synced_customer, {field: value})
        expected[field] = value
    row = store.get_customer(synced_customer)
    assert row is not None
    changed = {f: v for f, v in expected.items() if v != SERVER.get(f)}
    assert row.pending_op == ("update" if changed else None)
    assert row.sync_state == ("pending" if changed else "synced")
    request = build_customer_request(row, None)
    if changed:
        assert request is not None and request.method == "PUT" and request.body == changed
    else:
        assert request is None


def test_an_edit_made_while_the_create_is_in_flight_stays_pending(store: Store) -> None:
    customer = store.create_customer({"first_name": "Grace", "last_name": "Hopper"})
    job = store.create_job({CUSTOMER_LOCAL_ID: customer.local_id, "title": "Survey"})
    request = build_customer_request(customer, None)
    assert request is not None and request.method == "POST"
    assert request.body == {"first_name": "Grace", "last_name": "Hopper", "is_vip": False}
    with store.write() as conn:
        record(conn, request)
    store.update_customer(customer.local_id, {"notes": "Typed while it was sent"})
    reply = {**request.body, "uuid": "9a2b6c1d-0000-4000-8000-000000000001", "notes": None,
             "created_at": "2025-02-01T00:00:00.000Z", "internal_flags": {"vip_since": None}}
    with store.write() as conn:
        after = confirm_customer(conn, request, reply)
    assert after is not None and after.uuid == reply["uuid"]
    assert after["notes"] == "Typed while it was sent"
    assert after.pending_op == "update" and after.sync_state == "pending"
    assert after.idempotency_key is None and after.extras == {"internal_flags": {"vip_since": None}}
    waiting = store.get(job.local_id)
    assert waiting is not None and waiting["customer_uuid"] == reply["uuid"]
    assert waiting.customer_local_id is None and waiting.pending_op == "create"


def test_a_server_copy_of_an_unsent_customer_leaves_it_alone(
        store: Store, synced_customer: int) -> None:
    before = store.update_customer(synced_customer, {"first_name": "Augusta"})
    store.upsert_customers([{**SERVER, "uuid": before.uuid, "first_name": "Ada",
                             "notes": "from the server"}])
    after = store.get_customer(synced_customer)
    assert after is not None and after["first_name"] == "Augusta" and after["notes"] is None
    assert after.pending_op == "update"


def test_a_job_for_an_unsent_customer_shows_their_name_and_follows_a_rename(
        store: Store, tmp_path: Path) -> None:
    customer = store.create_customer({"first_name": "Grace", "last_name": "Hopper"})
    job = store.create_job({CUSTOMER_LOCAL_ID: customer.local_id, "title": "Survey"})
    assert job.customer_name == "Grace Hopper" and job.pending_op == "create"
    store.update_customer(customer.local_id, {"last_name": "Murray"})
    renamed = store.get(job.local_id)
    assert renamed is not None and renamed.customer_name == "Grace Murray"
    with store.read() as conn:
        assert load_customer(conn, customer.local_id) is not None


def test_a_job_moved_to_an_unsent_customer_waits_for_them(
        store: Store, synced_customer: int) -> None:
    synced = store.get_customer(synced_customer)
    assert synced is not None
    job = store.create_job({"customer_uuid": synced.uuid, "title": "Tune-up"})
    newcomer = store.create_customer({"first_name": "Grace", "last_name": "Hopper"})
    moved = store.update_job(job.local_id, {CUSTOMER_LOCAL_ID: newcomer.local_id})
    assert moved["customer_uuid"] is None and moved.customer_local_id == newcomer.local_id
    assert moved.customer_name == "Grace Hopper"
    back = store.update_job(job.local_id, {CUSTOMER_LOCAL_ID: synced.local_id})
    assert back["customer_uuid"] == synced.uuid and back.customer_local_id is None
    assert back.customer_name == "Ada Lovelace"
