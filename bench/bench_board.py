"""The status board and the dashboard at 100,000 jobs: loading and drawing the board for
a filter, moving a card by drag and drop, and the dashboard's figures and drawing.

Loads are drawn by ``grab()`` on a board that is not shown, so each is drawn once, as
the screen would draw it; a shown board would also be painted by the screen itself.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_board``
"""

from __future__ import annotations

import functools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from bench.bench_store import build
from bench.measure import median_ms, print_machine_speed, report
from desktop.config import Paths, Settings
from desktop.core.jobs import Status
from desktop.core.store import JobQuery, Store
from desktop.ui.app import create_application
from desktop.ui.board.column import BoardColumn
from desktop.ui.board.page import BoardPage
from desktop.ui.dashboard.page import DashboardPage, read_figures
from desktop.ui.jobs.drag import job_mime
from desktop.ui.session import Session

ROUNDS = 15
#: Rounds left out of each median: the first reads warm SQLite's cache.
WARMUP = 2


def _wait(app: QApplication, ready: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError("the view did not settle")
        app.processEvents()
        time.sleep(0.0005)


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def board_load_ms(app: QApplication, board: BoardPage,
                  query: JobQuery) -> tuple[float, float]:
    """From ``set_query`` to every column counted and the board drawn with the cards a
    screen shows (median); and until every column's whole id list is in as well."""
    drawn, settled = [], []
    for _ in range(ROUNDS):
        board.set_query(JobQuery(statuses=("Invoiced",)))  # a different board first
        _wait(app, board.settled)
        start = time.perf_counter()
        board.set_query(query)
        _wait(app, lambda: board.counted)
        board.grab()
        drawn.append((time.perf_counter() - start) * 1000)
        _wait(app, board.settled)
        settled.append((time.perf_counter() - start) * 1000)
    return statistics.median(drawn[WARMUP:]), statistics.median(settled[WARMUP:])


def drop_ms(app: QApplication, board: BoardPage) -> float:
    """A card dropped on another column: the status change committed, the card taken
    from one column and put in its place in the other, both columns repainted."""
    board.show()
    board.set_query(JobQuery())
    _wait(app, board.settled)
    source = board.column(Status.SCHEDULED)
    target = board.column(Status.IN_PROGRESS)

    def drop(local_id: int, into: BoardColumn) -> None:
        viewport, mime = into.cards.viewport(), job_mime(local_id)
        where = viewport.rect().center()
        buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        QApplication.sendEvent(viewport, QDragEnterEvent(where, Qt.DropAction.MoveAction,
                                                         mime, buttons, keys))
        QApplication.sendEvent(viewport, QDropEvent(QPointF(where), Qt.DropAction.MoveAction,
                                                    mime, buttons, keys))
        for column in (source, target):
            column.cards.viewport().repaint()

    # Only drops the board took count: a refused one commits and moves nothing.
    samples, refused = [], 0
    for local_id in source.model.ids()[:ROUNDS + WARMUP]:
        # There and back (a move to Scheduled records nothing), for the next round.
        for into in (target, source):
            elapsed = _timed(functools.partial(drop, local_id, into))
            if into.model.row_of(local_id) is None:
                refused += 1
            else:
                samples.append(elapsed)
        app.processEvents()
    print(f"      drops timed: {len(samples[2 * WARMUP:])}; refused (not timed): {refused}")
    assert len(samples) > 2 * WARMUP, "the board refused the drops"
    return statistics.median(samples[2 * WARMUP:])


def dashboard_ms(app: QApplication, dashboard: DashboardPage,
                 store: Store) -> tuple[float, float, float]:
    """From ``set_query`` to the figures read and drawn; the read alone; the drawing alone."""
    samples = []
    for _ in range(ROUNDS):
        dashboard.set_query(None)
        samples.append(_timed(lambda: (dashboard.set_query(JobQuery()),
                                       _wait(app, dashboard.settled), dashboard.grab())))
    read = median_ms(lambda: read_figures(store, JobQuery(), date.today()), rounds=ROUNDS)
    draw = median_ms(dashboard.grab, rounds=ROUNDS)
    return statistics.median(samples[WARMUP:]), read, draw


def main() -> int:
    print_machine_speed()
    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = Paths(root, root, root / "logs")
        paths.ensure()
        store, built_s, _customers, technicians = build(paths.database)
        print(f"      built a 100,000-job store in {built_s:.1f} s")
        store.close()
        store = Store.open(paths.database)
        session = Session(store, paths, Settings())
        try:
            board = BoardPage(session)
            board.resize(1600, 900)
            drawn, settled = board_load_ms(app, board, JobQuery())
            ok = report("board, all jobs: counted and drawn (median)", drawn, 100.0)
            print(f"      every column's whole id list in: {settled:.0f} ms (on the worker "
                  "thread; cards below the first show blank until then)")
            filters = {
                "sorted by title": JobQuery(sort="title"),
                "priority High": JobQuery(priority="High"),
                "one technician": JobQuery(assigned_to=technicians[0]),
                "urgent": JobQuery(urgent=True),
                "search 'leak'": JobQuery(search="leak"),
            }
            worst, worst_name = 0.0, ""
            for name, query in filters.items():
                figure, _settled = board_load_ms(app, board, query)
                if figure > worst:
                    worst, worst_name = figure, name
            ok &= report("board, worst of 5 filters: counted and drawn (median)", worst, 100.0)
            print(f"      worst filter: {worst_name}")
            ok &= report("board: drop a card on another column, committed and repainted",
                         drop_ms(app, board), 50.0)
            board.close()

            dashboard = DashboardPage(session)
            dashboard.resize(1300, 800)
            total, read, draw = dashboard_ms(app, dashboard, store)
            ok &= report("dashboard: figures read and drawn (median)", total, 100.0)
            print(f"      aggregates alone {read:.1f} ms, drawing alone {draw:.1f} ms")
            dashboard.close()
        finally:
            session.close()
            store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
