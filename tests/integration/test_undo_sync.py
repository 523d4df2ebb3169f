"""Undo across a sync, over real HTTP: an undo is a new edit that goes out as its own
request, and an undo of a field the server has changed since is refused."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.core.jobs import ACTIVE_STATUSES
from desktop.core.undo import Stale, Step, job_change, state_of, step_from
from desktop.emulator import Emulator
from tests.integration.conftest import Device

ACTIVE = {s.value for s in ACTIVE_STATUSES}


def _active_job(emulator: Emulator) -> dict[str, Any]:
    return next(j for j in emulator.all_jobs(include_deleted=False) if j["status"] in ACTIVE)


def _edit(device: Device, local_id: int, changes: dict[str, Any]) -> Step:
    """An edit as the window saves it, remembered for undo."""
    before = device.store.get(local_id)
    assert before is not None
    after = device.store.update_job(local_id, changes)
    step = step_from("Edit", [job_change(local_id, state_of(before.values),
                                         state_of(after.values))])
    assert step is not None
    return step


def _puts(emulator: Emulator, uuid: str) -> list[str]:
    return [r.method for r in emulator.requests
            if r.method in ("PUT", "PATCH") and uuid in r.path]


def test_an_undo_after_the_edit_was_sent_goes_out_as_a_new_update(
        synced: Device, emulator: Emulator) -> None:
    job = _active_job(emulator)
    local = synced.job(job["uuid"])
    step = _edit(synced, local.local_id, {"description": "Mine"})
    assert synced.sync().status == "ok"
    assert emulator.job(job["uuid"])["description"] == "Mine"  # type: ignore[index]
    sent = len(_puts(emulator, job["uuid"]))

    undone = synced.store.apply_step(step.reversed())[0]
    assert undone.sync_state == "pending" and undone.values["description"] == job["description"]
    assert synced.sync().status == "ok"
    server = emulator.job(job["uuid"])
    assert server is not None and server["description"] == job["description"]
    assert len(_puts(emulator, job["uuid"])) == sent + 1
    assert synced.job(job["uuid"]).sync_state == "synced"

    # Redo is an edit like any other, too.
    synced.store.apply_step(step)
    assert synced.sync().status == "ok"
    assert emulator.job(job["uuid"])["description"] == "Mine"  # type: ignore[index]


def test_an_undo_before_the_edit_was_sent_costs_no_request(
        synced: Device, emulator: Emulator) -> None:
    job = _active_job(emulator)
    local = synced.job(job["uuid"])
    step = _edit(synced, local.local_id, {"priority": "Emergency", "title": "Mine"})
    synced.store.apply_step(step.reversed())
    assert synced.job(job["uuid"]).sync_state == "synced"
    emulator.clear_requests()
    assert synced.sync().status == "ok"
    assert _puts(emulator, job["uuid"]) == []


def test_an_undo_of_a_field_the_server_changed_since_is_refused_naming_it(
        synced: Device, emulator: Emulator) -> None:
    job = _active_job(emulator)
    local = synced.job(job["uuid"])
    step = _edit(synced, local.local_id, {"title": "Mine", "description": "Mine too"})
    assert synced.sync().status == "ok"
    emulator.colleague_update(job["uuid"], title="A colleague's title")
    assert synced.sync().status == "ok"
    assert synced.job(job["uuid"])["title"] == "A colleague's title"

    with pytest.raises(Stale) as refused:
        synced.store.apply_step(step.reversed())
    assert refused.value.field == "title"
    after = synced.job(job["uuid"])
    # Nothing changed: the colleague's title and this device's description both stand.
    assert (after["title"], after["description"], after.sync_state) == (
        "A colleague's title", "Mine too", "synced")
