"""Customers created and edited offline, and jobs for them, synced over real HTTP
against the emulator on a real SQLite file."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from desktop.core.store import CustomerRecord, JobRecord
from desktop.core.store.edits import CUSTOMER_LOCAL_ID
from desktop.emulator import Emulator
from tests.integration.conftest import Device


def _named(emulator: Emulator, last_name: str) -> list[dict[str, Any]]:
    return [c for c in emulator.customers() if c["last_name"] == last_name]


def _posts(emulator: Emulator) -> list[str]:
    return [r.path.removeprefix("/api/v1") for r in emulator.requests
            if r.method == "POST" and not r.replayed]


def _offline_customer_with_job(device: Device, last_name: str,
                               **fields: Any) -> tuple[CustomerRecord, JobRecord]:
    customer = device.store.create_customer(
        {"first_name": "Grace", "last_name": last_name, "phone": "(555) 010 2030", **fields})
    job = device.store.create_job({CUSTOMER_LOCAL_ID: customer.local_id,
                                   "title": f"First visit for {last_name}"})
    return customer, job


def _customer(device: Device, local_id: int) -> CustomerRecord:
    found = device.store.get_customer(local_id)
    assert found is not None
    return found


def _job(device: Device, local_id: int) -> JobRecord:
    found = device.store.get(local_id)
    assert found is not None
    return found


def test_a_customer_and_their_job_created_offline_go_out_in_order(
        synced: Device, emulator: Emulator) -> None:
    customer, job = _offline_customer_with_job(synced, "Hopper")
    assert customer.uuid is None and customer.sync_state == "pending"
    assert customer["phone"] == "555-010-2030", "written the vendor's way"
    assert job.customer_local_id == customer.local_id and job["customer_uuid"] is None
    assert job.customer_name == "Grace Hopper"
    emulator.clear_requests()

    report = synced.sync()

    assert report.status == "ok", report.message
    (made,) = _named(emulator, "Hopper")
    assert made["phone"] == "555-010-2030"
    after = _customer(synced, customer.local_id)
    assert after.uuid == made["uuid"] and after.sync_state == "synced"
    sent = _job(synced, job.local_id)
    assert sent.sync_state == "synced" and sent["customer_uuid"] == made["uuid"]
    assert sent.customer_local_id is None
    (server_job,) = [j for j in emulator.all_jobs() if j["title"] == "First visit for Hopper"]
    assert server_job["customer_uuid"] == made["uuid"]
    assert _posts(emulator) == ["/customers", "/jobs"], "the customer first, one request each"
    history = synced.store.customer_history(after)
    assert [j.local_id for j in history.jobs] == [job.local_id]


@pytest.mark.parametrize("honour_keys", [True, False])
def test_a_customer_whose_create_reply_was_lost_is_never_duplicated(
        synced: Device, emulator: Emulator, honour_keys: bool) -> None:
    emulator.variants.honour_idempotency = honour_keys
    customer, job = _offline_customer_with_job(synced, "Lamarr")
    emulator.faults.drop_after(1, method="POST", path="/customers")

    first = synced.sync()

    assert first.status == "offline"
    assert len(_named(emulator, "Lamarr")) == 1, "the create reached the server"
    assert _customer(synced, customer.local_id).uuid is None
    assert _job(synced, job.local_id).sync_state == "pending"
    assert not [j for j in emulator.all_jobs() if j["title"] == "First visit for Lamarr"], (
        "no job goes out before its customer is confirmed")

    second = synced.sync()

    assert second.status == "ok", second.message
    (made,) = _named(emulator, "Lamarr")
    assert _customer(synced, customer.local_id).uuid == made["uuid"]
    jobs = [j for j in emulator.all_jobs() if j["title"] == "First visit for Lamarr"]
    assert [j["customer_uuid"] for j in jobs] == [made["uuid"]]
    assert len(synced.store.customers("Lamarr")) == 1, "one row for the customer here too"


def test_a_customer_the_server_refuses_holds_its_jobs_with_the_reason(
        synced: Device, emulator: Emulator) -> None:
    taken = emulator.customers(include_deleted=False)[0]["email"]
    customer, job = _offline_customer_with_job(synced, "Noether", email=taken)

    report = synced.sync()

    assert report.status == "ok", report.message
    refused = _customer(synced, customer.local_id)
    assert refused.sync_state == "rejected" and refused.uuid is None
    assert "already used" in (refused.last_error or "")
    held = _job(synced, job.local_id)
    assert held.sync_state == "pending" and held["customer_uuid"] is None
    assert "Noether" in (held.last_error or "") and "already used" in (held.last_error or "")
    assert not _named(emulator, "Noether")
    assert "/jobs" not in _posts(emulator)

    fixed = synced.store.update_customer(customer.local_id, {"email": "emmy@example.org"})
    assert fixed.sync_state == "pending" and fixed.last_error is None
    assert _job(synced, job.local_id).last_error is None
    assert synced.sync().status == "ok"
    (made,) = _named(emulator, "Noether")
    assert _job(synced, job.local_id)["customer_uuid"] == made["uuid"]


def test_an_edit_of_a_synced_customer_is_one_put_of_the_changed_fields(
        synced: Device, emulator: Emulator) -> None:
    target = emulator.customers(include_deleted=False)[3]
    local = synced.store.customer(target["uuid"])
    assert local is not None
    synced.store.update_customer(local.local_id, {"notes": "Dog in the yard"})
    edited = synced.store.update_customer(local.local_id, {"is_vip": "yes"})
    assert edited.sync_state == "pending" and edited.pending_op == "update"
    emulator.clear_requests()

    assert synced.sync().status == "ok"

    puts = [r for r in emulator.requests if r.method == "PUT"]
    assert [r.path for r in puts] == [f"/api/v1/customers/{target['uuid']}"]
    server = emulator.customer(target["uuid"])
    assert server is not None
    assert server["notes"] == "Dog in the yard" and server["is_vip"] is True
    assert server["email"] == target["email"], "fields not edited here are left alone"
    after = _customer(synced, local.local_id)
    assert after.sync_state == "synced" and after["updated_at"] == server["updated_at"]


def test_a_scan_keeps_an_unsent_customer_edit(synced: Device, emulator: Emulator) -> None:
    target = emulator.customers(include_deleted=False)[4]
    local = synced.store.customer(target["uuid"])
    assert local is not None
    synced.store.update_customer(local.local_id, {"first_name": "Renamed"})
    # Held back by a dead link for the push only: the full scan runs first and
    # brings the server's old name.
    emulator.faults.drop_before(1, method="PUT")

    assert synced.sync(full=True).status == "offline"

    kept = _customer(synced, local.local_id)
    assert kept["first_name"] == "Renamed" and kept.sync_state == "pending"
    assert synced.sync().status == "ok"
    server = emulator.customer(target["uuid"])
    assert server is not None and server["first_name"] == "Renamed"


@pytest.mark.parametrize(("field", "value"), [
    ("phone", "555-1234"), ("phone", "(555) 010 2030"), ("customer_type", "Industrial"),
    ("on_my_way_notify_via", "pigeon"), ("on_my_way_notify_via", " sms"), ("first_name", ""),
    ("is_vip", "yes"),
])
def test_the_server_refuses_what_the_vendor_refuses_naming_the_field(
        emulator: Emulator, field: str, value: str) -> None:
    body = {"first_name": "Ada", "last_name": "Byron", field: value}
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    with httpx.Client(base_url=emulator.url, headers=headers) as http:
        response = http.post("/customers", json=body)
        assert response.status_code == 400
        assert response.json()["error"].startswith(field)
        made = http.post("/customers", json={**body, field: None})
    # Without the value: required names and the type, which cannot be null, are still
    # refused; any other field may be left empty.
    refused = field in ("first_name", "customer_type")
    assert made.status_code == (400 if refused else 201)
    assert len([c for c in emulator.customers() if c["last_name"] == "Byron"]) == (
        0 if refused else 1)
