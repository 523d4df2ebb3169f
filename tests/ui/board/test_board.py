"""The status board on known jobs: columns and counts, cards, drag and drop, filters."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from desktop.core.jobs import WORKFLOW, Status, parse_server_job
from desktop.core.store import JobQuery, Store
from desktop.core.store.mirror import insert_server_jobs
from desktop.ui import formatting
from desktop.ui.board.cards import CARD_ROLE, CUSTOMER, PRIORITY, TITLE, WHEN
from desktop.ui.board.column import COLLAPSED_WIDTH, EXPANDED_WIDTH
from desktop.ui.board.page import BoardPage
from desktop.ui.jobs.detail_panel import DetailPanel
from desktop.ui.jobs.drag import job_mime
from desktop.ui.jobs.rows import SYNC_COLUMN
from desktop.ui.session import Session
from tests.conftest import make_customer


def _job(session: Session, customer: str, title: str, **values: object) -> int:
    return session.store.create_job({"customer_uuid": customer, "title": title,
                                     **values}).local_id


def _server_job(store: Store, customer: str, **values: object) -> int:
    job = parse_server_job({"uuid": str(uuid.uuid4()), "customer_uuid": customer,
                            "updated_at": "2025-01-01T00:00:00Z", **values})
    with store.write() as conn:
        insert_server_jobs(conn, [job])
    found = store.get_by_uuid(job.uuid)
    assert found is not None
    return found.local_id


@pytest.fixture
def jobs(session: Session) -> dict[str, int]:
    """Known jobs: three New, two Scheduled, one Complete, one the server's "On Hold",
    and a Scheduled one in the Trash."""
    ada = make_customer(session.store)
    bob = make_customer(session.store, "Bob", "Builder")
    made = {
        "faucet": _job(session, ada, "Leaking faucet", status="New", priority="Emergency"),
        "fan": _job(session, bob, "Attic fan", status="New", is_urgent=True),
        "boiler": _job(session, ada, "Boiler service", status="New"),
        "drain": _job(session, bob, "Blocked drain", status="Scheduled",
                      scheduled_date="2025-03-10", scheduled_time_start="09:00",
                      scheduled_time_end="11:00"),
        "panel": _job(session, ada, "Panel upgrade", status="Scheduled",
                      scheduled_date="2025-03-12"),
        "heater": _job(session, bob, "Water heater", status="Complete"),
        "parts": _server_job(session.store, ada, title="Waiting for parts", status="On Hold"),
    }
    session.store.delete_job(_job(session, ada, "Old job", status="Scheduled"))
    return made


def _board(qtbot: Any, session: Session, query: JobQuery | None = None) -> BoardPage:
    board = BoardPage(session)
    qtbot.addWidget(board)
    board.resize(1400, 700)
    board.show()
    board.set_query(JobQuery(sort="title") if query is None else query)
    qtbot.waitUntil(board.settled)
    return board


def _titles(board: BoardPage, status: str | None) -> list[str]:
    column = board.column(status)
    return [column.model.card_at(row).texts[TITLE]  # type: ignore[union-attr]
            for row in range(column.model.rowCount())]


def _drop(target: QWidget, local_id: int) -> None:
    """What the mouse does at the end of a drag: enter the target, then drop."""
    mime, where = job_mime(local_id), target.rect().center()
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where, Qt.DropAction.MoveAction, mime, buttons, keys)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(target, QDropEvent(QPointF(where), Qt.DropAction.MoveAction, mime,
                                              buttons, keys))


def test_columns_follow_the_api_statuses_with_counts(qtbot: Any, session: Session,
                                                     jobs: dict[str, int]) -> None:
    board = _board(qtbot, session)
    assert [c.title for c in board.columns] == [*(s.value for s in WORKFLOW), "Other"]
    counts = {c.title: c.model.total for c in board.columns}
    assert counts == {**{s.value: 0 for s in Status}, "New": 3, "Scheduled": 2,
                      "Complete": 1, "Other": 1}
    assert board.column("New").header.count_text == "3"
    assert _titles(board, "New") == ["Attic fan", "Boiler service", "Leaking faucet"]
    assert _titles(board, "Scheduled") == ["Blocked drain", "Panel upgrade"]
    # The server's status this version does not know has a column of its own.
    assert board.column("On Hold") is board.other
    assert not board.other.isHidden()
    assert _titles(board, None) == ["Waiting for parts"]
    board.set_query(JobQuery(statuses=("New",)))
    qtbot.waitUntil(board.settled)
    assert board.other.isHidden()


def test_a_card_shows_title_customer_date_priority_and_sync_mark(
        qtbot: Any, session: Session, jobs: dict[str, int]) -> None:
    board = _board(qtbot, session)
    model = board.column("Scheduled").model
    card = model.data(model.index(0), CARD_ROLE)
    assert card.texts[TITLE] == "Blocked drain"
    assert card.texts[CUSTOMER] == "Bob Builder"
    assert card.texts[WHEN] == formatting.schedule("2025-03-10", "09:00", "11:00", date.today())
    assert card.texts[SYNC_COLUMN] == "Waiting"  # created here, not sent yet
    assert model.data(model.index(0)) == "Blocked drain"
    assert "Bob Builder" in model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)
    new = board.column("New").model
    emergency, urgent, plain = (new.data(new.index(row), CARD_ROLE) for row in (2, 0, 1))
    assert (emergency.texts[PRIORITY], emergency.alert) == ("Emergency", True)
    assert (urgent.texts[PRIORITY], urgent.alert) == ("Normal · urgent", True)
    assert (plain.texts[PRIORITY], plain.alert) == ("Normal", False)
    synced = board.other.model.data(board.other.model.index(0), CARD_ROLE)
    assert synced.texts[SYNC_COLUMN] == ""
    assert not board.grab().isNull()


def _changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {f for f in after if after[f] != before[f] and f != "updated_at"}


def test_a_drop_moves_the_job_as_the_quick_actions_do(qtbot: Any, session: Session,
                                                       jobs: dict[str, int]) -> None:
    board = _board(qtbot, session)
    store = session.store
    notes: list[str] = []
    board.message.connect(notes.append)
    drain = jobs["drain"]
    before = dict(store.get(drain).values)  # type: ignore[union-attr]
    started = datetime.now(UTC)
    in_progress = board.column("In Progress")
    assert in_progress.folded  # empty until now
    _drop(in_progress.strip, drain)

    after = store.get(drain)
    assert after is not None and after.values["status"] == "In Progress"
    assert after.sync_state == "pending"
    stamp = datetime.fromisoformat(after.values["started_at"].replace("Z", "+00:00"))
    assert started - timedelta(seconds=1) <= stamp <= datetime.now(UTC)
    assert _titles(board, "Scheduled") == ["Panel upgrade"]
    assert _titles(board, "In Progress") == ["Blocked drain"]
    assert in_progress.model.total == 1 and not in_progress.folded
    assert in_progress.cards.current_id() == drain
    assert notes == ["Moved “Blocked drain” to In Progress"]

    # The detail panel's Start changes the very same fields of a twin job.
    panel = DetailPanel(session)
    qtbot.addWidget(panel)
    panel.show_job(jobs["panel"])
    twin_before = dict(store.get(jobs["panel"]).values)  # type: ignore[union-attr]
    panel.start()
    twin_after = store.get(jobs["panel"]).values  # type: ignore[union-attr]
    assert _changed(twin_before, twin_after) == _changed(before, after.values) == {
        "status", "started_at"}

    # Complete, dropped on the open column, records the finish as the Complete button does,
    # once the amount and work note are asked for (here left empty).
    _drop(board.column("Complete").cards.viewport(), drain)
    assert board.completion is not None
    assert store.get(drain) == after, "nothing moves until the question is answered"
    qtbot.mouseClick(board.completion.complete_button, Qt.MouseButton.LeftButton)
    assert board.completion is None
    done = store.get(drain)
    assert done is not None and done.values["status"] == "Complete"
    assert done.values["completed_at"] and done.values["started_at"] == after.values[
        "started_at"]
    assert _titles(board, "Complete") == ["Blocked drain", "Water heater"]
    # The panel's Start moved its job onto the board too.
    assert _titles(board, "In Progress") == ["Panel upgrade"]


def test_an_invalid_move_is_refused_with_a_reason_and_changes_nothing(
        qtbot: Any, session: Session, jobs: dict[str, int]) -> None:
    board = _board(qtbot, session)
    notes: list[str] = []
    board.message.connect(notes.append)
    heater = jobs["heater"]
    before = session.store.get(heater)
    changed: list[list[int]] = []
    session.jobs_changed.connect(changed.append)

    _drop(board.column("In Progress").strip, heater)
    assert notes == ["“Water heater” not moved: Status cannot move from Complete to In "
                     "Progress: the job has already been started"]
    _drop(board.other.cards.viewport(), heater)
    assert "Other" in notes[-1] and "not moved" in notes[-1]

    assert session.store.get(heater) == before
    assert changed == []
    assert _titles(board, "Complete") == ["Water heater"]
    assert board.column("In Progress").model.total == 0


def test_filters_narrow_the_board(qtbot: Any, session: Session, jobs: dict[str, int]) -> None:
    board = _board(qtbot, session, JobQuery(priority="Emergency"))
    assert {c.title: c.model.total for c in board.columns if c.model.total} == {"New": 1}
    assert _titles(board, "New") == ["Leaking faucet"]
    board.set_query(JobQuery(search="drain", sort="title"))
    qtbot.waitUntil(board.settled)
    assert {c.title: c.model.total for c in board.columns if c.model.total} == {
        "Scheduled": 1}
    board.set_query(None)
    qtbot.waitUntil(board.settled)
    assert not board.hint.isHidden() and "No job" in board.hint.text()
    assert all(c.model.total == 0 for c in board.columns)
    board.set_query(JobQuery(deleted="only"))
    assert "Trash" in board.hint.text()


def test_empty_columns_fold_to_a_strip_and_unfold(qtbot: Any, session: Session,
                                                  jobs: dict[str, int]) -> None:
    board = _board(qtbot, session)
    folded = {c.title for c in board.columns[:-1] if c.folded}
    assert folded == {s.value for s in Status} - {"New", "Scheduled", "Complete"}
    invoiced = board.column("Invoiced")
    assert invoiced.width() == COLLAPSED_WIDTH and invoiced.cards.isHidden()
    assert not invoiced.strip.isHidden()
    qtbot.mouseClick(invoiced.strip, Qt.MouseButton.LeftButton)
    assert not invoiced.folded and invoiced.width() == EXPANDED_WIDTH
    assert not invoiced.cards.isHidden()
    new = board.column("New")
    qtbot.mouseClick(new.header.collapse, Qt.MouseButton.LeftButton)
    assert new.folded and new.width() == COLLAPSED_WIDTH
    assert "New  3" in f"{new.header.title}  {new.header.count_text}"


def test_double_click_or_enter_opens_the_job(qtbot: Any, session: Session,
                                             jobs: dict[str, int]) -> None:
    board = _board(qtbot, session)
    cards = board.column("Scheduled").cards
    viewport = cards.viewport()
    centre = QPointF(cards.visualRect(cards.model().index(1, 0)).center())
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    # QTest's own double click does not reach item views offscreen: the second press
    # is sent as the event the platform would make of it.
    double = QMouseEvent(QEvent.Type.MouseButtonDblClick, centre, viewport.mapToGlobal(centre),
                         Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(board.job_activated) as opened:
        QApplication.sendEvent(viewport, double)
    assert opened.args == [jobs["panel"]]
    cards.setFocus()
    qtbot.keyClick(cards, Qt.Key.Key_Up)
    with qtbot.waitSignal(board.job_activated) as opened:
        qtbot.keyClick(cards, Qt.Key.Key_Return)
    assert opened.args == [jobs["drain"]]


def test_the_board_follows_edits_made_elsewhere(qtbot: Any, session: Session,
                                                jobs: dict[str, int]) -> None:
    board = _board(qtbot, session)
    session.update_job(jobs["boiler"], {"status": "Contacted"})
    assert _titles(board, "New") == ["Attic fan", "Leaking faucet"]
    assert _titles(board, "Contacted") == ["Boiler service"]
    # A new title puts the card in its sorted place.
    session.update_job(jobs["fan"], {"title": "Zone valve"})
    assert _titles(board, "New") == ["Leaking faucet", "Zone valve"]
    # A sync writes behind the board's back; refresh reads it again.
    with session.store.write() as conn:
        conn.exec_driver_sql("UPDATE jobs SET status = 'Invoiced', title = 'Heater (paid)' "
                             "WHERE local_id = ?", (jobs["heater"],))
    # Hidden (another view in front), the board puts the read off until it is shown.
    board.hide()
    board.refresh()
    assert board.settled() and board.column("Invoiced").model.total == 0
    board.show()
    qtbot.waitUntil(board.settled)
    assert _titles(board, "Invoiced") == ["Heater (paid)"]
    assert board.column("Complete").model.total == 0


def test_a_card_gone_from_the_mirror_is_read_once_not_on_every_paint(
        qtbot: Any, session: Session, jobs: dict[str, int], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    board = _board(qtbot, session)
    column = board.column("New")
    # Gone from the mirror (a sync removed it) after the board listed its id.
    with session.store.write() as conn:
        conn.exec_driver_sql("DELETE FROM jobs WHERE local_id = ?", (jobs["fan"],))
    column.model.reread()
    reads: list[list[int]] = []
    read_rows = session.store.rows
    monkeypatch.setattr(session.store, "rows",
                        lambda ids: reads.append(list(ids)) or read_rows(ids))
    for _paint in range(3):
        column.cards.viewport().repaint()
    # A repaint flushes the whole window's pending paints, so another column's first
    # paint may land here too: only this column's reads are counted.
    def column_reads() -> list[list[int]]:
        mine = set(column.model.ids())
        return [read for read in reads if mine.intersection(read)]
    assert column_reads() == [column.model.ids()], "one read of the column's cards, then none"
    gone = column.model.row_of(jobs["fan"])
    assert gone is not None
    assert column.model.card_at(gone) is None, "it paints as a blank card"
    assert len(column_reads()) == 1


def test_a_drop_on_complete_asks_for_the_amount_and_note_then_names_the_next_job(
        qtbot: Any, session: Session, jobs: dict[str, int]) -> None:
    store = session.store
    me = "aaaaaaaa-0000-4000-8000-000000000001"
    session.settings.my_user_id = me
    today = date.today().isoformat()
    bob = make_customer(store, "Bob", "Builder")
    now = _job(session, bob, "Fix the tap", status="In Progress", scheduled_date=today,
               assigned_to_user_id=me)
    later = _job(session, bob, "Boiler check", status="Scheduled", scheduled_date=today,
                 scheduled_time_start="23:59", assigned_to_user_id=me)
    board = _board(qtbot, session)
    notes: list[str] = []
    board.message.connect(notes.append)
    _drop(board.column("Complete").cards.viewport(), now)
    dialog = board.completion
    assert dialog is not None and dialog.isVisible()
    dialog.amount.setText("12,5")
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and board.completion is dialog
    assert dialog.error.text().startswith("Actual ") and "ambiguous" in dialog.error.text()
    assert store.get(now).values["status"] == "In Progress"  # type: ignore[union-attr]

    dialog.amount.setText("180.00")
    dialog.note.setPlainText("Replaced the washer")
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    done = store.get(now)
    assert done is not None and done.values["status"] == "Complete"
    assert str(done.values["actual_amount"]) == "180.00"
    assert done.values["internal_notes"] == f"Work done {today}: Replaced the washer"
    number = store.get(later).values["job_number"] or "(new job)"  # type: ignore[union-attr]
    assert notes[-1] == (f"Moved “Fix the tap” to Complete · next today for Me: {number} at "
                         "23:59, Boiler check for Bob Builder")
    assert "Fix the tap" in _titles(board, "Complete")


def test_cancelling_the_completion_leaves_the_job_where_it_was(
        qtbot: Any, session: Session, jobs: dict[str, int]) -> None:
    board = _board(qtbot, session)
    before = session.store.get(jobs["drain"])
    _drop(board.column("Complete").cards.viewport(), jobs["drain"])
    assert board.completion is not None
    board.completion.reject()
    assert board.completion is None
    assert session.store.get(jobs["drain"]) == before
    assert "Blocked drain" in _titles(board, "Scheduled")
