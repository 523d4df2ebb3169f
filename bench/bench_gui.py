"""The desktop window at 100,000 jobs: cold start, filter and search, the sidebar's
counts under them, scrolling, and how long the GUI thread stalls while a full sync of
10,000 jobs runs beside it.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_gui``
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication

from bench.bench_store import build
from bench.measure import median_ms, print_machine_speed, report
from desktop.config import ENV_API_KEY, Paths, Settings
from desktop.core.store import JobQuery, Store
from desktop.ui.app import create_application
from desktop.ui.jobs.filter_bar import SEARCH_DELAY_MS
from desktop.ui.jobs.presets import Filters
from desktop.ui.main_window import MainWindow, _counts
from desktop.ui.session import Session
from desktop.ui.sync.worker import SyncController

REPO = Path(__file__).resolve().parents[1]
SYNC_JOBS = 10_000
API_KEY = "ctc_test_" + "b" * 43

#: Run in a fresh interpreter: from process start to the first paint of a list with
#: rows in it. Prints the wall-clock time of that paint.
COLD_START = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from desktop.config import resolve_paths
from desktop.ui.app import LaunchOptions, create_application, open_window

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and window.model.rowCount() > 0:
            print(time.time(), flush=True)
            QTimer.singleShot(0, window.close)
            self.deleteLater()
        return False

app = create_application()
window = open_window(LaunchOptions(paths=resolve_paths(sys.argv[1])), None)
spy = FirstPaint()
window.table.viewport().installEventFilter(spy)
window.show()
app.exec()
"""


def cold_start_s(data_dir: Path, runs: int = 5) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    samples = []
    for _ in range(runs):
        started = time.time()
        done = subprocess.run([sys.executable, "-c", COLD_START, str(data_dir)],
                              capture_output=True, text=True, env=env, check=True, timeout=120)
        samples.append(float(done.stdout.split()[-1]) - started)
    return statistics.median(samples), max(samples)


def _ms(action: Callable[[], object]) -> float:
    timer = QElapsedTimer()
    timer.start()
    action()
    return timer.nsecsElapsed() / 1e6


def _wait(app: QApplication, ready: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not settle")
        app.processEvents()
        time.sleep(0.001)


def filter_and_search_ms(app: QApplication, window: MainWindow) -> tuple[float, str, float]:
    """Worst time from a filter change or a search firing to the repainted table, and
    the worst time until the full id list is in behind it."""
    bar, table = window.filters, window.table

    def changes() -> list[tuple[str, Callable[[], None]]]:
        steps: list[tuple[str, Callable[[], None]]] = []
        for key in ("today", "week", "unscheduled", "approval", "urgent", "all", "trash",
                    "all"):
            steps.append((f"view {key}", lambda k=key: window.sidebar.select(k)))
        for text in ("High", "Emergency", "Any priority"):
            steps.append((f"priority {text}", lambda t=text: bar.priority.setCurrentText(t)))
        for status in ("Scheduled", "In Progress", "Scheduled", "In Progress"):
            action = next(a for a in bar._status_actions if a.text() == status)
            steps.append((f"status toggle {status}", action.trigger))
        for choice in ("This week", "Today", "Any date"):
            steps.append((f"dates {choice}", lambda c=choice: bar.dates.setCurrentText(c)))
        for term in ("l", "le", "lea", "leak", "leaki", "smith", "JOB-0123", "oak st", ""):
            def search(t: str = term) -> None:
                bar.search.setText(t)
                bar.flush()
            steps.append((f"search {term!r}", search))
        for column in (1, 2, 3, 7, 0, 5):
            steps.append((f"sort column {column}",
                          lambda c=column: table.sortByColumn(c, table.horizontalHeader()
                                                              .sortIndicatorOrder())))
        return steps

    worst, worst_name, worst_full = 0.0, "", 0.0
    for name, step in changes():
        def change_and_paint(s: Callable[[], None] = step) -> None:
            s()
            table.viewport().repaint()

        figure = _ms(change_and_paint)
        full = _ms(lambda: _wait(app, window.settled))
        if figure > worst:
            worst, worst_name = figure, name
        worst_full = max(worst_full, figure + full)
    return worst, worst_name, worst_full


#: What the sidebar counts under: a search (common, rare, a job number), a filter, both.
COUNTED_FILTERS = (Filters(search="leak"), Filters(search="furnace"),
                   Filters(search="JOB-0123"), Filters(priority="High"),
                   Filters(statuses=("Scheduled", "In Progress"), search="smith"))


def filtered_counts_ms(store: Store) -> tuple[float, str]:
    """Worst time to count every view under the filter bar's filters (and, with a
    search, every job): one read on the reader thread, which the next read waits
    behind."""
    worst, worst_name = 0.0, ""
    for filters in COUNTED_FILTERS:
        figure = median_ms(lambda f=filters: _counts(store, "", f), rounds=5, warmup=1)
        if figure > worst:
            worst, worst_name = figure, repr(filters)
    return worst, worst_name


def scroll_ms(app: QApplication, window: MainWindow) -> tuple[float, float, int]:
    """Page by page from the top of All jobs to the bottom: worst and p99 per step.

    Events are processed between steps, untimed, as between a user's scroll steps."""
    window.sidebar.select("all")
    _wait(app, window.settled)
    bar = window.table.verticalScrollBar()
    bar.setValue(0)
    steps = []
    while bar.value() < bar.maximum():
        def step() -> None:
            bar.setValue(bar.value() + bar.pageStep())
            window.table.viewport().repaint()

        steps.append(_ms(step))
        app.processEvents()
    steps.sort()
    return steps[-1], steps[int(len(steps) * 0.99)], len(steps)


def start_emulator(root: Path) -> tuple[subprocess.Popen[str], str]:
    """A 10,000-job emulator in its own process, as a real server would be."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "--data-dir", str(root), "emulator", "--port", "0",
         "--jobs", str(SYNC_JOBS), "--api-key", API_KEY],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip().startswith("URL:"):
            return process, line.split("URL:", 1)[1].strip()
    raise RuntimeError("the emulator did not start: " + (process.stderr.read()
                                                         if process.stderr else ""))


def sync_stalls_ms(app: QApplication, root: Path) -> tuple[float, float, int, float]:
    """Longest and 99th-percentile gap of a 5 ms heartbeat during a full sync."""
    emulator, url = start_emulator(root / "emulator")
    try:
        paths = Paths(root / "sync", root / "sync", root / "sync" / "logs")
        paths.ensure()
        Settings(server_url=url).save(paths)
        os.environ[ENV_API_KEY] = API_KEY
        store = Store.open(paths.database)
        session = Session(store, paths, Settings.load(paths))
        sync = SyncController(session)
        window = MainWindow(session, sync, paths.config_dir / "window.ini", preset="all")
        window.show()
        _wait(app, window.settled)
        gaps: list[float] = []
        clock = QElapsedTimer()
        heartbeat = QTimer(interval=5)

        def beat() -> None:
            gaps.append(clock.restart() / 1.0)

        heartbeat.timeout.connect(beat)
        started = time.perf_counter()
        clock.start()
        heartbeat.start()
        sync.start()
        _wait(app, lambda: (sync.last or {}).get("finished_at") is not None
              and not sync.running, timeout_s=600)
        heartbeat.stop()
        elapsed = time.perf_counter() - started
        pulled = int((sync.last or {}).get("pulled", 0))
        window.close()
        store.close()
        gaps.sort()
        return gaps[-1], gaps[int(len(gaps) * 0.99)], pulled, elapsed
    finally:
        os.environ.pop(ENV_API_KEY, None)
        emulator.send_signal(signal.SIGINT)
        emulator.wait(timeout=30)


def main() -> int:
    print_machine_speed()
    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = Paths(root / "big", root / "big", root / "big" / "logs")
        data.ensure()
        store, built_s, _customers, _technicians = build(data.database)
        print(f"      built a {store.count(JobQuery()):,}-job store in {built_s:.1f} s")
        store.close()

        median_s, worst_s = cold_start_s(data.data_dir)
        ok = report("cold start to first painted window, 100k jobs (median of 5)",
                    median_s, 1.5, "s")
        print(f"      slowest of 5: {worst_s:.2f} s")

        store = Store.open(data.database)
        session = Session(store, data, Settings())
        window = MainWindow(session, SyncController(session), data.config_dir / "window.ini",
                            preset="all")
        window.resize(1600, 900)
        window.show()
        _wait(app, window.settled)
        worst, name, full = filter_and_search_ms(app, window)
        ok &= report("filter change / search to repainted table (worst)", worst, 50.0)
        print(f"      worst change: {name}; with the full id list behind it: {full:.0f} ms")
        counts, counted = filtered_counts_ms(store)
        # Read off the GUI thread; done before the next search fires (its typing delay).
        ok &= report("sidebar counts under filters / a search (worst)", counts,
                     float(SEARCH_DELAY_MS))
        print(f"      worst filters: {counted}")
        worst_step, p99_step, steps = scroll_ms(app, window)
        ok &= report(f"scroll top to bottom, worst of {steps:,} page steps", worst_step, 16.0)
        print(f"      99th percentile step: {p99_step:.2f} ms")
        window.close()
        store.close()

        longest, p99, pulled, elapsed = sync_stalls_ms(app, root)
        print(f"      full sync pulled {pulled:,} jobs in {elapsed:.1f} s")
        ok &= report("GUI stall during a 10k-job full sync: longest gap", longest, 50.0)
        ok &= report("GUI stall during a 10k-job full sync: p99 gap", p99, 20.0)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
