"""The Schedule view on a 100,000-job store with 2,000 jobs in the visible week: loading
and painting the week, and one drag that reschedules a job. Then the team week (a row
per technician) with 800 jobs of 16 technicians in one week, in the main window at
1366x768: loading and painting it, and Edit > Undo of a drag until it is painted back.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_schedule``
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from bench.bench_store import build
from bench.measure import median_ms, print_machine_speed, report
from desktop.config import Paths, Settings
from desktop.core.schedule import Lane, format_minutes, read_items, week_start
from desktop.core.store import JobQuery, Store
from desktop.ui.app import create_application
from desktop.ui.jobs.drag import job_mime
from desktop.ui.main_window import MainWindow
from desktop.ui.schedule.page import SchedulePage
from desktop.ui.session import Session
from desktop.ui.sync.worker import SyncController

WEEK_JOBS = 2_000
#: Past the demo data's dates (up to 30 days ahead), so the week holds exactly ours.
WEEK = week_start(date.today() + timedelta(days=70))
EMPTY_WEEK = WEEK + timedelta(days=14)
#: The team week: a busy company's week of dispatch, on a small laptop's screen.
TEAM_WEEK = WEEK + timedelta(days=28)
TEAM_JOBS = 800
TEAM_TECHNICIANS = 16
SCREEN = (1366, 768)


def fill_week(store: Store, rng: random.Random) -> None:
    """Move 2,000 scheduled jobs (with and without times) into ``WEEK``, as a sync
    would have written them."""
    with store.read() as conn:
        ids = [r[0] for r in conn.exec_driver_sql(
            "SELECT local_id FROM jobs WHERE deleted_at IS NULL AND scheduled_date IS NOT NULL")]
    chosen = rng.sample(ids, WEEK_JOBS)
    with store.write() as conn:
        conn.exec_driver_sql(
            "UPDATE jobs SET scheduled_date = ? WHERE local_id = ?",
            [((WEEK + timedelta(days=rng.randrange(7))).isoformat(), i) for i in chosen])
    store.checkpoint()


def fill_team_week(store: Store, rng: random.Random) -> None:
    """Move 800 other jobs into ``TEAM_WEEK``, each a 1-2 hour visit between 07:00 and
    18:00 for one of 16 technicians (one in twenty unassigned)."""
    technicians = [f"{n:08x}-0000-4000-8000-{n:012x}" for n in range(1, TEAM_TECHNICIANS + 1)]
    with store.read() as conn:
        ids = [r[0] for r in conn.exec_driver_sql(
            "SELECT local_id FROM jobs WHERE deleted_at IS NULL AND scheduled_date < ?",
            (WEEK.isoformat(),))]
    rows = []
    for local_id in rng.sample(ids, TEAM_JOBS):
        start = rng.randrange(14, 36) * 30
        rows.append(((TEAM_WEEK + timedelta(days=rng.randrange(7))).isoformat(),
                     format_minutes(start), format_minutes(start + rng.choice((60, 90, 120))),
                     None if rng.random() < 0.05 else rng.choice(technicians), local_id))
    with store.write() as conn:
        conn.exec_driver_sql(
            "UPDATE jobs SET scheduled_date = ?, scheduled_time_start = ?, "
            "scheduled_time_end = ?, assigned_to_user_id = ? WHERE local_id = ?", rows)
    store.checkpoint()


def _wait(ready: Callable[[], bool], timeout_s: float = 60) -> None:
    """Run the event loop until ``ready()``. The loop waits in Qt with the interpreter
    lock released, as the application's does, so the background read is not slowed
    by a busy wait here."""
    if ready():
        return
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s

    def check() -> None:
        if ready():
            loop.quit()
        elif time.monotonic() > deadline:
            loop.exit(1)

    poll = QTimer(interval=1)
    poll.timeout.connect(check)
    poll.start()
    failed = loop.exec()
    poll.stop()
    if failed:
        raise TimeoutError("the schedule did not settle")


def load_and_render_ms(view: SchedulePage, rounds: int = 15) -> float:
    """From asking for the week to its jobs painted, the read included (median)."""
    samples = []
    for _ in range(rounds):
        view.show_day(EMPTY_WEEK)
        _wait(view.settled)
        start = time.perf_counter()
        view.show_day(WEEK)
        _wait(view.settled)
        view.grid.grab()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def drop_ms(view: SchedulePage, rng: random.Random,
            rounds: int = 30) -> tuple[float, int, int]:
    """A job dropped on another day and time: the drop event, the committed edit and the
    grid painted again (median, over ``rounds`` drops that moved their job, and how many
    did not). The re-read that follows runs in the background, untimed."""
    grid = view.grid
    timed = [i for i in grid.items() if i.start is not None and i.end is not None
             and i.end - i.start <= 240]
    # A refused drop (or one onto the job's own slot) commits nothing: not a sample.
    samples: list[float] = []
    unmoved = 0
    for item in rng.sample(timed, len(timed)):
        if len(samples) == rounds:
            break
        day = WEEK + timedelta(days=rng.randrange(7))
        column = grid.column_rect(day)
        assert column is not None
        target = QPoint(column.center().x(), round(grid.y_of(rng.randrange(7, 16) * 60)) + 2)
        mime, action = job_mime(item.local_id), Qt.DropAction.MoveAction
        button, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        # The drag over the grid comes first, as the pointer travels (untimed).
        QApplication.sendEvent(grid.viewport(),
                               QDragEnterEvent(target, action, mime, button, none))
        QApplication.sendEvent(grid.viewport(),
                               QDragMoveEvent(target, action, mime, button, none))
        drop = QDropEvent(QPointF(target), action, mime, button, none)
        start = time.perf_counter()
        QApplication.sendEvent(grid.viewport(), drop)
        grid.grab()
        elapsed = (time.perf_counter() - start) * 1000
        record = view.session.store.get(item.local_id)
        assert record is not None
        was = (item.day.isoformat() if item.day else None,
               None if item.start is None else format_minutes(item.start))
        if (record["scheduled_date"], record["scheduled_time_start"]) != was:
            samples.append(elapsed)
        else:
            unmoved += 1
        _wait(view.settled)
    assert samples, "no drop moved its job"
    return statistics.median(samples), len(samples), unmoved


def window_week_ms(window: MainWindow, rounds: int = 15) -> float:
    """From asking for the team week's days to them painted in the span shown (the
    team week, or the timeline week), the read included (median)."""
    page = window.schedule
    samples = []
    for _ in range(rounds):
        page.show_day(TEAM_WEEK + timedelta(days=14))
        _wait(window.settled)
        start = time.perf_counter()
        page.show_day(TEAM_WEEK)
        _wait(page.settled)
        page.view.grab()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def undo_drag_ms(window: MainWindow, rng: random.Random, rounds: int = 15) -> float:
    """A job dragged to another technician's day, then Edit > Undo: from the undo to the
    team week painted with the job back in its own cell (median). The drag is untimed."""
    team = window.schedule.team
    samples = []
    lanes = team.lanes
    for item in rng.sample([i for i in team.items() if i.assignee], rounds):
        assert item.day is not None
        other = next(lane for lane in lanes[1:] if lane.assignee != item.assignee)
        target = team.cell_rect(TEAM_WEEK + timedelta(days=rng.randrange(7)), other)
        assert target is not None
        mime, action = job_mime(item.local_id), Qt.DropAction.MoveAction
        button, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        viewport = team.viewport()
        QApplication.sendEvent(viewport, QDragEnterEvent(target.center(), action, mime,
                                                         button, none))
        QApplication.sendEvent(viewport, QDropEvent(QPointF(target.center()), action, mime,
                                                    button, none))
        _wait(window.settled)

        def back_home(local_id: int = item.local_id, day: date = item.day,
                      assignee: str | None = item.assignee) -> bool:
            # Laid out in its own cell again (drawn there, or behind its "+N more").
            cell = team.cell(day, Lane(assignee))
            return cell is not None and any(i.local_id == local_id for i in cell.items)

        start = time.perf_counter()
        window.edit_menu.undo()
        _wait(back_home)
        team.grab()
        samples.append((time.perf_counter() - start) * 1000)
        _wait(window.settled)
    return statistics.median(samples)


def main() -> int:
    print_machine_speed()
    create_application()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = Paths(root, root, root / "logs")
        paths.ensure()
        store, built_s, _customers, _technicians = build(paths.database)
        print(f"      built a 100,000-job store in {built_s:.1f} s")
        fill_week(store, rng)
        session = Session(store, paths, Settings())
        try:
            view = SchedulePage(session)
            view.resize(1600, 900)
            view.set_query(JobQuery())
            # Laid out once but never shown, so the only paints are the measured ones.
            view.grab()
            view.show_day(WEEK)
            _wait(view.settled)
            shown = len(view.grid.items())
            print(f"      jobs in the visible week: {shown:,}")
            ok = report(f"week view load + render, {shown:,} jobs (median)",
                        load_and_render_ms(view), 100.0)
            last = WEEK + timedelta(days=6)
            read = median_ms(lambda: read_items(store, JobQuery(), WEEK, last), rounds=9)
            paint = median_ms(view.grid.grab, rounds=9)
            print(f"      of which the read: {read:.1f} ms; a repaint with nothing new to "
                  f"place: {paint:.1f} ms")
            figure, moved, unmoved = drop_ms(view, rng)
            ok &= report(f"drag-reschedule: drop, commit and repaint (median of {moved})",
                         figure, 50.0)
            print(f"      drops that moved nothing (not timed): {unmoved}")

            fill_team_week(store, rng)
            window = MainWindow(session, SyncController(session), paths.config_dir
                                / "window.ini", preset="all")
            window.resize(*SCREEN)
            window.show()
            window.show_page("schedule")
            window.schedule.set_span("team")
            window.schedule.show_day(TEAM_WEEK)
            _wait(window.settled)
            team = window.schedule.team
            cells = [team.cell(day, lane) for day in team.days for lane in team.lanes]
            hidden = sum(c.hidden for c in cells if c is not None)
            print(f"      team week at {SCREEN[0]}x{SCREEN[1]}: {len(team.items()):,} jobs, "
                  f"{len(team.lanes)} rows, {team.width()}x{team.height()} px, "
                  f"{hidden} behind +N more")
            ok &= report(f"team week load + render, {len(team.items()):,} jobs (median)",
                         window_week_ms(window), 100.0)
            ok &= report("undo of a team-week drag, to repainted (median)",
                         undo_drag_ms(window, rng), 50.0)
            window.schedule.set_span("week")
            _wait(window.settled)
            ok &= report(f"timeline week at {SCREEN[0]}x{SCREEN[1]}, same jobs (median)",
                         window_week_ms(window), 100.0)
            mores = window.schedule.grid.more_rects()
            print(f"      timeline week: {sum(len(ids) for ids, _rect in mores)} jobs behind "
                  f"{len(mores)} +N more")
            window.close()
        finally:
            session.close()
            store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
