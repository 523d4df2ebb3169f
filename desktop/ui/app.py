"""Starting the desktop app: the QApplication, one window per data dir, demo mode,
and the offscreen screenshot run."""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.config import Paths, Settings
from desktop.core.store import JobQuery, Store
from desktop.core.store.database import rebuild
from desktop.core.store.errors import StoreUnusable
from desktop.ui import errors, screenshot, theme
from desktop.ui.database_check import Choice, DatabaseProblemDialog, IdleCheck
from desktop.ui.demo import DemoServer, start_demo
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from desktop.ui.single_instance import AlreadyRunning, SingleInstance
from desktop.ui.sync.worker import SyncController

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LaunchOptions:
    #: The user's own data dir (the demo keeps its data in a temporary one).
    paths: Paths
    demo: bool = False
    screenshot: Path | None = None
    preset: str | None = None
    #: Print what the demo synced (the run with no display).
    summary: bool = False
    #: The page to open (list, schedule, board, dashboard); None: the last one used.
    page: str | None = None
    #: The screenshot's window size in logical pixels; None: ``screenshot.SIZE``.
    size: tuple[int, int] | None = None


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
                        preset=options.preset)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if options.page is not None:
        window.show_page(options.page)
    return window


class StartUp(QObject):
    """Opens the main window; when the local database cannot be used, at start-up or
    found damaged later, asks what to do about it first."""

    #: The user chose to leave rather than take a way out.
    quit = Signal()

    def __init__(self, options: LaunchOptions, demo: DemoServer | None,
                 instance: SingleInstance | None = None) -> None:
        super().__init__()
        self._options = options
        self._demo = demo
        self.window: MainWindow | None = None
        self.store: Store | None = None
        #: The question about the database on screen, if any.
        self.dialog: DatabaseProblemDialog | None = None
        #: The user chose Quit rather than a way out.
        self.gave_up = False
        if instance is not None:
            instance.raise_requested.connect(self._bring_forward)

    def open(self) -> None:
        try:
            window = open_window(self._options, self._demo)
        except StoreUnusable as error:
            log.warning("cannot open the local database: %s", error)
            self._ask(error)
            return
        self.window = window
        self.store = window.session.store
        # Queued: the demo's window is closed from the event loop, not from inside
        # its own Settings dialog.
        window.connect_requested.connect(self._leave_demo, Qt.ConnectionType.QueuedConnection)
        check = IdleCheck(window.session, lambda: window.sync.running, window)
        check.damaged.connect(self._damaged)
        window.show()
        window.sync.start()
        QApplication.setQuitOnLastWindowClosed(True)

    def close_store(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def _bring_forward(self) -> None:
        log.info("another launch asked for this window; bringing it forward")
        if self.window is not None:
            bring_forward(self.window)
        elif self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()

    def _leave_demo(self, key_note: str) -> None:
        """Settings saved in the demo name the user's CRM: close the demo's window and
        server (what was typed there goes with it, as the banner said) and open the
        window on the user's own data, which syncs with the CRM at once."""
        window, demo = self.window, self._demo
        if window is None or demo is None:
            return
        log.info("leaving the demo for the CRM set in Settings")
        # The app must outlive the demo's window: closing it is not leaving JobDesk.
        QApplication.setQuitOnLastWindowClosed(False)
        window.detail.cancel()
        window.close()
        # Gone before its store and folder are: none of its timers fires on them.
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.window = None
        self.close_store()
        self._demo = None
        demo.close()
        self.open()
        self._note(key_note)

    def _note(self, text: str) -> None:
        if self.window is not None and text:
            self.window.status.note(text)

    def _ask(self, error: StoreUnusable) -> None:
        running = self.window is not None
        # The app must outlive the question: closing it is not leaving JobDesk.
        QApplication.setQuitOnLastWindowClosed(False)
        dialog = DatabaseProblemDialog(error, self.window, running=running)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda choice: self._chosen(choice, error))
        self.dialog = dialog
        dialog.open()

    def _damaged(self, damage: StoreUnusable) -> None:
        log.error("the idle check found the local database damaged: %s", damage)
        if self.window is not None:
            self.window.status.showMessage("The local database is damaged: see the message")
        if self.dialog is None:
            self._ask(damage)

    def _chosen(self, choice: Choice, error: StoreUnusable) -> None:
        self.dialog = None
        if choice is Choice.LATER:
            QApplication.setQuitOnLastWindowClosed(True)
            return
        if choice is Choice.QUIT:
            self.gave_up = True
            QApplication.setQuitOnLastWindowClosed(True)
            self.quit.emit()
            return
        if self.window is not None:
            # Found damaged while open: the window lets go of the file first (or the
            # user keeps it open to finish an edit, and may choose again later).
            if not self.window.close():
                QApplication.setQuitOnLastWindowClosed(True)
                return
            self.window = None
            self.close_store()
        if choice is Choice.REBUILD:
            try:
                moved = rebuild(error.path)
            except StoreUnusable as failed:
                self._ask(failed)
                return
            log.warning("rebuilding the local database; the old one is %s", moved)
        self.open()


def run(options: LaunchOptions) -> int:
    route_qt_messages()
    app = create_application()
    errors.install(options.paths, QApplication.activeWindow)
    instance: SingleInstance | None = None
    if options.screenshot is None:
        instance = SingleInstance(options.paths.data_dir)
        try:
            owner = instance.start()
        except AlreadyRunning as stuck:
            log.warning("%s", stuck)
            print(f"jobdesk: {stuck}", file=sys.stderr)
            # Started from a launcher there is no terminal to read that in.
            QMessageBox.warning(None, "JobDesk", str(stuck))
            return 1
        if not owner:
            print("JobDesk is already open for this data folder; its window was brought "
                  "forward.")
            return 0
    started = time.perf_counter()
    demo = start_demo(options.paths) if options.demo else None
    try:
        if options.screenshot is not None:
            # A headless run: the command line reports what goes wrong.
            return _screenshot(open_window(options, demo), options, demo, started)
        startup = StartUp(options, demo, instance)
        startup.quit.connect(app.quit)
        try:
            startup.open()
        except Exception as error:
            errors.show_startup_error(options.paths,
                                      (type(error), error, error.__traceback__))
            return 1
        code = app.exec()
        startup.close_store()
        return 1 if startup.gave_up else code
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
    path = screenshot.capture(window, options.screenshot, options.size or screenshot.SIZE)
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
