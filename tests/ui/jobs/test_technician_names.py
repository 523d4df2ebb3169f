"""Technicians by name in the window: the Assigned picker (and naming an id in place),
the filter bar's technicians, the Settings "I am:" pick and the board's cards."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from desktop.core.jobs import parse_server_job, wire_value
from desktop.core.store import JobQuery
from desktop.core.store import team as team_store
from desktop.core.store.mirror import apply_remote
from desktop.emulator.demo_data import DemoData
from desktop.ui.board.cards import TECHNICIAN_ROLE
from desktop.ui.board.page import BoardPage
from desktop.ui.jobs.conflict_dialog import ConflictDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.settings_dialog import SettingsDialog


@pytest.fixture
def named(window: MainWindow, demo_data: DemoData, qtbot: Any) -> tuple[str, str]:
    """The first technician named Alex Rivera, the second left unnamed."""
    alex, other = demo_data.technician_ids[:2]
    team_store.name(window.session.store, [(alex, "Alex Rivera")])
    window.session.refresh_team()
    qtbot.waitUntil(window.settled)
    return alex, other


def _job_of(window: MainWindow, user_id: str) -> int:
    return window.session.store.ids(JobQuery(assigned_to=user_id))[0]


def test_the_assigned_picker_shows_names_and_names_an_id_in_place(
        window: MainWindow, named: tuple[str, str], qtbot: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    alex, other = named
    window.show_job(_job_of(window, other))
    picker = window.detail.technician_picker
    qtbot.waitUntil(lambda: picker.value() == other)
    assert picker.combo.currentText() == f"Technician {other[:4]}"
    assert picker.name_button.isVisibleTo(window)
    assert picker.combo.findText("Alex Rivera") > 0
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("  Bo   Chen ", True))
    picker.name_button.click()
    assert window.session.team_names[other] == "Bo Chen"
    assert picker.combo.currentText() == "Bo Chen" and picker.value() == other
    assert not picker.name_button.isVisibleTo(window)
    assert window.filters.assignee.findText("Bo Chen") >= 2, "the filter bar heard too"
    assert not window.detail.is_dirty(), "naming is not an edit of the job"

    picker.combo.setCurrentIndex(picker.combo.findText("Alex Rivera"))
    picker.combo.activated.emit(picker.combo.currentIndex())
    assert window.detail.is_dirty()
    assert window.detail.save()
    record = window.session.store.get(_job_of(window, alex))
    assert record is not None and record["assigned_to_user_id"] == alex


def test_a_bad_name_is_refused_with_its_reason(
        window: MainWindow, named: tuple[str, str], qtbot: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _alex, other = named
    window.show_job(_job_of(window, other))
    notes: list[str] = []
    window.detail.message.connect(notes.append)
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("   ", True))
    window.detail.technician_picker.name_button.click()
    assert notes == ["Not named: the name is empty"]
    assert other not in window.session.team_names


def test_the_filter_bar_offers_each_technician(
        window: MainWindow, named: tuple[str, str], demo_data: DemoData, qtbot: Any) -> None:
    alex, other = named
    combo = window.filters.assignee
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert offered[:3] == ["Anyone", "Me", "Alex Rivera"]
    assert f"Technician {other[:4]}" in offered
    assert len(offered) == 2 + len(set(demo_data.technician_ids)
                                   & {m.user_id for m in window.session.team})
    combo.setCurrentIndex(2)
    combo.activated.emit(2)
    qtbot.waitUntil(window.settled)
    expected = window.session.store.ids(replace(
        JobQuery(assigned_to=alex), sort=window.model.sort_key,
        descending=window.model.descending))
    assert window.model.ids() == expected and expected
    combo.setEditText("alex rivera")
    assert window.filters.filters().assigned_to == alex, "a typed name, any case"


def test_settings_ask_who_i_am_from_the_team(
        window: MainWindow, named: tuple[str, str], qtbot: Any) -> None:
    alex, _other = named
    window.settings_action.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    choice = dialog.my_user_id
    assert choice.accessibleName() == "I am"
    choice.setCurrentIndex(choice.findText("Alex Rivera"))
    dialog.save()
    assert window.session.settings.my_user_id == alex
    dialog.close()


def test_board_cards_name_their_technician(
        window: MainWindow, named: tuple[str, str], qtbot: Any) -> None:
    alex, _other = named
    window.show_page("board")
    qtbot.waitUntil(window.settled)
    board = window.findChild(BoardPage)
    assert board is not None
    seen: set[str] = set()
    for column in board.columns:
        model = column.model
        for row in range(model.rowCount()):
            qtbot.waitUntil(lambda m=model, r=row: m.card_at(r) is not None)
            index = model.index(row, 0)
            card = model.card_at(row)
            seen.add(index.data(TECHNICIAN_ROLE))
            if card.assignee == alex:
                assert index.data(TECHNICIAN_ROLE) == "Alex Rivera"
                assert "Alex Rivera" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "Alex Rivera" in seen


def test_a_conflict_over_the_technician_names_both_sides(
        window: MainWindow, named: tuple[str, str], qtbot: Any) -> None:
    alex, other = named
    store = window.session.store
    record = store.get(_job_of(window, alex))
    assert record is not None and record.uuid is not None
    store.update_job(record.local_id, {"assigned_to_user_id": other})
    theirs = {**record.values, "uuid": record.uuid, "assigned_to_user_id": None,
              "updated_at": "2099-01-01T00:00:00.000Z"}
    with store.write() as conn:
        apply_remote(conn, store.get(record.local_id), parse_server_job(
            {k: wire_value(v) for k, v in theirs.items()}))
    conflicted = store.get(record.local_id)
    assert conflicted is not None and conflicted.sync_state == "conflict"
    dialog = ConflictDialog(window.session, conflicted, window)
    qtbot.addWidget(dialog)
    buttons = dialog._buttons["assigned_to_user_id"]
    assert (buttons["mine"].text(), buttons["theirs"].text()) == (
        f"Technician {other[:4]}", "Unassigned")
