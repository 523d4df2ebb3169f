"""Errors on the GUI thread: logged in full, shown as a sentence with the details one
click away, and never with the API key in either."""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from desktop import __version__
from desktop.config import Paths, Settings, get_api_key
from desktop.logs import add_secret, redact
from desktop.ui.crash_dialog import CrashDialog

log = logging.getLogger(__name__)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def message_for(error: BaseException, paths: Paths, failed: str = "finish that action") -> str:
    detail = str(error).strip() or type(error).__name__
    return redact(f"JobDesk could not {failed}:\n\n{detail}\n\n"
                  f"Your saved work is safe. The details are in the log:\n{paths.log_file}")


def details_for(exc_info: ExcInfo, paths: Paths) -> str:
    """What "Copy details" gives support: version, platform, where the log is, the
    traceback; redacted exactly as the log is."""
    build = "packaged" if getattr(sys, "frozen", False) else "from source"
    lines = [
        f"JobDesk {__version__} ({build})",
        f"Python {platform.python_version()}, Qt {qVersion()}, PySide6 {PySide6.__version__}, "
        f"{QGuiApplication.platformName() or 'no'} display",
        platform.platform(),
        f"Log: {paths.log_file}",
        "",
        "".join(traceback.format_exception(*exc_info)).rstrip(),
    ]
    return redact("\n".join(lines))


def protect_configured_key(paths: Paths) -> None:
    """Register the configured key for redaction now: an error can carry it before any
    request has registered it (read from the keyring or the environment, not yet sent)."""
    add_secret(get_api_key(Settings.load(paths).effective_server_url(), paths))


def install(paths: Paths, parent: Callable[[], QWidget | None]) -> None:
    """Route uncaught exceptions to the log and a crash dialog."""
    shown: list[CrashDialog] = []

    def hook(kind: type[BaseException], error: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        protect_configured_key(paths)
        log.error("unexpected error in the GUI", exc_info=(kind, error, tb))
        # One dialog at a time: an error raised while one is open is logged only.
        if shown or QApplication.instance() is None:
            return
        dialog = CrashDialog(message_for(error, paths), details_for((kind, error, tb), paths),
                             parent())
        shown.append(dialog)
        dialog.finished.connect(lambda _result: shown.clear())
        # Window-modal without a nested event loop: the hook returns at once, so an
        # error inside a slot never runs the app's events re-entrantly from here.
        dialog.open()

    sys.excepthook = hook


def show_startup_error(paths: Paths, exc_info: ExcInfo) -> None:
    """An error before the window opened. A packaged app has no terminal to print it
    to, so it gets the crash dialog; JobDesk ends when that is closed."""
    protect_configured_key(paths)
    log.error("JobDesk could not start", exc_info=exc_info)
    dialog = CrashDialog(message_for(exc_info[1], paths, "start"),
                         details_for(exc_info, paths))
    dialog.exec()
