"""The reader thread's helpers: answers come back on the GUI thread, and a view's
out-of-date reads are dropped instead of drawn over newer ones."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject

from desktop.ui.tasks import LatestReads, TaskRunner


@pytest.fixture
def runner(qapp: Any) -> Iterator[TaskRunner]:
    opened = TaskRunner("test")
    yield opened
    opened.close()


@pytest.fixture
def reads(runner: TaskRunner) -> Iterator[LatestReads]:
    owner = QObject()
    yield LatestReads(runner, owner)
    owner.deleteLater()


def test_an_answer_arrives_on_the_gui_thread(qtbot: Any, reads: LatestReads) -> None:
    got: list[tuple[bool, bool]] = []
    reads.run(lambda: threading.current_thread() is threading.main_thread(),
              lambda worked_on_main: got.append(
                  (worked_on_main, threading.current_thread() is threading.main_thread())))
    assert reads.busy
    qtbot.waitUntil(lambda: not reads.busy)
    assert got == [(False, True)]


def test_a_restart_in_the_same_turn_costs_no_read(qtbot: Any, reads: LatestReads) -> None:
    ran: list[str] = []
    reads.run(lambda: ran.append("first"), lambda _none: None)
    reads.restart()
    reads.run(lambda: ran.append("second"), lambda _none: None)
    qtbot.waitUntil(lambda: not reads.busy)
    assert ran == ["second"]


def test_a_restart_drops_the_answers_of_reads_under_way(qtbot: Any, reads: LatestReads) -> None:
    release = threading.Event()
    got: list[str] = []
    reads.run(lambda: release.wait(5) and "old", got.append)
    reads.restart()
    reads.run(lambda: "new", got.append)
    release.set()
    qtbot.waitUntil(lambda: not reads.busy)
    assert got == ["new"]


def test_a_restart_before_a_delayed_read_starts_keeps_it_from_running(
        qtbot: Any, reads: LatestReads) -> None:
    ran: list[str] = []
    reads.run(lambda: ran.append("late"), lambda _none: ran.append("answered"), after_ms=30)
    reads.restart()
    assert reads.busy  # until the timer has come and gone
    qtbot.waitUntil(lambda: not reads.busy)
    qtbot.wait(50)
    assert ran == []


def test_a_delayed_read_runs_after_its_delay(qtbot: Any, reads: LatestReads) -> None:
    started: list[float] = []
    asked = time.monotonic()
    reads.run(lambda: started.append(time.monotonic()), lambda _none: None, after_ms=80)
    qtbot.waitUntil(lambda: not reads.busy)
    assert started and started[0] - asked >= 0.07


def test_errors_reach_the_handler_only_while_current(qtbot: Any, reads: LatestReads) -> None:
    release = threading.Event()
    errors: list[str] = []

    def fail(text: str) -> None:
        release.wait(5)
        raise OSError(text)

    reads.run(lambda: fail("stale"), lambda _none: None, lambda e: errors.append(str(e)))
    reads.restart()
    reads.run(lambda: fail("current"), lambda _none: None, lambda e: errors.append(str(e)))
    release.set()
    qtbot.waitUntil(lambda: not reads.busy)
    assert errors == ["current"]
