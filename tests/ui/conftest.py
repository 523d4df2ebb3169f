"""Fixtures for the GUI tests: a seeded store, a session, the main window, and guards
that fail a test which leaves a thread running or a top-level widget alive."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QThread
from PySide6.QtWidgets import QApplication

from desktop.config import Paths, Settings
from desktop.core.store import Store
from desktop.emulator.demo_data import DemoData
from desktop.ui import theme
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from tests.ui.helpers import open_main_window, seed

#: The offscreen platform warns that it cannot do what a screen can (size hints of a
#: shown window, raising a popup, grabbing the keyboard): the platform, not the app.
OFFSCREEN_NOISE = "This plugin does not support"
#: Widgets Qt keeps for itself between uses (tooltips, the combo and completer popups
#: are children of their owners and go with them).
QT_OWNED = {"QTipLabel"}

_UI_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _UI_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def _no_leaks(qapp: QApplication) -> Iterator[None]:
    theme.apply_theme(qapp)
    before = {t.ident for t in threading.enumerate()}
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    widgets = [w for w in QApplication.topLevelWidgets()
               if type(w).__name__ not in QT_OWNED and w.metaObject().className()
               not in QT_OWNED]
    threads = [t for t in threading.enumerate() if t.ident not in before
               and not isinstance(t, threading._DummyThread)]
    running = [o for o in gc.get_objects() if isinstance(o, QThread) and o.isRunning()
               and o is not QThread.currentThread()]
    leaked = [f"{type(w).__name__} {w.windowTitle() or w.objectName()!r}" for w in widgets]
    # Close them anyway, so one leak does not fail every test after it.
    for widget in widgets:
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not leaked, f"top-level widgets left alive: {leaked}"
    assert not threads, f"threads left running: {threads}"
    assert not running, f"QThreads left running: {running}"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    chosen = Paths(data_dir=tmp_path, config_dir=tmp_path, log_dir=tmp_path / "logs")
    chosen.ensure()
    return chosen


@pytest.fixture
def demo_data(store: Store) -> DemoData:
    return seed(store)


@pytest.fixture
def session(store: Store, paths: Paths, qapp: QApplication) -> Iterator[Session]:
    opened = Session(store, paths, Settings.load(paths))
    yield opened
    opened.close()


@pytest.fixture
def window(qtbot: Any, session: Session, demo_data: DemoData) -> MainWindow:
    """The main window on 60 seeded jobs, no server configured, showing All jobs."""
    return open_main_window(qtbot, session)


@pytest.fixture
def in_locale(request: pytest.FixtureRequest) -> Iterator[str]:
    """The default locale set to the test's parameter ("en_US"), and back after."""
    previous = QLocale()
    QLocale.setDefault(QLocale(request.param))
    yield request.param
    QLocale.setDefault(previous)
