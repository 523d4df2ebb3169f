"""The list, schedule, board and dashboard pages of the main window, and its File menu."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from desktop.core.jobs import Status
from desktop.core.schedule import week_start
from desktop.core.store import JobQuery
from desktop.emulator.demo_data import DemoData
from desktop.ui.main_window import MainWindow


def _press(qtbot: Any, window: MainWindow, key: Qt.Key) -> None:
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.settled)


def test_each_page_is_a_key_away_and_shows_the_filtered_jobs(window: MainWindow,
                                                             qtbot: Any) -> None:
    _press(qtbot, window, Qt.Key.Key_3)
    assert window.pages.currentWidget() is window.board
    assert window.board.column(Status.SCHEDULED.value).model.total > 0
    for action in window.filters.status.menu().actions():
        if action.text() == Status.NEW.value:
            action.trigger()
    window.filters.flush()
    qtbot.waitUntil(window.settled)
    new_jobs = window.session.store.count(JobQuery(statuses=(Status.NEW.value,)))
    assert window.board.column(Status.NEW.value).model.total == new_jobs > 0
    assert window.board.column(Status.SCHEDULED.value).model.total == 0

    _press(qtbot, window, Qt.Key.Key_2)
    assert window.pages.currentWidget() is window.schedule
    _press(qtbot, window, Qt.Key.Key_4)
    assert window.pages.currentWidget() is window.dashboard
    assert not window.detail.isVisible()
    _press(qtbot, window, Qt.Key.Key_1)
    assert window.pages.currentWidget() is window.table
    assert window.detail.isVisible()


def test_a_job_opened_on_a_page_shows_in_the_detail_panel(window: MainWindow,
                                                         qtbot: Any) -> None:
    window.show_page("board")
    qtbot.waitUntil(window.settled)
    local_id = window.board.column(Status.SCHEDULED.value).model.ids()[0]
    window.board.job_activated.emit(local_id)
    assert window.detail.current_id == local_id


def test_the_hidden_list_selection_is_never_acted_on(window: MainWindow, qtbot: Any) -> None:
    window.table.selectRow(0)
    assert window.delete_action.isEnabled()
    window.show_page("schedule")
    assert not window.delete_action.isEnabled()
    selected = window.table.selected_ids()
    window.delete_selected()
    assert all(not window.session.store.get(i).deleted for i in selected)  # type: ignore[union-attr]


def _save_as(qtbot: Any, window: MainWindow, path: Path) -> None:
    qtbot.waitUntil(lambda: window.findChild(QFileDialog) is not None)
    dialog = window.findChild(QFileDialog)
    dialog.selectFile(str(path))
    dialog.accept()
    qtbot.waitUntil(path.exists)


def test_export_list_writes_what_the_list_shows(window: MainWindow, qtbot: Any,
                                                tmp_path: Path) -> None:
    for action in window.filters.status.menu().actions():
        if action.text() == Status.SCHEDULED.value:
            action.trigger()
    window.filters.flush()
    qtbot.waitUntil(window.settled)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    path = tmp_path / "scheduled.csv"
    _save_as(qtbot, window, path)
    qtbot.waitUntil(lambda: "Exported" in window.status.note_label.text())
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))[1:]
    assert len(rows) == window.model.rowCount() > 0
    assert {r[3] for r in rows} == {Status.SCHEDULED.value}


def test_sheets_say_what_they_need_first(window: MainWindow, qtbot: Any) -> None:
    menu = window.file_menu
    menu.print_job_sheet()
    assert "Select a job first" in window.status.note_label.text()
    menu.save_route_sheet()
    assert "Choose a technician" in window.status.note_label.text()
    assert window.findChild(QFileDialog) is None


def test_route_sheet_is_for_the_filtered_technician_on_the_schedules_day(
        window: MainWindow, qtbot: Any, demo_data: DemoData, tmp_path: Path) -> None:
    store = window.session.store
    tech = demo_data.technician_ids[0]
    jobs = store.page(JobQuery(assigned_to=tech, date_from=week_start(window.schedule.anchor)),
                      0, 1)
    assert jobs, "the demo data schedules this technician"
    day = jobs[0].values["scheduled_date"][:10]
    window.filters.assignee.setEditText(tech)
    window.filters.changed.emit()
    window.show_page("schedule")
    window.schedule.show_day(date.fromisoformat(day))
    qtbot.waitUntil(window.settled)
    path = tmp_path / "route.pdf"
    window.file_menu.save_route_sheet()
    _save_as(qtbot, window, path)
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    assert str(jobs[0].values["job_number"]) in text
