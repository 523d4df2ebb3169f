"""kill -9 of `jobdesk sync` at random moments, then a clean sync: nothing lost or doubled,
no customer made twice and no job left without its customer.

Each kill is timed by the emulator's request log, not a clock (start-up alone takes
0.5-1.5 s on the shared machine), and each is checked to have landed mid-sync: after
the run's first request and while it still had a change it had never sent.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from desktop.config import resolve_paths
from desktop.core.store import JobQuery, Store
from desktop.core.store.edits import CUSTOMER_LOCAL_ID
from desktop.emulator import Emulator
from tests.conftest import wait_until

KILLS = int(os.environ.get("JOBDESK_CHAOS_KILLS", "8"))
#: Requests a run may make between reaching its kill point and being killed without
#: the kill missing its mark: the poll notices within milliseconds, each request
#: takes the emulator's 20 ms of latency.
MARGIN: Final = 3


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(jobs=400, customers=20, seed=11) as emu:
        emu.faults.latency = 0.02  # long enough for kills to land mid-cycle
        yield emu


def _never_sent(data_dir: Path) -> int:
    """Changes no run has tried to send yet, customers' and jobs': a full cycle sends
    each in a request."""
    store = Store.open(resolve_paths(data_dir).database)
    try:
        pending = store.ids(JobQuery(sync_states=("pending",), deleted="include"))
        records = [store.get(local_id) for local_id in pending]
        jobs = sum(1 for r in records if r is not None and r.idempotency_key is None)
        with store.read() as conn:
            customers = conn.exec_driver_sql(
                "SELECT count(*) FROM customers WHERE sync_state = 'pending' "
                "AND idempotency_key IS NULL").scalar_one()
        return jobs + int(customers)
    finally:
        store.close()


def _sync(data_dir: Path, emulator: Emulator) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JOBDESK_SERVER_URL": emulator.url,
           "JOBDESK_API_KEY": emulator.api_key}
    return subprocess.Popen([sys.executable, "-m", "desktop", "--data-dir", str(data_dir),
                             "sync", "--json"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _kill_at_request(
    data_dir: Path, emulator: Emulator, unsent: int, kill_at: int
) -> tuple[int, int, int, int]:
    """Start a sync, kill -9 it once the emulator has served it ``kill_at`` requests."""
    before = len(emulator.requests)
    process = _sync(data_dir, emulator)
    reached = wait_until(
        lambda: len(emulator.requests) - before >= kill_at or process.poll() is not None,
        timeout=60)
    process.send_signal(signal.SIGKILL)
    code = process.wait()
    served = len(emulator.requests) - before
    after = _never_sent(data_dir)
    kill = (unsent, kill_at, served, after)
    assert reached, f"no request {kill_at} within 60 s: {kill}"
    assert code == -signal.SIGKILL, f"the sync ended (exit {code}) before its kill: {kill}"
    assert served >= 1, f"killed before its first request: {kill}"
    assert after >= 1, f"killed after its last change went out: {kill}"
    return kill


@pytest.mark.parametrize("honour_keys", [True, False])
def test_killed_syncs_converge_to_the_uninterrupted_result(
    tmp_path: Path, emulator: Emulator, honour_keys: bool
) -> None:
    emulator.variants.honour_idempotency = honour_keys
    data_dir = tmp_path / "laptop"
    first = _sync(data_dir, emulator)
    assert first.wait(timeout=120) == 0
    store = Store.open(resolve_paths(data_dir).database)
    customer = emulator.customers(include_deleted=False)[0]["uuid"]
    titles = [f"Chaos job {n}" for n in range(15)]
    for title in titles:
        store.create_job({"customer_uuid": customer, "title": title})
    edited = store.ids(JobQuery(sort="job_number"))[:25]
    for local_id in edited:
        store.update_job(local_id, {"description": f"edit of {local_id}"})
    store.close()

    rng = random.Random(4)
    # (unsent before, kill point, requests served by the kill, unsent after) per kill
    kills: list[tuple[int, int, int, int]] = []
    for _ in range(KILLS):
        unsent = _never_sent(data_dir)
        # A run makes at least one pull request and one per unsent change, so a kill at
        # request ``unsent - MARGIN`` or before leaves it requests still to make. Half
        # that range spreads the kills over the pull and the push and leaves work for
        # the kills after it.
        assert unsent > MARGIN, f"too little left to send for a kill to land mid-sync: {kills}"
        kill_at = rng.randint(1, max(1, (unsent - MARGIN) // 2))
        kills.append(_kill_at_request(data_dir, emulator, unsent, kill_at))
    # Some kills landed while changes were going out, not only during the pull.
    assert any(after < before for before, _, _, after in kills), kills
    final = _sync(data_dir, emulator)
    assert final.wait(timeout=120) == 0

    store = Store.open(resolve_paths(data_dir).database)
    try:
        server = {j["uuid"]: j for j in emulator.all_jobs()}
        for title in titles:
            assert sum(1 for j in server.values() if j["title"] == title) == 1, title
        for local_id in edited:
            record = store.get(local_id)
            assert record is not None and record.sync_state == "synced"
            assert server[str(record.uuid)]["description"] == f"edit of {local_id}"
        assert store.count(JobQuery(sync_states=("pending", "conflict", "rejected"),
                                    deleted="include")) == 0
        assert store.count(JobQuery()) == len(emulator.all_jobs(include_deleted=False))
    finally:
        store.close()


@pytest.mark.parametrize("honour_keys", [True, False])
def test_killed_syncs_never_double_a_new_customer_nor_orphan_its_job(
    tmp_path: Path, emulator: Emulator, honour_keys: bool
) -> None:
    emulator.variants.honour_idempotency = honour_keys
    data_dir = tmp_path / "laptop"
    first = _sync(data_dir, emulator)
    assert first.wait(timeout=120) == 0
    store = Store.open(resolve_paths(data_dir).database)
    people = [f"Kill{n}" for n in range(10)]
    for n, last_name in enumerate(people):
        customer = store.create_customer({"first_name": "Chaos", "last_name": last_name,
                                          "phone": f"555-010-{n:04d}"})
        store.create_job({CUSTOMER_LOCAL_ID: customer.local_id, "title": f"Visit {last_name}"})
    store.close()

    rng = random.Random(7)
    kills: list[tuple[int, int, int, int]] = []
    for _ in range(KILLS):
        unsent = _never_sent(data_dir)
        if unsent <= MARGIN:
            break
        # The pull of a cycle with nothing new is a few requests: most kills land
        # between a customer's POST and its job's.
        kill_at = rng.randint(1, max(1, unsent - MARGIN))
        kills.append(_kill_at_request(data_dir, emulator, unsent, kill_at))
    assert any(after < before for before, _, _, after in kills), kills
    final = _sync(data_dir, emulator)
    assert final.wait(timeout=120) == 0

    store = Store.open(resolve_paths(data_dir).database)
    try:
        for last_name in people:
            made = [c for c in emulator.customers() if c["last_name"] == last_name]
            assert len(made) == 1, (last_name, kills)
            jobs = [j for j in emulator.all_jobs() if j["title"] == f"Visit {last_name}"]
            assert [j["customer_uuid"] for j in jobs] == [made[0]["uuid"]], (last_name, kills)
            (local,) = store.customers(last_name)
            assert local.uuid == made[0]["uuid"] and local.sync_state == "synced"
        assert store.count(JobQuery(sync_states=("pending", "conflict", "rejected"),
                                    deleted="include")) == 0
        assert store.count_by_sync_state() == {}
    finally:
        store.close()
