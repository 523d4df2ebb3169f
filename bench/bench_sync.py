"""Sync: first full sync vs the raw I/O floor, memory, and requests per cycle.

Each first sync runs in a process of its own: peak RSS only ever grows, so a sync
measured after another in the same process would show only what it added above
the earlier peak.

Run: ``.venv/bin/python -m bench.bench_sync`` (``--quick`` leaves out the
100,000-job sync; the month simulation is ``bench.bench_sync_month``).
"""

from __future__ import annotations

import json
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from bench.measure import print_machine_speed, report
from desktop.config import Settings, resolve_paths
from desktop.core.jobs import ACTIVE_STATUSES
from desktop.core.store import Store
from desktop.core.sync import SyncEngine
from desktop.emulator import Emulator

ACTIVE = {s.value for s in ACTIVE_STATUSES}


def _engine(root: Path, emulator: Emulator) -> tuple[Store, SyncEngine]:
    paths = resolve_paths(root)
    paths.ensure()
    store = Store.open(paths.database)
    return store, SyncEngine(store, paths, Settings(), emulator.url, emulator.api_key)


def raw_fetch_seconds(url: str, key: str) -> float:
    """The I/O floor: the same pages fetched with bare httpx, nothing done with them."""
    headers = {"Authorization": f"Bearer {key}"}
    start = time.perf_counter()
    with httpx.Client(base_url=url, headers=headers) as client:
        page, pages = 1, 1
        while page <= pages:
            reply = client.get("/jobs", params={"page": page, "limit": 100,
                                                "include_deleted": "true"}).json()
            pages = reply["data"]["pagination"]["total_pages"]
            page += 1
        customer_pages = 1
        page = 1
        while page <= customer_pages:
            reply = client.get("/customers", params={"page": page, "limit": 100,
                                                     "include_deleted": "true"}).json()
            customer_pages = reply["data"]["pagination"]["total_pages"]
            page += 1
    return time.perf_counter() - start


@contextmanager
def server_process(jobs: int) -> Iterator[tuple[str, str]]:
    """The emulator in its own process, as a real server is: (url, key).

    In-process, the server and the sync would take turns on one interpreter lock
    and the read-ahead could not overlap the two; a separate process can.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "--data-dir", tempfile.mkdtemp(), "emulator",
         "--port", str(port), "--jobs", str(jobs), "--seed", "5"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines: dict[str, str] = {}
        while len(lines) < 2:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the emulator did not start")
            name, _, value = line.strip().partition(":")
            if name in ("URL", "API key"):
                lines[name] = value.strip()
        yield lines["URL"], lines["API key"]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


@dataclass(frozen=True)
class FirstSync:
    seconds: float
    #: The same pages fetched with bare httpx; 0 when not measured.
    raw_seconds: float
    #: Peak RSS during the sync less the RSS of the fresh process before it.
    peak_growth_mb: float


def first_sync(jobs: int, *, raw: bool) -> FirstSync:
    """One first sync of ``jobs`` jobs, in this process (see ``first_sync_apart``)."""
    with server_process(jobs) as (url, key), tempfile.TemporaryDirectory() as tmp:
        raw_seconds = min(raw_fetch_seconds(url, key) for _ in range(2)) if raw else 0.0
        paths = resolve_paths(Path(tmp))
        paths.ensure()
        store = Store.open(paths.database)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        with SyncEngine(store, paths, Settings(), url, key) as engine:
            result = engine.run()
        elapsed = time.perf_counter() - start
        growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        store.close()
        assert result.status == "ok", result.message
    return FirstSync(elapsed, raw_seconds, growth_mb)


def first_sync_apart(jobs: int, *, raw: bool) -> FirstSync:
    """``first_sync`` in a fresh process of its own, so its peak memory is its own."""
    command = [sys.executable, "-m", "bench.bench_sync", "--first-sync", str(jobs)]
    done = subprocess.run([*command, "--raw"] if raw else command, stdout=subprocess.PIPE,
                          text=True, check=True)
    return FirstSync(**json.loads(done.stdout.strip().splitlines()[-1]))


def requests_per_cycle() -> tuple[int, int, int]:
    """(quick cycle idle, quick cycle with 20 edits, pushes) on 10,000 jobs, 300 active."""
    with Emulator(jobs=10_000, customers=500, seed=9) as emulator, \
            tempfile.TemporaryDirectory() as tmp:
        active = [j for j in emulator.all_jobs(include_deleted=False) if j["status"] in ACTIVE]
        for job in active[300:]:
            emulator.colleague_update(job["uuid"], status="Complete")
        store, engine = _engine(Path(tmp), emulator)
        assert engine.run().status == "ok"
        engine.run()
        idle = engine.run()
        keep = active[:20]
        for n, job in enumerate(keep):
            record = store.get_by_uuid(job["uuid"])
            assert record is not None
            store.update_job(record.local_id, {"description": f"bench edit {n}"})
        busy = engine.run()
        engine.close()
        store.close()
    return idle.requests, busy.requests, busy.pushed


def main() -> int:
    if "--first-sync" in sys.argv:
        jobs = int(sys.argv[sys.argv.index("--first-sync") + 1])
        print(json.dumps(asdict(first_sync(jobs, raw="--raw" in sys.argv))))
        return 0
    print_machine_speed()
    ok = True
    small = first_sync_apart(10_000, raw=True)
    print(f"      first sync of 10,000 jobs: {small.seconds:.2f} s; "
          f"raw httpx pages: {small.raw_seconds:.2f} s; "
          f"peak memory growth {small.peak_growth_mb:.0f} MB")
    ok &= report("full first sync / raw fetch of the same pages (10,000 jobs)",
                  small.seconds / small.raw_seconds, 1.3, "x")
    if "--quick" not in sys.argv:
        large = first_sync_apart(100_000, raw=False)
        print(f"      first sync of 100,000 jobs: {large.seconds:.1f} s")
        ok &= report("peak memory growth during a 100,000-job first sync",
                     large.peak_growth_mb, 60, "MB")
    idle, busy, pushed = requests_per_cycle()
    ok &= report("requests, quick cycle, 10,000 jobs / 300 active, nothing changed",
                 idle, 5, "req")
    ok &= report("requests, quick cycle with 20 local edits", busy, 25, "req")
    ok &= report("requests per pushed job (20 edits)", (busy - idle) / max(1, pushed), 1.0,
                 "req")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
