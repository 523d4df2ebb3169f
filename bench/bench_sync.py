"""Sync: first sync per list shape against a distant server, the loopback ratio,
the first page on screen, memory, and requests per cycle.

The first sync of 10,000 jobs (300 active) runs for each list shape the server may
send against the emulator with 80 ms added to every request. Its requests are read
from the emulator's log (full items: the list pages; summaries: the pages plus the
GETs of active jobs) and then sent again, one after another, with bare httpx: the
sync's time is compared with that raw sequential fetch of the very same requests.
While the sync runs on a thread, a second connection to the mirror polls the count
of jobs: the first page is on screen once the mirror holds 100.

The loopback first sync (no latency) runs in a process of its own, so its peak
memory is its own; its ratio to the raw fetch is printed without a target (on
loopback the mirror's index writes dominate).

Run: ``.venv/bin/python -m bench.bench_sync`` (``--quick`` leaves out the
100,000-job sync; ``--shapes full,summary`` runs fewer shapes; the month simulation
is ``bench.bench_sync_month``).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.measure import print_machine_speed, report
from desktop.config import Settings, resolve_paths
from desktop.core.jobs import ACTIVE_STATUS_VALUES
from desktop.core.store import JobQuery, Store
from desktop.core.sync import SyncEngine, SyncReport
from desktop.emulator import Emulator
from desktop.emulator.variants import LIST_SHAPES

ACTIVE_JOBS = 300
#: Added by the emulator to every request: a distant server on a modest line.
LATENCY = 0.08
#: "Plus a handful": requests a first sync may send beyond pages and active GETs.
HANDFUL = 10
FIRST_PAGE = 100
FIRST_PAGE_TARGET_S = 2.0
LATENCY_RATIO_TARGET = 1.1


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


def keep_active(emulator: Emulator) -> list[dict[str, Any]]:
    """Leave ``ACTIVE_JOBS`` jobs active (the others completed); returns those."""
    active = [j for j in emulator.all_jobs(include_deleted=False)
              if j["status"] in ACTIVE_STATUS_VALUES]
    for job in active[ACTIVE_JOBS:]:
        emulator.colleague_update(job["uuid"], status="Complete")
    return active[:ACTIVE_JOBS]


@dataclass(frozen=True)
class DistantSync:
    shape: str
    seconds: float
    #: The same requests sent again one after another with bare httpx.
    raw_seconds: float
    #: Seconds from the sync's start until the mirror held ``FIRST_PAGE`` jobs.
    first_page_seconds: float
    list_pages: int
    single_gets: int
    other: int
    #: List pages of jobs and customers plus a GET per active job.
    expected: int
    status: str


def replay_seconds(url: str, key: str, sent: list[tuple[str, str, str]]) -> float:
    """The raw floor: ``sent`` (method, path, query) again, in order, one at a time."""
    headers = {"Authorization": f"Bearer {key}"}
    root = url.split("/api/v1", maxsplit=1)[0]
    start = time.perf_counter()
    with httpx.Client(headers=headers) as client:
        for method, path, query in sent:
            client.request(method, f"{root}{path}" + (f"?{query}" if query else ""))
    return time.perf_counter() - start


def distant_first_sync(shape: str) -> DistantSync:
    """The first sync of 10,000 jobs under ``shape`` with ``LATENCY`` on every request."""
    with Emulator(jobs=10_000, customers=500, seed=9) as emulator, \
            tempfile.TemporaryDirectory() as tmp:
        emulator.variants.list_shape = shape  # type: ignore[assignment]  # from LIST_SHAPES
        keep_active(emulator)
        pages = (math.ceil(len(emulator.all_jobs(include_deleted=True)) / 100)
                 + math.ceil(len(emulator.customers(include_deleted=True)) / 100))
        expected = pages if shape == "full" else pages + ACTIVE_JOBS
        paths = resolve_paths(Path(tmp))
        paths.ensure()
        store = Store.open(paths.database)
        watcher = Store.open(paths.database)
        emulator.faults.latency = LATENCY
        emulator.clear_requests()
        reports: list[SyncReport] = []
        with SyncEngine(store, paths, Settings(), emulator.url, emulator.api_key) as engine:
            worker = threading.Thread(target=lambda: reports.append(engine.run()))
            start = time.perf_counter()
            worker.start()
            first_page = math.inf
            while worker.is_alive():
                if math.isinf(first_page) and watcher.count(JobQuery()) >= FIRST_PAGE:
                    first_page = time.perf_counter() - start
                time.sleep(0.01)
            elapsed = time.perf_counter() - start
            worker.join()
        if math.isinf(first_page) and watcher.count(JobQuery()) >= FIRST_PAGE:
            first_page = elapsed
        watcher.close()
        store.close()
        sent = [(r.method, r.path, r.query) for r in emulator.requests]
        raw = replay_seconds(emulator.url, emulator.api_key, sent)
    lists = sum(1 for m, p, _ in sent if m == "GET" and p.endswith(("/jobs", "/customers")))
    singles = sum(1 for m, p, _ in sent if m == "GET" and "/jobs/" in p)
    status = reports[0].status if reports else "no report"
    return DistantSync(shape, elapsed, raw, first_page, lists, singles,
                       len(sent) - lists - singles, expected, status)


def report_distant(run: DistantSync) -> bool:
    label = f"[{run.shape}]"
    print(f"      {label} first sync, 10,000 jobs, {LATENCY * 1000:.0f} ms a request: "
          f"{run.seconds:.1f} s; the same requests sent raw one by one: "
          f"{run.raw_seconds:.1f} s; {run.list_pages} list pages, {run.single_gets} job "
          f"GETs, {run.other} other; sync {run.status}", flush=True)
    ok = run.status == "ok"
    ok &= report(f"{label} first sync requests (pages + active GETs: {run.expected})",
                 run.list_pages + run.single_gets + run.other, run.expected + HANDFUL, "req")
    ok &= report(f"{label} first sync / raw sequential fetch, {LATENCY * 1000:.0f} ms latency",
                 run.seconds / run.raw_seconds, LATENCY_RATIO_TARGET, "x")
    ok &= report(f"{label} first {FIRST_PAGE} jobs in the mirror after the sync starts",
                 run.first_page_seconds, FIRST_PAGE_TARGET_S, "s")
    return ok


def requests_per_cycle() -> tuple[int, int, int]:
    """(quick cycle idle, quick cycle with 20 edits, pushes) on 10,000 jobs, 300 active."""
    with Emulator(jobs=10_000, customers=500, seed=9) as emulator, \
            tempfile.TemporaryDirectory() as tmp:
        active = keep_active(emulator)
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="leave out the 100,000-job first sync")
    parser.add_argument("--shapes", default=",".join(LIST_SHAPES))
    args = parser.parse_args()
    print_machine_speed()
    ok = True
    for shape in args.shapes.split(","):
        ok &= report_distant(distant_first_sync(shape))
    small = first_sync_apart(10_000, raw=True)
    print(f"      loopback: first full sync of 10,000 jobs {small.seconds:.2f} s; raw httpx "
          f"pages {small.raw_seconds:.2f} s; ratio {small.seconds / small.raw_seconds:.2f} x "
          f"(no target); peak memory growth {small.peak_growth_mb:.0f} MB", flush=True)
    if not args.quick:
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
