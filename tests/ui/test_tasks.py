"""The reader thread's helpers: answers come back on the GUI thread, and a view's
out-of-date reads are dropped instead of drawn over newer ones."""

from __future__ import annotations

import threading
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
    got: list[tuple[int, bool]] = []
    reads.run(lambda: threading.current_thread() is threading.main_thread(),
              lambda on_main: got.append((1, on_main)))
    assert reads.busy
    qtbot.waitUntil(lambda: not reads.busy)
    assert got == [(1, False)]
    assert threading.current_thread() is threading.main_thread()


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
    got: list[int] = []
    reads.run(lambda: 7, got.append, after_ms=30)
    assert got == []
    qtbot.waitUntil(lambda: got == [7])
    assert not reads.busy


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
