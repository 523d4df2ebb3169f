"""A value the server sent out of range is shown under its field, and never blocks a save."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.jobs import parse_server_job
from desktop.core.store import Store
from desktop.core.store.mirror import insert_server_jobs
from desktop.emulator.demo_data import DemoData
from desktop.ui.main_window import MainWindow
from desktop.ui.widgets.fields import MoneyEdit, TextEdit

FLAGGED = "0b7e8b0e-8d2c-4c55-9d59-5c2f5a8a1f00"


@pytest.fixture
def flagged_job(store: Store, demo_data: DemoData) -> int:
    customer = demo_data.customers[0]["uuid"]
    job = parse_server_job({
        "uuid": FLAGGED, "job_number": "J-FLAG", "customer_uuid": customer,
        "title": "Refund", "status": "Scheduled", "priority": "Normal",
        "estimated_amount": -5, "scheduled_time_start": "9am",
        "updated_at": "2025-02-18T14:30:00.000Z",
    })
    with store.write() as conn:
        insert_server_jobs(conn, [job])
    record = store.get_by_uuid(FLAGGED)
    assert record is not None
    return record.local_id


def _select(window: MainWindow, qtbot: Any, local_id: int) -> None:
    row = window.model.row_of(local_id)
    assert row is not None
    window.table.selectRow(row)
    qtbot.waitUntil(lambda: window.detail.current_id == local_id)


def _retype(qtbot: Any, widget: TextEdit, text: str) -> None:
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    qtbot.keyClicks(widget, text)


def test_a_flagged_value_is_shown_kept_and_does_not_block_other_edits(
        flagged_job: int, window: MainWindow, qtbot: Any) -> None:
    _select(window, qtbot, flagged_job)
    panel = window.detail
    amount = panel.editors["estimated_amount"]
    assert isinstance(amount, MoneyEdit) and amount.text() == "-5.00"
    note = panel._errors["estimated_amount"]
    assert note.isVisible()
    assert note.text() == "Flagged: the server sent -5: must be zero or more"
    assert 'the server sent "9am"' in panel._errors["scheduled_time_start"].text()

    title = panel.editors["title"]
    assert isinstance(title, TextEdit)
    _retype(qtbot, title, "Refund the deposit")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = window.session.store.get(flagged_job)
    assert saved is not None
    assert saved.values["title"] == "Refund the deposit" and saved.sync_state == "pending"
    assert saved.values["estimated_amount"] == Decimal("-5.00")
    assert note.isVisible() and "must be zero or more" in note.text()

    # Typing over the odd value makes it the user's: the flag goes, the rules apply.
    _retype(qtbot, amount, "-5")
    assert "Estimate" in note.text() and "zero or more" in note.text()
    assert not note.text().startswith("Flagged")
    _retype(qtbot, amount, "5")
    assert not note.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    fixed = window.session.store.get(flagged_job)
    assert fixed is not None and fixed.values["estimated_amount"] == Decimal("5.00")
    assert set(fixed.flags) == {"scheduled_time_start"}
    assert not note.isVisible()
