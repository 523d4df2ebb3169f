"""A server job with one out-of-range value is mirrored, flagged and stays editable.

Over real HTTP against the emulator, into a real SQLite file. The odd values are
planted in the emulator's store (``Emulator.plant``): its API refuses them, as ours
does, but a real server that checks less (or an import, or a bug) can hold them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from desktop.core.jobs import ACTIVE_STATUSES
from desktop.emulator import Emulator
from tests.integration.conftest import Device

ACTIVE = {s.value for s in ACTIVE_STATUSES}


def _active_jobs(emulator: Emulator, count: int) -> list[dict[str, Any]]:
    jobs = [j for j in emulator.all_jobs(include_deleted=False) if j["status"] in ACTIVE]
    assert len(jobs) >= count
    return jobs[:count]


def _unreadable(skipped: list[str]) -> list[str]:
    return [s for s in skipped if "unreadable" in s]


@pytest.mark.parametrize("amounts_as_strings", [False, True])
def test_a_first_sync_mirrors_every_job_however_odd_one_value(
    device: Device, emulator: Emulator, amounts_as_strings: bool
) -> None:
    emulator.variants.amounts_as_strings = amounts_as_strings
    refund, huge, early, numeric = _active_jobs(emulator, 4)
    emulator.plant(refund["uuid"], estimated_amount="-5")
    emulator.plant(huge["uuid"], actual_amount="1e20")
    emulator.plant(early["uuid"], scheduled_time_start="9am")
    emulator.plant(numeric["uuid"], status=3)

    report = device.sync()
    assert report.status == "ok", report.message
    assert _unreadable(report.skipped) == []
    assert report.flagged == 4 and "4 kept with a value out of range" in report.message
    assert device.live_count() == len(emulator.all_jobs(include_deleted=False))

    kept = device.job(refund["uuid"])
    assert kept["estimated_amount"] == Decimal("-5.00")
    assert kept.flags["estimated_amount"].problem == "must be zero or more"
    assert kept.sync_state == "synced"

    lost = device.job(huge["uuid"])
    # 10^20 does not fit the mirror's cents column: the flag holds it as sent.
    assert lost["actual_amount"] is None
    assert lost.flags["actual_amount"].sent == ("1e20" if amounts_as_strings else 1e20)

    assert device.job(early["uuid"])["scheduled_time_start"] == "9am"
    assert "HH:MM" in device.job(early["uuid"]).flags["scheduled_time_start"].problem

    odd = device.job(numeric["uuid"])
    assert odd["status"] == "3" and odd.flags["status"].sent == 3
    for uuid in (refund["uuid"], huge["uuid"], early["uuid"], numeric["uuid"]):
        others = {f for f in device.job(uuid).flags}
        assert len(others) == 1, others


def test_a_flagged_job_stays_editable_and_its_odd_value_is_never_sent_back(
    synced: Device, emulator: Emulator
) -> None:
    device = synced
    job = _active_jobs(emulator, 1)[0]
    uuid = job["uuid"]
    emulator.plant(uuid, estimated_amount="-5", scheduled_time_start="9am")
    report = device.sync(full=True)
    assert report.status == "ok" and _unreadable(report.skipped) == []
    local = device.job(uuid)
    assert set(local.flags) == {"estimated_amount", "scheduled_time_start"}

    # An edit of another field goes out alone; the server keeps what it had.
    device.store.update_job(local.local_id, {"title": "Refund the deposit"})
    report = device.sync()
    assert report.status == "ok" and report.pushed == 1, report.message
    server = emulator.job(uuid)
    assert server is not None
    assert server["title"] == "Refund the deposit"
    assert (server["estimated_amount"], server["scheduled_time_start"]) == ("-5", "9am")
    local = device.job(uuid)
    assert local.sync_state == "synced" and local.last_error is None
    assert local["estimated_amount"] == Decimal("-5.00")
    assert set(local.flags) == {"estimated_amount", "scheduled_time_start"}

    # A colleague's change merges with a local one as for any job.
    emulator.colleague_update(uuid, description="Customer paid twice")
    device.store.update_job(local.local_id, {"priority": "High"})
    report = device.sync()
    assert report.status == "ok", report.message
    server = emulator.job(uuid)
    assert server is not None and server["priority"] == "High"
    assert server["estimated_amount"] == "-5"
    local = device.job(uuid)
    assert local.sync_state == "synced"
    assert local["description"] == "Customer paid twice" and local["priority"] == "High"
    assert set(local.flags) == {"estimated_amount", "scheduled_time_start"}

    # Once the user sets the odd field, their value goes out and the flag is gone.
    device.store.update_job(local.local_id, {"estimated_amount": "5"})
    assert set(device.job(uuid).flags) == {"scheduled_time_start"}
    report = device.sync()
    assert report.status == "ok", report.message
    server = emulator.job(uuid)
    assert server is not None and Decimal(str(server["estimated_amount"])) == Decimal("5")
    assert server["scheduled_time_start"] == "9am"
    local = device.job(uuid)
    assert local.sync_state == "synced"
    assert set(local.flags) == {"scheduled_time_start"}


def test_a_value_set_right_on_the_server_clears_its_flag(synced: Device,
                                                         emulator: Emulator) -> None:
    device = synced
    uuid = _active_jobs(emulator, 1)[0]["uuid"]
    emulator.plant(uuid, scheduled_time_start="9am")
    device.sync(full=True)
    assert set(device.job(uuid).flags) == {"scheduled_time_start"}
    emulator.colleague_update(uuid, scheduled_time_start="09:00")
    report = device.sync(full=True)
    assert report.status == "ok", report.message
    local = device.job(uuid)
    assert local["scheduled_time_start"] == "09:00" and local.flags == {}


def test_a_job_read_alone_keeps_its_odd_value(synced: Device, emulator: Emulator) -> None:
    # A numeric status takes the job out of the quick scan's active set; the quick
    # cycle then reads it alone (GET /jobs/{uuid}), and that reply is kept too.
    device = synced
    uuid = _active_jobs(emulator, 1)[0]["uuid"]
    emulator.plant(uuid, status=3)
    emulator.clear_requests()
    report = device.sync()
    assert report.status == "ok" and report.kind == "quick", report.message
    assert ("GET", f"/api/v1/jobs/{uuid}") in [(r.method, r.path) for r in emulator.requests]
    local = device.job(uuid)
    assert local["status"] == "3" and local.flags["status"].sent == 3
    assert local.deleted is False and local.sync_state == "synced"
