"""Errors on the GUI thread: logged in full, shown as a sentence, never as a traceback."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

log = logging.getLogger(__name__)


def message_for(error: BaseException, log_file: Path) -> str:
    detail = str(error).strip() or type(error).__name__
    return (f"JobDesk could not finish that action:\n\n{detail}\n\n"
            f"Your saved work is safe. The details are in the log:\n{log_file}")


def install(log_file: Path, parent: Callable[[], QWidget | None]) -> None:
    """Route uncaught exceptions to the log and a readable message box."""
    showing = False

    def hook(kind: type[BaseException], error: BaseException,
             traceback: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("unexpected error in the GUI", exc_info=(kind, error, traceback))
        # One box at a time: an error raised while a box is up is logged only.
        if showing or QApplication.instance() is None:
            return
        showing = True
        try:
            QMessageBox.critical(parent(), "Something went wrong", message_for(error, log_file))
        finally:
            showing = False

    sys.excepthook = hook
