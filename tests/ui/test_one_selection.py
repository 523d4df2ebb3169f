"""One selection on every page: a click on a card or a block shows the job in the panel,
a drop shows the job dropped, and Move to Trash acts on what the page shows picked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from desktop.core.jobs import WORKFLOW, Status
from desktop.ui.board.column import BoardColumn
from desktop.ui.jobs.drag import job_mime
from desktop.ui.main_window import MainWindow


def _drop(target: QWidget, where: QPoint, local_id: int) -> None:
    mime = job_mime(local_id)
    action, button = Qt.DropAction.MoveAction, Qt.MouseButton.LeftButton
    none = Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(target, QDragEnterEvent(where, action, mime, button, none))
    QApplication.sendEvent(target, QDragMoveEvent(where, action, mime, button, none))
    QApplication.sendEvent(target, QDropEvent(QPointF(where), action, mime, button, none))


def _drop_on(column: BoardColumn, local_id: int) -> None:
    target = column.strip if column.folded else column.cards.viewport()
    _drop(target, target.rect().center(), local_id)


def _click_card(qtbot: Any, window: MainWindow, status: str, row: int = 0) -> int:
    column = window.board.column(status)
    local_id = column.model.id_at(row)
    centre = column.cards.visualRect(column.model.index(row)).center()
    assert local_id is not None
    assert window.detail.current_id != local_id
    qtbot.mouseClick(column.cards.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    return local_id


def test_a_click_on_a_card_shows_it_and_trash_takes_it(window: MainWindow,
                                                       qtbot: Any) -> None:
    window.show_page("board")
    qtbot.waitUntil(window.settled)
    assert not window.delete_action.isEnabled()
    local_id = _click_card(qtbot, window, Status.SCHEDULED.value)
    assert window.detail.current_id == local_id
    assert window.selected_ids() == [local_id]
    assert window.delete_action.isEnabled()
    # Del, as on the list: the card just clicked has the focus.
    qtbot.keyClick(window.board.column(Status.SCHEDULED.value).cards, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.session.store.get(local_id).deleted)  # type: ignore[union-attr]


def test_a_drop_on_the_board_shows_the_job_dropped(window: MainWindow, qtbot: Any) -> None:
    window.show_page("board")
    qtbot.waitUntil(window.settled)
    scheduled = window.board.column(Status.SCHEDULED.value)
    shown = _click_card(qtbot, window, Status.SCHEDULED.value, row=0)
    dropped = scheduled.model.id_at(1)
    assert dropped is not None and dropped != shown
    _drop_on(window.board.column(Status.NEEDS_APPROVAL.value), dropped)
    assert window.detail.current_id == dropped
    assert window.detail.editors["status"].value() == Status.NEEDS_APPROVAL.value
    assert window.selected_ids() == [dropped]


def test_board_columns_follow_the_workflow_and_keep_their_place(window: MainWindow,
                                                                qtbot: Any) -> None:
    window.show_page("board")
    qtbot.waitUntil(window.settled)
    titles = [c.title for c in window.board.columns[:-1]]
    assert titles == [s.value for s in WORKFLOW]
    assert titles.index("Estimate Sent") < titles.index("Scheduled")
    # Emptied by a drag, a column stays open where it was; the next read folds it.
    # (Any job may go back to Contacted: no move there is refused.)
    contacted = window.board.column(Status.CONTACTED.value)
    column = min((c for c in window.board.columns[:-1] if c.model.total and c is not contacted),
                 key=lambda c: c.model.total)
    _drop_on(contacted, column.model.ids()[0])
    x_positions = [c.x() for c in window.board.columns]
    for local_id in column.model.ids():
        _drop_on(contacted, local_id)
    assert column.model.total == 0 and not column.folded
    qtbot.waitUntil(lambda: [c.x() for c in window.board.columns] == x_positions)
    window.filters.reset()
    qtbot.waitUntil(window.settled)
    assert column.folded


def test_a_click_on_a_block_shows_it_and_a_drop_shows_where_it_went(window: MainWindow,
                                                                   qtbot: Any) -> None:
    window.show_page("schedule")
    schedule, grid = window.schedule, window.schedule.grid
    # Next week: a drop into the past would ask first.
    schedule.show_day(date.today() + timedelta(days=7))
    qtbot.waitUntil(window.settled)
    item = next(i for i in grid.items() if i.start is not None)
    rect = grid.item_rect(item.local_id)
    assert rect is not None
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.detail.current_id == item.local_id
    assert window.selected_ids() == [item.local_id]
    assert window.delete_action.isEnabled()

    other = next(i for i in grid.items() if i.local_id != item.local_id)
    day = next(d for d in schedule.days() if d != item.day)
    column = grid.column_rect(day)
    assert column is not None
    _drop(grid.viewport(), QPoint(column.center().x(), round(grid.y_of(14 * 60)) + 2),
          other.local_id)
    assert window.detail.current_id == other.local_id
    assert window.detail.editors["scheduled_date"].value() == day.isoformat()
    assert window.selected_ids() == [other.local_id]

    # A pick in the tray is the page's selection too.
    tray = schedule.tray.list
    tray.setCurrentIndex(tray.model().index(0, 0))
    picked = schedule.tray.current_id()
    assert picked is not None and window.detail.current_id == picked
    assert window.selected_ids() == [picked] and grid.selected is None
