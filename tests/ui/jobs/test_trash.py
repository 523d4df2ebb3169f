"""Delete to the Trash with Undo, and restore from the Trash."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.core.store import JobQuery
from desktop.emulator.demo_data import DemoData
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from tests.ui.helpers import seed


def test_delete_key_moves_to_trash_and_undo_brings_it_back(window: MainWindow,
                                                           qtbot: Any) -> None:
    store = window.session.store
    window.table.selectRow(2)
    local_id = window.table.current_id()
    assert local_id is not None
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    record = store.get(local_id)
    assert record is not None and record.deleted and record.pending_op == "delete"
    qtbot.waitUntil(lambda: window.model.row_of(local_id) is None)
    assert "Trash" in window.status.note_label.text()
    assert window.status.undo_button.isVisible()

    qtbot.mouseClick(window.status.undo_button, Qt.MouseButton.LeftButton)
    record = store.get(local_id)
    assert record is not None and not record.deleted
    assert record.sync_state == "synced", "delete then undo cancels out: nothing to send"
    qtbot.waitUntil(lambda: window.model.row_of(local_id) is not None)
    assert not window.status.undo_button.isVisible()


def test_delete_in_a_text_field_edits_text_not_jobs(window: MainWindow, qtbot: Any) -> None:
    window.table.selectRow(0)
    title = window.detail.editors["title"]
    title.setFocus()  # type: ignore[attr-defined]
    title.setCursorPosition(0)  # type: ignore[attr-defined]
    qtbot.keyClick(title, Qt.Key.Key_Delete)
    assert window.session.store.count(JobQuery(deleted="only")) == \
        window.sidebar.count("trash")
    assert window.detail.is_dirty()
    window.detail.cancel()


def test_several_selected_jobs_go_together(window: MainWindow, qtbot: Any) -> None:
    store = window.session.store
    before = store.count(JobQuery(deleted="only"))
    window.table.selectRow(0)
    window.table.setSelectionMode(window.table.selectionMode())
    model = window.table.selectionModel()
    for row in (1, 2):
        model.select(window.model.index(row, 0), model.SelectionFlag.Select
                     | model.SelectionFlag.Rows)
    assert len(window.table.selected_ids()) == 3
    window.delete_action.trigger()
    assert store.count(JobQuery(deleted="only")) == before + 3
    assert window.status.note_label.text() == "Moved 3 jobs to the Trash"


def test_restore_from_the_trash(window: MainWindow, qtbot: Any) -> None:
    store = window.session.store
    first, second = window.model.ids()[:2]
    window.session.delete_jobs([first, second])
    window.sidebar.select("trash")
    qtbot.waitUntil(lambda: window.settled() and sorted(window.model.ids()) == sorted(
        [first, second]))
    assert window.restore_action.isVisible() and not window.delete_action.isVisible()

    window.table.select_job(first)
    assert window.detail.notice_button.text() == "Restore"
    assert not window.detail.editors["title"].isEnabled()  # type: ignore[attr-defined]
    qtbot.mouseClick(window.detail.notice_button, Qt.MouseButton.LeftButton)
    record = store.get(first)
    assert record is not None and not record.deleted
    assert record.sync_state == "synced", "the delete never left: nothing to send"

    window.table.select_job(second)
    window.restore_action.trigger()
    assert "Restored 1 job" in window.status.note_label.text()
    qtbot.waitUntil(lambda: window.model.ids() == [])
    window.sidebar.select("all")
    qtbot.waitUntil(lambda: window.model.row_of(first) is not None
                    and window.model.row_of(second) is not None)


def test_a_large_selection_moves_on_the_writer_thread_and_undoes_there_too(
        window: MainWindow, qtbot: Any) -> None:
    store, session = window.session.store, window.session
    session.MOVE_BATCH = 2
    before = store.count(JobQuery(deleted="only"))
    window.table.selectAll()
    ids = window.table.selected_ids()
    assert len(ids) > 2
    window.delete_action.trigger()
    # Nothing has come back from the writer yet: the window said what is under way.
    assert window.status.note_label.text() == f"Moving {len(ids)} jobs to the Trash…"
    qtbot.waitUntil(lambda: window.status.note_label.text()
                    == f"Moved {len(ids)} jobs to the Trash")
    assert store.count(JobQuery(deleted="only")) == before + len(ids)
    qtbot.waitUntil(lambda: window.model.ids() == [])
    qtbot.mouseClick(window.status.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.status.note_label.text()
                    == f"Undone: Trash {len(ids)} jobs")
    assert store.count(JobQuery(deleted="only")) == before
    qtbot.waitUntil(lambda: sorted(window.model.ids()) == sorted(ids))


def test_closing_finishes_a_move_under_way(session: Session, demo_data: DemoData) -> None:
    store = session.store
    ids = store.ids(JobQuery())
    session.MOVE_BATCH = 5
    session.delete_jobs(ids)
    session.restore_jobs(ids[:10])  # queued behind the first move
    session.close()
    assert store.count(JobQuery()) == 10
    assert store.count(JobQuery(deleted="only")) == len(ids) - 10


def test_an_edit_saved_during_a_large_move_gets_in_between_its_batches(
        session: Session, qtbot: Any) -> None:
    store = session.store
    seed(store, jobs=600)
    ids = store.ids(JobQuery(sort="job_number"))
    session.MOVE_BATCH = 20
    finished: list[int] = []
    session.delete_jobs(ids, lambda records: finished.append(len(records)))
    qtbot.waitUntil(lambda: store.count(JobQuery(deleted="only")) >= 1)
    # The move holds the write lock a batch at a time. Had it kept the lock until
    # done, this edit would wait for every batch and then find its job in the Trash.
    session.update_job(ids[-1], {"title": "Edited while the others moved"})
    qtbot.waitUntil(lambda: finished == [len(ids)])
    record = store.get(ids[-1])
    assert record is not None and record.deleted
    assert record["title"] == "Edited while the others moved"


def test_moves_happen_in_the_order_they_were_asked_for(
        session: Session, demo_data: DemoData, qtbot: Any) -> None:
    store = session.store
    ids = store.ids(JobQuery(sort="job_number"))[:20]
    session.MOVE_BATCH = 5
    finished: list[str] = []
    session.delete_jobs(ids, lambda _records: finished.append("trashed"))
    # Small enough to move at once, but a larger move is still on its way: it waits.
    session.restore_jobs(ids[:2], lambda _records: finished.append("restored"))
    qtbot.waitUntil(lambda: len(finished) == 2)
    assert finished == ["trashed", "restored"]
    assert [store.get(i).deleted for i in ids[:3]] == [False, False, True]  # type: ignore[union-attr]
