"""Rendering the main window to a PNG once its data has loaded (docs, visual checks)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop

from desktop.ui.main_window import MainWindow

#: A common laptop screen: what the README's pictures show.
SIZE = (1366, 768)


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


def capture(window: MainWindow, path: Path, size: tuple[int, int] = SIZE) -> Path:
    """Save the window at ``size``. On the list, the first job is opened beside it (an
    empty panel explains nothing); the other pages are shown whole."""
    window.resize(*size)
    if (window.page_key == "list" and window.table.current_id() is None
            and window.model.rowCount() > 0):
        window.table.selectRow(0)
    wait_settled(window, after_sync=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path), "PNG"):
        raise OSError(f"could not write the screenshot to {path}")
    return path
