"""Editing a job in the detail panel, through the real widgets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, QUrlQuery, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from desktop.core.store import JobQuery
from desktop.ui.main_window import MainWindow
from desktop.ui.widgets.fields import ChoiceEdit, MoneyEdit, TextEdit, TimeEdit


def _select_first(window: MainWindow, qtbot: Any, **where: Any) -> int:
    """Select the first job in the list matching ``where`` (plain field values)."""
    store = window.session.store
    for row in range(window.model.rowCount()):
        local_id = window.model.id_at(row)
        assert local_id is not None
        record = store.get(local_id)
        assert record is not None
        if all(record.values[k] == v for k, v in where.items()):
            window.table.selectRow(row)
            qtbot.waitUntil(lambda i=local_id: window.detail.current_id == i)
            return local_id
    raise AssertionError(f"no job with {where}")


def _retype(qtbot: Any, widget: TextEdit, text: str) -> None:
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    qtbot.keyClicks(widget, text)


def test_invalid_input_is_named_and_blocks_saving_then_valid_input_saves(
        window: MainWindow, qtbot: Any) -> None:
    local_id = _select_first(window, qtbot, status="Scheduled")
    panel = window.detail
    before = window.session.store.get(local_id)
    assert before is not None
    amount = panel.editors["estimated_amount"]
    assert isinstance(amount, MoneyEdit)
    _retype(qtbot, amount, "12.345")
    error = panel._errors["estimated_amount"]
    assert error.isVisible()
    assert "Estimate" in error.text() and "2 decimal places" in error.text()
    assert amount.property("invalid") is True

    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.session.store.get(local_id) == before, "nothing invalid reaches the store"
    assert "Not saved" in window.status.note_label.text()

    _retype(qtbot, amount, "1,250.5")
    assert not error.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    after = window.session.store.get(local_id)
    assert after is not None
    assert str(after.values["estimated_amount"]) == "1250.50"
    assert after.sync_state == "pending"
    assert "waiting to sync" in panel.notice_text.text()
    row = window.model.row_of(local_id)
    assert row is not None
    mark = window.model.index(row, 8)
    assert mark.data() == "Waiting"
    assert "Waiting to sync" in mark.data(Qt.ItemDataRole.ToolTipRole)


def test_time_window_rule_names_the_end_field(window: MainWindow, qtbot: Any) -> None:
    _select_first(window, qtbot, status="Scheduled")
    panel = window.detail
    start, end = panel.editors["scheduled_time_start"], panel.editors["scheduled_time_end"]
    assert isinstance(start, TimeEdit) and isinstance(end, TimeEdit)
    for combo, text in ((start, "10:00"), (end, "09:00")):
        combo.lineEdit().selectAll()
        qtbot.keyClicks(combo.lineEdit(), text)
    error = panel._errors["scheduled_time_end"]
    assert error.isVisible() and "after" in error.text()
    assert not panel.save()
    end.lineEdit().selectAll()
    qtbot.keyClicks(end.lineEdit(), "11:30")
    assert not error.isVisible()
    assert panel.save()


def test_escape_reverts_unsaved_edits(window: MainWindow, qtbot: Any) -> None:
    local_id = _select_first(window, qtbot)
    title = window.detail.editors["title"]
    assert isinstance(title, TextEdit)
    original = title.text()
    _retype(qtbot, title, "Something else")
    assert window.detail.is_dirty()
    qtbot.keyClick(title, Qt.Key.Key_Escape)
    assert title.text() == original and not window.detail.is_dirty()
    record = window.session.store.get(local_id)
    assert record is not None and record.sync_state == "synced"


def test_start_and_complete_record_status_and_time(window: MainWindow, qtbot: Any) -> None:
    local_id = _select_first(window, qtbot, status="Scheduled")
    panel = window.detail
    assert panel.start_button.isEnabled()
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    record = window.session.store.get(local_id)
    assert record is not None
    assert record.values["status"] == "In Progress"
    started = record.values["started_at"]
    assert started.endswith("Z") and len(started) == len("2025-02-18T14:30:00.000Z")
    moment = datetime.fromisoformat(started.replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - moment) < timedelta(seconds=30)
    assert record.sync_state == "pending"
    assert not panel.start_button.isEnabled()

    qtbot.mouseClick(panel.complete_button, Qt.MouseButton.LeftButton)
    dialog = panel.completion
    assert dialog is not None
    # A bad amount is refused in the dialog, naming the field; nothing is saved.
    dialog.amount.setText("abc")
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text().startswith("Actual must be an amount")
    assert window.session.store.get(local_id) == record
    dialog.amount.setText("240.5")
    dialog.note.setPlainText("New thermostat fitted")
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    assert panel.completion is None
    record = window.session.store.get(local_id)
    assert record is not None
    assert record.values["status"] == "Complete" and record.values["completed_at"]
    assert str(record.values["actual_amount"]) == "240.50"
    assert record.values["internal_notes"].endswith(
        f"Work done {date.today().isoformat()}: New thermostat fitted")
    assert not panel.complete_button.isEnabled()
    assert window.status.note_label.text().startswith(
        f"Completed {record.values['job_number']} · waiting to sync")


def test_choosing_complete_in_the_status_field_asks_too(window: MainWindow,
                                                       qtbot: Any) -> None:
    local_id = _select_first(window, qtbot, status="Scheduled")
    panel = window.detail
    before = window.session.store.get(local_id)
    assert before is not None
    status = panel.editors["status"]
    assert isinstance(status, ChoiceEdit)
    status.setCurrentText("Complete")
    status.activated.emit(status.currentIndex())
    assert panel.is_dirty()
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert panel.completion is not None
    panel.completion.reject()
    assert window.session.store.get(local_id) == before, "cancelled: nothing saved"
    assert panel.is_dirty(), "the edit typed stays, to save or revert"
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert panel.completion is not None
    qtbot.mouseClick(panel.completion.complete_button, Qt.MouseButton.LeftButton)
    record = window.session.store.get(local_id)
    assert record is not None and record.values["status"] == "Complete"
    # Both were optional: left empty, neither is touched.
    assert (record.values["actual_amount"], record.values["internal_notes"]) == (
        before.values["actual_amount"], before.values["internal_notes"])


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_call_and_navigate_open_phone_and_map_links(window: MainWindow, qtbot: Any) -> None:
    local_id = _select_first(window, qtbot)
    record = window.session.store.get(local_id)
    assert record is not None
    customer = window.session.store.customer(record.values["customer_uuid"])
    assert customer is not None and customer.phone
    catcher = _UrlCatcher()
    for scheme in ("tel", "https", "maps"):
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    try:
        qtbot.mouseClick(window.detail.call_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(window.detail.navigate_button, Qt.MouseButton.LeftButton)
    finally:
        for scheme in ("tel", "https", "maps"):
            QDesktopServices.unsetUrlHandler(scheme)
    phone, place = catcher.urls
    assert phone.toString() == "tel:" + "".join(c for c in customer.phone if c.isdigit())
    address = QUrlQuery(place).queryItemValue("query", QUrl.ComponentFormattingOption
                                              .FullyDecoded)
    assert record.values["service_address1"] in address
    assert record.values["service_city"] in address


def test_new_job_with_customer_picked_from_the_mirror(window: MainWindow, qtbot: Any) -> None:
    store = window.session.store
    before = store.count(JobQuery())
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    panel = window.detail
    assert panel.creating
    title = panel.editors["title"]
    assert isinstance(title, TextEdit)
    assert QApplication.focusWidget() is title

    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert store.count(JobQuery()) == before
    assert panel._errors["title"].isVisible() and panel._errors["customer_uuid"].isVisible()

    qtbot.keyClicks(title, "Replace kitchen tap")
    customer = store.customers()[0]
    picker = panel.customer_picker
    qtbot.keyClicks(picker, (customer.last_name or "")[:4])
    completer = picker.completer()
    qtbot.waitUntil(lambda: completer.popup().isVisible())
    popup = completer.popup()
    match = next(r for r in range(popup.model().rowCount())
                 if customer.display_name in popup.model().index(r, 0).data())
    popup.setCurrentIndex(popup.model().index(match, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picker.value() == customer.uuid
    assert picker.text() == customer.display_name
    assert not panel._errors["customer_uuid"].isVisible()

    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert store.count(JobQuery()) == before + 1
    created = store.page(JobQuery(sync_states=("pending",)), 0, 5)
    assert [r.values["title"] for r in created] == ["Replace kitchen tap"]
    assert created[0].pending_op == "create"
    assert not panel.creating
    qtbot.waitUntil(lambda: window.table.current_id() == created[0].local_id)


def test_escape_cancels_a_new_job(window: MainWindow, qtbot: Any) -> None:
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.detail.editors["title"], "Never mind")
    qtbot.keyClick(window.detail.editors["title"], Qt.Key.Key_Escape)
    assert not window.detail.creating
    assert window.session.store.count(JobQuery(sync_states=("pending",))) == 0


def test_moving_to_another_job_saves_what_was_typed(window: MainWindow, qtbot: Any) -> None:
    local_id = _select_first(window, qtbot, status="Scheduled")
    _retype(qtbot, window.detail.editors["title"], "Replace the relief valve")
    other = window.model.id_at(0 if window.model.id_at(0) != local_id else 1)
    assert other is not None
    window.table.select_job(other)
    qtbot.waitUntil(lambda: window.detail.current_id == other)
    saved = window.session.store.get(local_id)
    assert saved is not None
    assert saved.values["title"] == "Replace the relief valve"
    assert saved.sync_state == "pending"
    assert window.table.current_id() == other, "the selection stays where the user put it"


def test_moving_away_from_invalid_edits_keeps_them_and_the_job(window: MainWindow,
                                                              qtbot: Any) -> None:
    local_id = _select_first(window, qtbot, status="Scheduled")
    before = window.session.store.get(local_id)
    amount = window.detail.editors["estimated_amount"]
    assert isinstance(amount, MoneyEdit)
    _retype(qtbot, amount, "12.345")
    other = window.model.id_at(0 if window.model.id_at(0) != local_id else 1)
    assert other is not None
    window.table.select_job(other)
    qtbot.waitUntil(lambda: window.table.current_id() == local_id)
    assert window.detail.current_id == local_id
    assert amount.text() == "12.345", "what was typed is still there to fix"
    assert window.session.store.get(local_id) == before
    assert "Not saved" in window.status.note_label.text()


def test_saving_a_time_that_books_the_technician_twice_says_so_naming_the_other_job(
        window: MainWindow, qtbot: Any) -> None:
    store = window.session.store
    first, second = window.model.ids()[:2]
    technician = "aaaaaaaa-0000-4000-8000-000000000001"
    day = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    for local_id, start, end in ((first, "13:00", "14:00"), (second, "09:00", "10:30")):
        store.update_job(local_id, {"scheduled_date": day, "scheduled_time_start": start,
                                    "scheduled_time_end": end,
                                    "assigned_to_user_id": technician})
    other = store.get(second)
    assert other is not None
    window.table.select_job(first)
    qtbot.waitUntil(lambda: window.detail.current_id == first)
    start, end = (window.detail.editors[f] for f in ("scheduled_time_start",
                                                    "scheduled_time_end"))
    assert isinstance(start, TimeEdit) and isinstance(end, TimeEdit)
    for combo, text in ((start, "10:00"), (end, "11:00")):
        combo.lineEdit().selectAll()
        qtbot.keyClicks(combo.lineEdit(), text)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = store.get(first)
    assert saved is not None and saved["scheduled_time_start"] == "10:00"
    note = window.status.note_label.text()
    assert note.startswith("Saved") and "Double-booked" in note
    assert f"{other['job_number']} (09:00\u201310:30)" in note

    # Moved clear of it, the save says nothing of a double booking.
    for combo, text in ((start, "15:00"), (end, "16:00")):
        combo.lineEdit().selectAll()
        qtbot.keyClicks(combo.lineEdit(), text)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "Double-booked" not in window.status.note_label.text()
