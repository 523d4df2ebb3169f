"""The Customers page over 20,000 customers and 50,000 jobs: the first page, a search,
and one customer's history of 500 jobs, each read and drawn.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_customers``
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from bench.measure import median_ms, print_machine_speed, report
from desktop.config import Paths, Settings
from desktop.core.jobs import parse_server_job
from desktop.core.store import CustomerRecord, Store
from desktop.core.store.mirror import insert_server_jobs
from desktop.emulator.demo_data import (
    make_customers,
    make_jobs,
    make_location_uuids,
    make_technician_ids,
)
from desktop.ui.app import create_application
from desktop.ui.customers.page import CustomersPage, read_customer
from desktop.ui.session import Session

CUSTOMERS = 20_000
JOBS = 50_000
HISTORY = 500
SEED = 5
#: What a user types in the search: a surname, a company, a phone's digits, an email
#: domain every customer has, a city and two words at once.
SEARCHES = ("smi", "Diner", "555-01", "example.com", "Denver", "karen 303")


def build(path: Path) -> tuple[Store, CustomerRecord]:
    """The store, and the customer with ``HISTORY`` jobs."""
    now = datetime.now(UTC)
    customers = make_customers(CUSTOMERS, seed=SEED, now=now)
    regular = customers[0]
    extra = {"location_uuids": make_location_uuids(seed=SEED),
             "technician_ids": make_technician_ids(seed=SEED)}
    jobs = [*make_jobs(JOBS - HISTORY, customers, seed=SEED, now=now, **extra),
            *make_jobs(HISTORY, [regular], seed=SEED + 1, now=now, **extra)]
    store = Store.open(path)
    store.upsert_customers(customers)
    with store.write() as conn:
        insert_server_jobs(conn, [parse_server_job(j) for j in jobs])
    store.checkpoint()
    found = store.customer(regular["uuid"])
    assert found is not None
    return store, found


def _wait(app: QApplication, done: Callable[[], bool]) -> None:
    while not done():
        app.processEvents()


def page_load_ms(app: QApplication, page: CustomersPage, search: str) -> tuple[float, float]:
    """From a search typed to the list showing its first page, drawn; and to the whole
    list read (the rows below the first page come in behind it)."""
    page.search.setText("no such customer" if search != "no such customer" else "")
    page.reload()
    _wait(app, page.settled)
    shown: list[bool] = []
    page.model.modelReset.connect(lambda: shown.append(True))
    start = time.perf_counter()
    page.search.setText(search)
    page.reload()
    _wait(app, lambda: bool(shown))
    page.table.viewport().repaint()
    first = (time.perf_counter() - start) * 1000
    _wait(app, lambda: not page.reads.busy)
    whole = (time.perf_counter() - start) * 1000
    page.model.modelReset.disconnect()
    return first, whole


def history_ms(app: QApplication, page: CustomersPage, customer: CustomerRecord) -> float:
    """A customer's details and job history read and drawn."""
    start = time.perf_counter()
    found = read_customer(page.session.store, customer.local_id)
    assert found is not None
    page.details.show_customer(*found)
    page.details.repaint()
    app.processEvents()
    return (time.perf_counter() - start) * 1000


def _medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return (statistics.median(s[0] for s in samples),
            statistics.median(s[1] for s in samples))


def main() -> int:
    print_machine_speed()
    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = Paths(root, root, root / "logs")
        paths.ensure()
        started = time.perf_counter()
        store, regular = build(paths.database)
        print(f"      built {CUSTOMERS:,} customers and {JOBS:,} jobs in "
              f"{time.perf_counter() - started:.1f} s")
        session = Session(store, paths, Settings())
        try:
            page = CustomersPage(session)
            page.resize(1366, 700)
            page.show()
            page.side.setCurrentWidget(page.details)
            first, whole = _medians([page_load_ms(app, page, "") for _ in range(15)])
            ok = report(f"first page of {CUSTOMERS:,} customers, read and drawn", first, 30.0)
            print(f"      all {CUSTOMERS:,} in the list (on the reader thread): {whole:.1f} ms")
            worst, worst_term, worst_whole = 0.0, "", 0.0
            for term in SEARCHES:
                figure, whole = _medians([page_load_ms(app, page, term) for _ in range(9)])
                if figure > worst:
                    worst, worst_term, worst_whole = figure, term, whole
            ok &= report(f"search, first page read and drawn (worst: {worst_term!r})",
                         worst, 30.0)
            print(f"      every match of {worst_term!r} in the list: {worst_whole:.1f} ms")
            shown = len(store.customer_history(regular).jobs)
            history = median_ms(lambda: history_ms(app, page, regular), rounds=15)
            ok &= report(f"a customer's history of {HISTORY} jobs ({shown} live): read, "
                         "totalled, drawn", history, 50.0)
            page.close()
        finally:
            session.close()
            store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
