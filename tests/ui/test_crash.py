"""An unexpected error in the GUI: a dialog that says what happened in a sentence,
"Copy details" for a bug report, the whole traceback in the log, and the API key in
none of them.

pytest-qt normally catches exceptions raised in slots itself; these tests switch that
off (``qt_no_exception_capture``) so the app's own hook handles them, as it does for
a user.
"""

from __future__ import annotations

import logging
import platform
import secrets
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from desktop import __version__
from desktop.config import Paths, Settings, set_api_key
from desktop.logs import setup_logging
from desktop.ui import errors
from desktop.ui.app import LaunchOptions, run
from desktop.ui.crash_dialog import CrashDialog
from tests.conftest import MemoryKeyring

pytestmark = pytest.mark.qt_no_exception_capture

SERVER = "https://crm.example.test"


def crash_dialogs() -> list[CrashDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, CrashDialog) and w.isVisible()]


@pytest.fixture
def log_file(paths: Paths) -> Iterator[Path]:
    setup_logging(paths.log_file)
    yield paths.log_file
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_jobdesk", False)]:
        root.removeHandler(handler)
        handler.close()


@pytest.fixture
def key() -> str:
    """Not shaped like a vendor key, so the pattern that catches ``ctc_live_...`` keys
    cannot hide it: only the app knowing it is the configured key can. New for each
    test, so no earlier test has made it known already."""
    return f"Zq8-private-{secrets.token_hex(12)}"


@pytest.fixture
def save_button(qtbot: Any, paths: Paths, key: str, memory_keyring: MemoryKeyring,
                monkeypatch: pytest.MonkeyPatch) -> QPushButton:
    """A button whose slot fails with the configured key in its message, as a request
    error quoting its headers would; the app's hook is installed."""
    Settings(server_url=SERVER).save(paths)
    set_api_key(SERVER, key)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    button = QPushButton("Save")
    qtbot.addWidget(button)
    errors.install(paths, lambda: button)

    def save() -> None:
        raise RuntimeError(f"upload refused with Authorization: Bearer {key}")

    button.clicked.connect(save)
    button.show()
    return button


def test_an_error_in_a_slot_opens_the_dialog_and_copy_details_gives_the_traceback(
        qtbot: Any, save_button: QPushButton, log_file: Path, key: str) -> None:
    qtbot.mouseClick(save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 1)
    dialog = crash_dialogs()[0]

    message = dialog.message.text()
    assert "upload refused with Authorization: Bearer [REDACTED]" in message
    assert str(log_file) in message and "saved work is safe" in message
    assert "Traceback" not in message and key not in message

    QApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_details, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith(f"JobDesk {__version__} (from source)")
    assert platform.platform() in copied and f"Log: {log_file}" in copied
    assert "Traceback (most recent call last):" in copied
    assert "in save" in copied and "test_crash.py" in copied
    assert copied.rstrip().endswith(
        "RuntimeError: upload refused with Authorization: Bearer [REDACTED]")
    assert key not in copied
    assert dialog.copy_details.text() == "Copied"

    assert dialog.details.isHidden()
    qtbot.mouseClick(dialog.show_details, Qt.MouseButton.LeftButton)
    assert dialog.details.isVisible() and dialog.details.toPlainText() == copied

    logged = log_file.read_text(encoding="utf-8")
    assert "unexpected error in the GUI" in logged and "Traceback" in logged
    assert "RuntimeError: upload refused with Authorization: Bearer [REDACTED]" in logged
    assert key not in logged

    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not crash_dialogs())


def test_an_error_while_the_dialog_is_open_is_logged_without_a_second_dialog(
        qtbot: Any, save_button: QPushButton, log_file: Path) -> None:
    qtbot.mouseClick(save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 1)
    first = crash_dialogs()[0]
    try:
        raise ValueError("a second failure")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert crash_dialogs() == [first]
    assert "ValueError: a second failure" in log_file.read_text(encoding="utf-8")

    first.reject()
    qtbot.waitUntil(lambda: not crash_dialogs())
    qtbot.mouseClick(save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 1)
    crash_dialogs()[0].reject()


def test_an_error_before_the_window_opens_gets_the_dialog_too(
        qtbot: Any, paths: Paths, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A packaged app has no terminal: without the dialog the user would see nothing.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    # A SQLite file, but not JobDesk's: its own "jobs" table stops the schema being
    # made. (A damaged or newer JobDesk file gets its own question instead:
    # test_damaged_database.py.)
    foreign = sqlite3.connect(paths.database)
    foreign.execute("CREATE TABLE jobs (name TEXT)")
    foreign.close()
    seen: list[str] = []

    def close_dialog() -> None:
        dialogs = crash_dialogs()
        if not dialogs:
            QTimer.singleShot(20, close_dialog)
            return
        seen.append(dialogs[0].message.text())
        dialogs[0].reject()

    QTimer.singleShot(0, close_dialog)
    assert run(LaunchOptions(paths=paths)) == 1
    assert len(seen) == 1 and seen[0].startswith("JobDesk could not start")
    assert "Traceback" not in seen[0]
    assert "JobDesk could not start" in log_file.read_text()
