"""kill -9 of `jobdesk sync` at random moments, then a clean sync: nothing lost or doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.config import resolve_paths
from desktop.core.store import JobQuery, Store
from desktop.emulator import Emulator

KILLS = int(os.environ.get("JOBDESK_CHAOS_KILLS", "8"))


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(jobs=400, customers=20, seed=11) as emu:
        emu.faults.latency = 0.02  # long enough for kills to land mid-cycle
        yield emu


def _sync(data_dir: Path, emulator: Emulator) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JOBDESK_SERVER_URL": emulator.url,
           "JOBDESK_API_KEY": emulator.api_key}
    return subprocess.Popen([sys.executable, "-m", "desktop", "--data-dir", str(data_dir),
                             "sync", "--json"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


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
    for _ in range(KILLS):
        process = _sync(data_dir, emulator)
        # Start-up takes ~0.5 s here; the cycle itself about as long again.
        time.sleep(rng.uniform(0.3, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
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
