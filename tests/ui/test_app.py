"""Launching: one app per data dir, the screenshot run, the run with no display,
window state and themes (how errors reach the user: test_crash.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication

from desktop.config import Paths
from desktop.ui import theme
from desktop.ui.app import LaunchOptions, run
from desktop.ui.jobs.rows import SORT_COLUMNS
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from desktop.ui.single_instance import SingleInstance
from desktop.ui.sync.worker import SyncController
from tests.ui.helpers import open_main_window

REPO = Path(__file__).resolve().parents[2]


def test_a_second_launch_on_the_same_data_dir_raises_the_first(
        qtbot: Any, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path)
    assert first.listen()
    try:
        assert not SingleInstance(tmp_path / "elsewhere").notify_running()
        with qtbot.waitSignal(first.raise_requested, timeout=3000):
            assert SingleInstance(tmp_path).notify_running()
    finally:
        first.close()
    assert not SingleInstance(tmp_path).notify_running()


def test_screenshot_of_the_demo_after_its_first_sync(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    made: list[Path] = []
    make_dir = tempfile.mkdtemp

    def recorded_mkdtemp(*args: Any, **kwargs: Any) -> str:
        made.append(Path(make_dir(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", recorded_mkdtemp)
    paths = Paths(tmp_path, tmp_path, tmp_path / "logs")
    paths.ensure()
    shot = tmp_path / "docs" / "week.png"
    code = run(LaunchOptions(paths=paths, demo=True, screenshot=shot, preset="week",
                             summary=True, page="board", size=(1280, 720)))
    assert code == 0
    out = capsys.readouterr().out
    assert "Synced" in out and "built-in demo server" in out and str(shot) in out
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 720)
    assert QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat).value(
        "page") == "board", "the page asked for was the one shown"
    assert (tmp_path / "window.ini").exists(), "window state stays in the data dir"
    demo_dirs = [d for d in made if d.name.startswith("jobdesk-demo-")]
    assert len(demo_dirs) == 1, "the demo synced into a data dir of its own"
    assert not demo_dirs[0].exists(), "and removed it, sync lock and all, on the way out"


def test_with_no_display_the_launch_command_runs_the_demo_offscreen(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run([sys.executable, "-m", "desktop", "--data-dir", str(tmp_path)],
                            capture_output=True, text=True, env=env, timeout=120,
                            check=False, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "Synced" in result.stdout and "jobs" in result.stdout
    shot = tmp_path / "demo-screenshot.png"
    assert f"Screenshot: {shot}" in result.stdout
    assert shot.stat().st_size > 10_000
    assert "Traceback" not in result.stderr


def test_an_unknown_view_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "desktop", "--data-dir", str(tmp_path),
                             "--screenshot", str(tmp_path / "x.png"), "--view", "someday"],
                            capture_output=True, text=True, timeout=60, check=False,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 2
    assert "unknown view 'someday'" in result.stderr and "today" in result.stderr


@pytest.mark.parametrize(("args", "said"), [
    (["--size", "wide"], "--size: expected WIDTHxHEIGHT such as 1366x768, got 'wide'"),
    (["--size", "100x100"], "--size: 100x100 is out of range"),
    (["--page", "calendar"], "--page: invalid choice: 'calendar'"),
])
def test_a_bad_size_or_page_is_a_usage_error_naming_it(tmp_path: Path, args: list[str],
                                                       said: str) -> None:
    shot = tmp_path / "x.png"
    result = subprocess.run([sys.executable, "-m", "desktop", "--data-dir", str(tmp_path),
                             "--screenshot", str(shot), *args],
                            capture_output=True, text=True, timeout=60, check=False,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 2
    assert said in result.stderr and "Traceback" not in result.stderr
    assert not shot.exists()


def test_window_layout_sort_preset_and_page_are_remembered(qtbot: Any, session: Any,
                                                    demo_data: Any) -> None:
    window = open_main_window(qtbot, session, preset="week")
    window.resize(1700, 900)  # wide enough to keep the panel docked
    window.splitter.setSizes([210, 1140, 350])
    header = window.table.horizontalHeader()
    header.resizeSection(SORT_COLUMNS["city"], 151)
    header.setSortIndicator(SORT_COLUMNS["estimated_amount"], Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: window.model.sort_key == "estimated_amount")
    window.show_page("board")
    splitter, geometry = window.splitter.saveState(), window.saveGeometry()
    window.close()
    state = QSettings(str(session.paths.config_dir / "window.ini"),
                      QSettings.Format.IniFormat)
    # A shown window is fitted to the (small) offscreen screen, so geometry and
    # splitter are checked as saved; columns, sort, preset and page as restored.
    assert (state.value("geometry"), state.value("splitter")) == (geometry, splitter)

    # Closing the window ended its session, as quitting the app does.
    reopened = Session(session.store, session.paths, session.settings)
    again = MainWindow(reopened, SyncController(reopened),
                       session.paths.config_dir / "window.ini")
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(again.settled)
    assert again.table.horizontalHeader().sectionSize(SORT_COLUMNS["city"]) == 151
    assert (again.model.sort_key, again.model.descending) == ("estimated_amount", True)
    assert again.preset_key == "week"
    assert again.page_key == "board" and again.pages.currentWidget() is again.board


def test_dark_scheme_follows_the_system(qapp: QApplication,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The offscreen platform has no scheme of its own to switch; play the system.
    system = {"dark": True}
    monkeypatch.setattr(theme, "is_dark", lambda: system["dark"])
    theme.follow_system_scheme(qapp)
    try:
        qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert theme.dark_mode()
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 80
        chip = theme.status_chip("Scheduled", dark=True)
        assert chip.text.lightness() > chip.background.lightness() + 80
        system["dark"] = False
        qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert not theme.dark_mode()
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 200
    finally:
        theme.apply_theme(qapp)


def test_window_is_usable_from_the_keyboard(window: MainWindow, qtbot: Any) -> None:
    for action in (window.new_action, window.sync_action, window.settings_action,
                   window.save_action):
        assert action.toolTip() and action.shortcut().toString()
    assert window.delete_action.shortcut().toString() == "Del"
    window.sidebar.setFocus()
    qtbot.keyClick(window.sidebar, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.filters.search
