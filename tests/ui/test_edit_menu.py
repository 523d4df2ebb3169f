"""Edit > Undo and Redo (Ctrl+Z, Ctrl+Shift+Z) in the window: field edits, schedule
drags, board drops, the Trash and restore, each undone as a new local edit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QPoint, Qt

from desktop.core.store import JobRecord
from desktop.ui.jobs.drag import job_mime
from desktop.ui.main_window import MainWindow
from desktop.ui.widgets.fields import TextEdit
from tests.ui.helpers import drag_to

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _undo(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)


def _redo(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)


def _record(window: MainWindow, local_id: int) -> JobRecord:
    record = window.session.store.get(local_id)
    assert record is not None
    return record


def _edit_title(qtbot: Any, window: MainWindow, text: str) -> int:
    window.table.selectRow(0)
    local_id = window.table.current_id()
    assert local_id is not None
    title = window.detail.editors["title"]
    assert isinstance(title, TextEdit)
    title.selectAll()
    qtbot.keyClicks(title, text)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    window.table.setFocus()
    return local_id


def test_a_saved_edit_is_undone_and_redone_from_the_keys_and_the_menu(
        window: MainWindow, qtbot: Any) -> None:
    menu = window.edit_menu
    assert not menu.undo_action.isEnabled() and not menu.redo_action.isEnabled()
    assert menu.undo_action.shortcut().toString() == "Ctrl+Z"
    assert menu.redo_action.shortcut().toString() == "Ctrl+Shift+Z"
    first = window.model.ids()[0]
    original = _record(window, first).values["title"]
    local_id = _edit_title(qtbot, window, "Replace the boiler")
    assert local_id == first
    number = _record(window, local_id).values["job_number"]
    assert menu.undo_action.isEnabled()
    assert menu.undo_action.text() == f"Undo Edit {number}"

    _undo(qtbot, window)
    record = _record(window, local_id)
    assert record.values["title"] == original
    assert record.sync_state == "synced", "an edit undone before it was sent sends nothing"
    assert window.detail.editors["title"].value() == original
    assert window.status.note_label.text().startswith(f"Undone: Edit {number}")
    assert menu.redo_action.text() == f"Redo Edit {number}"
    assert not menu.undo_action.isEnabled()

    menu.redo_action.trigger()
    assert _record(window, local_id).values["title"] == "Replace the boiler"
    assert _record(window, local_id).sync_state == "pending"
    assert window.detail.editors["title"].value() == "Replace the boiler"
    _undo(qtbot, window)
    _redo(qtbot, window)
    assert _record(window, local_id).values["title"] == "Replace the boiler"


def test_ctrl_z_in_a_text_field_undoes_typing_not_the_last_edit(
        window: MainWindow, qtbot: Any) -> None:
    local_id = _edit_title(qtbot, window, "Saved title")
    title = window.detail.editors["title"]
    assert isinstance(title, TextEdit)
    title.setFocus()
    qtbot.keyClicks(title, "!")
    qtbot.keyClick(title, Qt.Key.Key_Z, CTRL)
    assert title.text() == "Saved title"
    assert _record(window, local_id).values["title"] == "Saved title"


def test_an_undo_of_a_field_changed_since_is_refused_naming_it(
        window: MainWindow, qtbot: Any) -> None:
    local_id = _edit_title(qtbot, window, "Mine")
    # Changed since by something other than this edit (as a sync from the server does).
    window.session.store.update_job(local_id, {"title": "Someone else's"})
    _undo(qtbot, window)
    number = _record(window, local_id).values["job_number"]
    assert window.status.note_label.text() == (
        f"Cannot undo: {number}: Title has changed since")
    assert _record(window, local_id).values["title"] == "Someone else's"
    assert window.edit_menu.undo_action.isEnabled(), "the step stays; nothing is lost"


def test_trash_and_restore_are_undone_and_redone(window: MainWindow, qtbot: Any) -> None:
    window.table.selectRow(1)
    local_id = window.table.current_id()
    assert local_id is not None
    window.table.setFocus()
    window.delete_action.trigger()
    assert _record(window, local_id).deleted
    assert window.edit_menu.undo_action.text().startswith("Undo Trash")
    _undo(qtbot, window)
    assert not _record(window, local_id).deleted
    qtbot.waitUntil(lambda: window.model.row_of(local_id) is not None)
    _redo(qtbot, window)
    assert _record(window, local_id).deleted

    window.sidebar.select("trash")
    qtbot.waitUntil(lambda: window.settled() and local_id in window.model.ids())
    window.table.select_job(local_id)
    window.restore_action.trigger()
    assert not _record(window, local_id).deleted
    assert window.edit_menu.undo_action.text().startswith("Undo Restore")
    _undo(qtbot, window)
    assert _record(window, local_id).deleted


def _future_job(window: MainWindow, day: date) -> int:
    local_id = window.model.ids()[0]
    window.session.store.update_job(local_id, {
        "scheduled_date": day.isoformat(), "scheduled_time_start": "09:00",
        "scheduled_time_end": "10:00", "assigned_to_user_id": None})
    return local_id


def test_a_schedule_drag_is_undone_and_the_block_goes_back(window: MainWindow,
                                                           qtbot: Any) -> None:
    day = date.today() + timedelta(days=30)
    local_id = _future_job(window, day)
    window.show_page("schedule")
    schedule = window.schedule
    schedule.show_day(day)
    qtbot.waitUntil(lambda: schedule.settled() and schedule.grid.item_rect(local_id)
                    is not None)
    before = schedule.grid.item_rect(local_id)
    column = schedule.grid.column_rect(day)
    assert before is not None and column is not None
    target = QPoint(column.center().x(), round(schedule.grid.y_of(14 * 60)) + 2)
    assert drag_to(schedule.grid.viewport(), target, job_mime(local_id)).isAccepted()
    assert _record(window, local_id).values["scheduled_time_start"] == "14:00"
    qtbot.waitUntil(lambda: schedule.grid.item_rect(local_id) != before)
    assert window.edit_menu.undo_action.text().startswith("Undo Reschedule")

    _undo(qtbot, window)
    record = _record(window, local_id)
    assert (record.values["scheduled_time_start"], record.values["scheduled_time_end"]) == (
        "09:00", "10:00")
    qtbot.waitUntil(lambda: schedule.grid.item_rect(local_id) == before)


def test_a_board_drop_is_undone(window: MainWindow, qtbot: Any) -> None:
    window.show_page("board")
    board = window.board
    qtbot.waitUntil(board.settled)
    local_id = next(i for i in window.model.ids()
                    if _record(window, i).values["status"] == "Scheduled")
    started = _record(window, local_id).values["started_at"]
    target = board.column("In Progress").cards.viewport()
    drag_to(target, target.rect().center(), job_mime(local_id))
    assert _record(window, local_id).values["status"] == "In Progress"
    assert window.edit_menu.undo_action.text().startswith("Undo Move to In Progress")
    _undo(qtbot, window)
    record = _record(window, local_id)
    assert (record.values["status"], record.values["started_at"]) == ("Scheduled", started)
    qtbot.waitUntil(lambda: board.settled() and local_id in board.column("Scheduled").model.ids())


def test_a_large_undo_moves_in_batches_and_another_waits_for_it(window: MainWindow,
                                                                 qtbot: Any) -> None:
    session = window.session
    session.MOVE_BATCH = 2
    ids = window.model.ids()[:5]
    session.delete_jobs(ids)
    qtbot.waitUntil(lambda: window.edit_menu.undo_action.text() == "Undo Trash 5 jobs")
    window.edit_menu.undo()
    assert session.stepping, "five jobs move on the writer, two at a time"
    window.edit_menu.undo()
    assert window.status.note_label.text() == "Still moving the jobs of the last undo or redo…"
    qtbot.waitUntil(lambda: window.status.note_label.text() == "Undone: Trash 5 jobs")
    assert not any(_record(window, i).deleted for i in ids)
    assert window.edit_menu.redo_action.text() == "Redo Trash 5 jobs"
    assert not window.edit_menu.undo_action.isEnabled()
