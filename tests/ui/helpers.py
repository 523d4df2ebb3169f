"""Helpers the GUI tests share: seeding the mirror and opening the window."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from desktop.core.jobs import parse_server_job
from desktop.core.store import Store
from desktop.core.store.mirror import insert_server_jobs, upsert_nested_customers
from desktop.emulator.demo_data import DemoData, generate
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from desktop.ui.sync.worker import SyncController


def seed(store: Store, jobs: int = 60, customers: int = 12, seed_value: int = 3) -> DemoData:
    """Fill the mirror with demo jobs as a sync would have (dates around today)."""
    data = generate(jobs=jobs, customers=customers, seed=seed_value)
    store.upsert_customers(data.customers)
    parsed = [parse_server_job(j) for j in data.jobs]
    with store.write() as conn:
        upsert_nested_customers(conn, parsed)
        insert_server_jobs(conn, parsed)
    return data


def open_main_window(qtbot: Any, session: Session, preset: str = "all",
                     sync: SyncController | None = None) -> MainWindow:
    window = MainWindow(session, sync or SyncController(session),
                        session.paths.config_dir / "window.ini", preset=preset)
    # A failed test may leave edits behind; closing must not stop to ask about them.
    qtbot.addWidget(window, before_close_func=lambda w: w.detail.cancel())
    # Wide enough for the job panel beside the list, as most tests expect.
    window.resize(1600, 900)
    window.show()
    qtbot.waitUntil(window.settled)
    return window


def drag_to(target: QWidget, pos: QPoint, mime: QMimeData) -> QDropEvent:
    """What a drag and drop at ``pos`` delivers to a widget."""
    action, button = Qt.DropAction.MoveAction, Qt.MouseButton.LeftButton
    none = Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(target, QDragEnterEvent(pos, action, mime, button, none))
    QApplication.sendEvent(target, QDragMoveEvent(pos, action, mime, button, none))
    drop = QDropEvent(QPointF(pos), action, mime, button, none)
    QApplication.sendEvent(target, drop)
    return drop
