"""Starting the desktop app: the QApplication, one window per data dir, demo mode,
and the offscreen screenshot run."""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QMessageLogContext, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from desktop.config import Paths, Settings
from desktop.core.store import JobQuery, Store
from desktop.ui import errors, screenshot, theme
from desktop.ui.demo import DemoServer, start_demo
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from desktop.ui.single_instance import SingleInstance
from desktop.ui.sync_worker import SyncController

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LaunchOptions:
    #: The user's own data dir (the demo keeps its data in a temporary one).
    paths: Paths
    demo: bool = False
    screenshot: Path | None = None
    view: str | None = None
    #: Print what the demo synced (the run with no display).
    summary: bool = False


#: How long a thread may hold the GIL while another waits (Python's default: 5 ms).
#: The GUI thread shares it with the sync and reader threads; a shorter turn bounds
#: how long a paint or a keystroke waits behind their Python work.
GIL_SWITCH_S = 0.001


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
qt_log = logging.getLogger("qt")


def _log_qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    level = _QT_LEVELS.get(kind, logging.WARNING)
    # The offscreen platform (screenshots, no display) says what a screen could do.
    if message.startswith("This plugin does not support"):
        level = logging.DEBUG
    qt_log.log(level, "%s", message)


def route_qt_messages() -> None:
    """Qt's own messages go to the log, not the terminal, unless something (a test
    harness) already listens to them."""
    previous = qInstallMessageHandler(_log_qt_message)
    if previous is not None:
        qInstallMessageHandler(previous)


def create_application() -> QApplication:
    sys.setswitchinterval(GIL_SWITCH_S)
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        QApplication.setApplicationName("JobDesk")
        QApplication.setOrganizationName("JobDesk")
        QApplication.setDesktopFileName("jobdesk")
        QApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication([])
    app.setWindowIcon(theme.app_icon())
    theme.apply_theme(app)
    theme.follow_system_scheme(app)
    return app


def bring_forward(window: MainWindow) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


def open_window(options: LaunchOptions, demo: DemoServer | None) -> MainWindow:
    paths = demo.paths if demo is not None else options.paths
    store = Store.open(paths.database)
    session = Session(store, paths, Settings.load(paths),
                      demo=demo.demo if demo is not None else None)
    sync = SyncController(session)
    # Window geometry is the user's, kept beside their settings even in the demo.
    window = MainWindow(session, sync, options.paths.config_dir / "window.ini",
                        view=options.view)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return window


def run(options: LaunchOptions) -> int:
    route_qt_messages()
    app = create_application()
    errors.install(options.paths, QApplication.activeWindow)
    instance: SingleInstance | None = None
    if options.screenshot is None:
        instance = SingleInstance(options.paths.data_dir)
        if instance.notify_running():
            print("JobDesk is already open for this data folder; its window was brought "
                  "forward.")
            return 0
        instance.listen()
    started = time.perf_counter()
    demo = start_demo(options.paths) if options.demo else None
    try:
        try:
            window = open_window(options, demo)
        except Exception as error:
            if options.screenshot is not None:
                raise  # a headless run: the command line reports it
            errors.show_startup_error(options.paths,
                                      (type(error), error, error.__traceback__))
            return 1
        store = window.session.store
        if options.screenshot is not None:
            return _screenshot(window, options, demo, started)
        if instance is not None:
            instance.raise_requested.connect(lambda: bring_forward(window))
        window.show()
        window.sync.start()
        code = app.exec()
        store.close()
        return code
    finally:
        if instance is not None:
            instance.close()
        if demo is not None:
            demo.close()


def _screenshot(window: MainWindow, options: LaunchOptions, demo: DemoServer | None,
                started: float) -> int:
    assert options.screenshot is not None
    syncing = window.sync.configured
    window.show()
    window.sync.start()
    settled = screenshot.wait_settled(window, after_sync=syncing)
    path = screenshot.capture(window, options.screenshot)
    store = window.session.store
    report = window.sync.last or {}
    window.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    jobs = store.count(JobQuery(deleted="include"))
    store.close()
    if options.summary:
        source = "the built-in demo server" if demo is not None else "your CRM"
        if report.get("status") == "ok":
            print(f"Synced {jobs:,} jobs ({report.get('pulled', 0):,} received, "
                  f"{report.get('requests', 0):,} requests) from {source} in "
                  f"{time.perf_counter() - started:.1f} s.")
        else:
            print(f"Sync from {source} did not finish: {report.get('message') or 'timed out'}")
    print(f"Screenshot: {path}")
    if not settled:
        log.warning("screenshot taken before the data finished loading")
    return 0
