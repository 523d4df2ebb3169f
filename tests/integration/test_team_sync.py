"""Technicians' names harvested from what the server nests in a job, over real HTTP."""

from __future__ import annotations

import pytest

from desktop.core.store import team as team_store
from desktop.emulator import Emulator
from desktop.emulator.variants import NestedUser
from tests.integration.conftest import Device


def _expected(emulator: Emulator, shape: NestedUser) -> dict[str, str]:
    return {u["id"]: (u["email"] if shape == "user" else f"{u['first_name']} {u['last_name']}")
            for u in emulator.technicians}


@pytest.mark.parametrize("shape", ["assigned_user", "assigned_to", "user"])
def test_names_are_harvested_from_each_shape_of_nested_user(
        emulator: Emulator, device: Device, shape: NestedUser) -> None:
    emulator.variants.nested_user = shape
    # Summaries: the active and soon-scheduled jobs are read whole, one GET each, and
    # only single-job replies nest the user.
    emulator.variants.list_shape = "summary"
    assert device.sync().status == "ok"
    read = {r.path.rsplit("/", 1)[-1] for r in emulator.requests
            if r.method == "GET" and "/jobs/" in r.path}
    assert read, "the scan read some jobs whole"
    expected = _expected(emulator, shape)
    harvested = team_store.names(device.store)
    assert harvested, "names came with the jobs read whole"
    assert harvested.items() <= expected.items()
    members = {m.user_id: m for m in team_store.members(device.store)}
    assert {m.source for m in members.values() if m.name} == {"server"}
    assigned = {device.job(uuid)["assigned_to_user_id"] for uuid in read} - {None}
    assert assigned <= set(harvested), "every technician of a job read whole is named"


def test_a_name_given_here_survives_later_harvests_and_the_list_counts_jobs(
        emulator: Emulator, device: Device) -> None:
    emulator.variants.nested_user = "assigned_user"
    assert device.sync().status == "ok"
    live = emulator.all_jobs(include_deleted=False)
    job = next(j for j in live if j["assigned_to_user_id"])
    tech = job["assigned_to_user_id"]
    team_store.name(device.store, [(tech, "Dispatch's own name")])
    local = device.job(job["uuid"])
    device.store.update_job(local.local_id, {"title": "Pushed, so read back whole"})
    assert device.sync().status == "ok"
    assert any(r.method == "PUT" for r in emulator.requests)
    members = {m.user_id: m for m in team_store.members(device.store)}
    assert (members[tech].name, members[tech].source) == ("Dispatch's own name", "local")
    counted = {t: sum(1 for j in live if j["assigned_to_user_id"] == t)
               for t in {j["assigned_to_user_id"] for j in live} - {None}}
    assert {u: m.jobs for u, m in members.items() if m.jobs} == counted
