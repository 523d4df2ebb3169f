"""Rendering the main window to a PNG once its data has loaded (docs, visual checks)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QApplication

from desktop.ui.main_window import MainWindow

SIZE = (1600, 900)


def wait_settled(window: MainWindow, *, after_sync: bool, timeout_s: float = 120.0) -> bool:
    """Run the event loop until a first sync (if asked) has finished and the list and
    counts are read; False on timeout."""
    synced = {"done": not after_sync}
    window.sync.finished.connect(lambda _r: synced.update(done=True))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if synced["done"] and not window.sync.running and window.settled():
            return True
        time.sleep(0.01)
    return False


def capture(window: MainWindow, path: Path) -> Path:
    """Show the first job beside the list (an empty panel explains nothing) and save."""
    window.resize(*SIZE)
    if window.table.current_id() is None and window.model.rowCount() > 0:
        window.table.selectRow(0)
    QApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path), "PNG"):
        raise OSError(f"could not write the screenshot to {path}")
    return path
