"""The local store at 100,000 jobs: list pages, search, counts, one edit, bulk insert.

Run: ``.venv/bin/python -m bench.bench_store``
"""

from __future__ import annotations

import functools
import gc
import itertools
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import median_ms, print_machine_speed, report
from desktop.core.jobs import ServerJob, Status, parse_server_job
from desktop.core.store import JobQuery, Store, reports
from desktop.core.store.mirror import insert_job_rows, job_rows, upsert_nested_customers
from desktop.core.sync.prefetch import read_ahead
from desktop.emulator.demo_data import (
    make_customers,
    make_jobs,
    make_location_uuids,
    make_technician_ids,
)
from desktop.ui.session import Session

JOBS = 100_000
SEED = 7
#: Jobs parsed and handed to the writer at a time.
CHUNK = 5_000


def build(path: Path) -> tuple[Store, float, list[str], list[str]]:
    """A store of ``JOBS`` generated jobs, timed from the first generated record.

    A bulk load, written the way SQLite takes one best: in a single transaction.
    Each commit writes out every index page its rows touched, and the random keys
    of the sort indexes (title, customer, city, amount, uuid...) touch most of them:
    committing every 5,000 jobs rewrote those indexes twenty times over (about
    1.5 GB written for a 222 MB file). A sync cannot write like this, since an edit
    in the window waits for the write lock; bench_sync measures its writes.

    A worker generates the jobs while the store opens and takes the customers, then
    parses and builds rows a chunk ahead of the inserts: SQLite releases the
    interpreter lock while it works, so the two overlap on a second core. The
    generated records are frozen out of the cycle collector's sight, as the main
    window does with what it loads at start: a sync holds one page at a time, but
    this holds all 100,000, and every full collection would walk them again. The
    figure includes the final checkpoint, which folds the write-ahead log into the
    database file.
    """
    start = time.perf_counter()
    now = datetime.now(UTC)
    technicians = make_technician_ids(seed=SEED)
    customers = make_customers(8_000, seed=SEED, now=now)

    def chunks() -> Iterator[tuple[list[ServerJob], list[tuple[Any, ...]]]]:
        jobs = make_jobs(JOBS, customers, seed=SEED, now=now,
                         location_uuids=make_location_uuids(seed=SEED),
                         technician_ids=technicians)
        gc.freeze()
        for offset in range(0, JOBS, CHUNK):
            parsed = [parse_server_job(j) for j in jobs[offset:offset + CHUNK]]
            yield parsed, job_rows(parsed)

    try:
        with read_ahead(chunks(), depth=1) as prepared:
            store = Store.open(path)
            store.upsert_customers(customers)
            with store.write() as conn:
                for parsed, rows in prepared:
                    upsert_nested_customers(conn, parsed)
                    insert_job_rows(conn, rows)
    finally:
        gc.unfreeze()
    store.checkpoint()
    elapsed = time.perf_counter() - start
    return store, elapsed, [c["uuid"] for c in customers], technicians


def main() -> int:
    print_machine_speed()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        store, insert_s, customers, technicians = build(Path(tmp) / "bench.sqlite3")
        try:
            ok = report(f"generate + insert {JOBS:,} jobs", insert_s, 15.0, "s")
            filters = [
                JobQuery(),
                JobQuery(statuses=(Status.SCHEDULED, Status.IN_PROGRESS)),
                JobQuery(priority="Emergency"),
                JobQuery(customer_uuid=rng.choice(customers)),
                JobQuery(assigned_to=technicians[0]),
                JobQuery(unscheduled=True),
                JobQuery(urgent=True),
                JobQuery(sync_states=("pending", "conflict")),
                JobQuery(deleted="only"),
                JobQuery(statuses=(Status.NEW,), priority="High", assigned_to=technicians[1]),
            ]
            # The job list's columns, each of which the user can sort by.
            sorts = ["scheduled", "title", "customer", "status", "priority", "job_number",
                     "estimated_amount", "city", "sync_state"]
            worst, worst_name = 0.0, ""
            for base, sort, desc in itertools.product(filters, sorts, (False, True)):
                query = JobQuery(**{**base.__dict__, "sort": sort, "descending": desc})
                figure = median_ms(functools.partial(store.page, query, 0, 50), rounds=7, warmup=1)
                if figure > worst:
                    worst, worst_name = figure, f"{base} sort={sort} desc={desc}"
            ok &= report("first page of 50, worst filter x sort combination (median)",
                         worst, 10.0)
            print(f"      worst combination: {worst_name}")

            def search(term: str) -> None:
                query = JobQuery(search=term)
                store.page(query, 0, 50)
                store.count(query)

            # Three letters as typed, "JOB" (in every job number, so every live job)
            # and "JOB-0" (all but one of them, and no shortcut for that).
            terms = ["pip", "ter", "lea", "hea", "oak", "ace", "smi", "JOB", "JOB-0"]
            searches = {t: median_ms(functools.partial(search, t), rounds=9) for t in terms}
            worst_term = max(searches, key=searches.__getitem__)
            ok &= report(f"FTS search: first page + total (worst of {len(terms)} terms, median)",
                         searches[worst_term], 30.0)
            print("      " + ", ".join(f"{t!r} {ms:.1f}" for t, ms in searches.items()) + " ms")
            # The badges' counts, as the board reads them: every live job by status.
            ok &= report("count by status", median_ms(
                lambda: reports.status_counts(store, JobQuery()), rounds=30), 10.0)
            ids = store.ids(JobQuery())
            picks = iter(rng.sample(ids, 200))
            titles = itertools.cycle(["Replace valve", "Replace valve (2nd visit)"])
            ok &= report("one local edit committed with bookkeeping", median_ms(
                lambda: store.update_job(next(picks), {"title": next(titles)}), rounds=60), 5.0)
            # A selection this large still moves on the GUI thread (Session.MOVE_BATCH),
            # so it must stay under what a user notices as a pause.
            size = Session.MOVE_BATCH
            selections = iter(rng.sample(ids, size * 10))
            moves = [list(itertools.islice(selections, size)) for _ in range(10)]
            trash_ms = median_ms(lambda: store.delete_jobs(moves.pop()), rounds=9, warmup=1)
            ok &= report(f"move {size} selected jobs to the Trash", trash_ms, 100.0)
        finally:
            store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
