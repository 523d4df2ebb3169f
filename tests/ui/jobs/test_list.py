"""The sidebar, filter bar and table: every narrowing and sort is the store's SQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.core.store import JobQuery
from desktop.ui.jobs.presets import PRESETS, PRESETS_BY_KEY
from desktop.ui.jobs.rows import COLUMNS, SORT_COLUMNS
from desktop.ui.main_window import MainWindow
from tests.ui.helpers import open_main_window, seed


def _shown(window: MainWindow, qtbot: Any) -> list[int]:
    qtbot.waitUntil(window.settled)
    return window.model.ids()


def _expected(window: MainWindow, query: JobQuery) -> list[int]:
    return window.session.store.ids(replace(query, sort=window.model.sort_key,
                                            descending=window.model.descending))


def test_each_view_shows_its_query_and_live_count(window: MainWindow, qtbot: Any) -> None:
    me = window.session.my_user_id
    for view in PRESETS:
        window.sidebar.select(view.key)
        query = view.build(date.today(), me)
        expected = [] if query is None else _expected(window, query)
        assert _shown(window, qtbot) == expected, view.key
        assert window.sidebar.count(view.key) == (None if query is None else len(expected))


def test_counts_follow_an_edit(window: MainWindow, qtbot: Any) -> None:
    trash_before = window.sidebar.count("trash")
    assert trash_before is not None
    window.table.selectRow(0)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.sidebar.count("trash") == trash_before + 1)
    assert window.sidebar.count("waiting") == 1


def test_status_filter_ticks_several_statuses(window: MainWindow, qtbot: Any) -> None:
    menu = window.filters.status.menu()
    for action in menu.actions():
        if action.text() in ("Scheduled", "In Progress"):
            action.trigger()
    assert window.filters.status.text() == "2 statuses"
    shown = _shown(window, qtbot)
    assert shown == _expected(window, JobQuery(statuses=("Scheduled", "In Progress")))
    assert shown
    rows = window.session.store.rows(shown)
    assert {r.values["status"] for r in rows.values()} == {"Scheduled", "In Progress"}
    assert window.filters.clear.isEnabled()
    qtbot.mouseClick(window.filters.clear, Qt.MouseButton.LeftButton)
    assert _shown(window, qtbot) == _expected(window, JobQuery())


def test_priority_and_date_filters(window: MainWindow, qtbot: Any) -> None:
    window.filters.priority.setCurrentText("High")
    assert _shown(window, qtbot) == _expected(window, JobQuery(priority="High"))
    window.filters.dates.setCurrentText("Today")
    today = date.today()
    assert _shown(window, qtbot) == _expected(
        window, JobQuery(priority="High", date_from=today, date_to=today))
    window.filters.dates.setCurrentText("Between…")
    assert window.filters.date_from.isVisible()


def test_assignee_me_uses_my_user_id(window: MainWindow, qtbot: Any) -> None:
    first = window.session.store.page(JobQuery(unscheduled=False, date_from=date(2000, 1, 1)),
                                      0, 1)[0]
    me = first.values["assigned_to_user_id"]
    window.session.settings.my_user_id = me
    window.session.settings_changed.emit()
    window.filters.assignee.setCurrentText("Me")
    window.filters.assignee.activated.emit(1)
    shown = _shown(window, qtbot)
    assert first.local_id in shown
    assert shown == _expected(window, JobQuery(assigned_to=me))


def test_search_waits_for_typing_to_pause(window: MainWindow, qtbot: Any) -> None:
    everything = _shown(window, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.filters.search
    qtbot.keyClicks(window.filters.search, "leak")
    assert window.model.ids() == everything, "no query per keystroke"
    qtbot.waitUntil(lambda: window.model.query is not None and window.model.query.search != "")
    found = _shown(window, qtbot)
    assert found == _expected(window, JobQuery(search="leak"))
    assert 0 < len(found) < len(everything)
    qtbot.keyClick(window.filters.search, Qt.Key.Key_Escape)
    assert _shown(window, qtbot) == everything


def test_clicking_a_header_sorts_in_sql(window: MainWindow, qtbot: Any) -> None:
    header = window.table.horizontalHeader()
    for key in ("estimated_amount", "customer", "status", "job_number"):
        column = SORT_COLUMNS[key]
        x = header.sectionViewportPosition(column) + 5
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=header.viewport().rect().center().__class__(x, 5))
        qtbot.waitUntil(lambda k=key: window.model.sort_key == k)
        shown = _shown(window, qtbot)
        assert shown == window.session.store.ids(
            JobQuery(sort=key, descending=window.model.descending)), key
    descending = window.model.descending
    header.setSortIndicator(SORT_COLUMNS["job_number"],
                            Qt.SortOrder.AscendingOrder if descending
                            else Qt.SortOrder.DescendingOrder)
    assert _shown(window, qtbot) == window.session.store.ids(
        JobQuery(sort="job_number", descending=not descending))


def test_a_long_list_loads_rows_only_as_they_are_shown(qtbot: Any, session: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    seed(session.store, jobs=900, customers=40)
    read: set[int] = set()
    read_rows = session.store.rows
    monkeypatch.setattr(session.store, "rows", lambda ids: read.update(ids) or read_rows(ids))
    window = open_main_window(qtbot, session)
    total = session.store.count(JobQuery())
    assert window.model.rowCount() == total > window.model.FIRST_PAGE
    assert len(read) < total
    window.table.scrollToBottom()
    QApplication.processEvents()
    last = window.model.index(total - 1, SORT_COLUMNS["job_number"])
    expected = session.store.rows([window.model.id_at(total - 1)])
    assert last.data() == next(iter(expected.values())).values["job_number"]
    assert window.model.id_at(total - 1) in read
    assert len(read) < total
    assert len(COLUMNS) == window.model.columnCount()


def test_views_have_names_for_screen_readers(window: MainWindow) -> None:
    assert window.sidebar.accessibleName() == "Views"
    assert window.table.accessibleName() == "Jobs"
    assert window.filters.search.accessibleName() == "Search jobs"
    all_jobs = PRESETS_BY_KEY["all"]
    assert window.sidebar.currentIndex().data(Qt.ItemDataRole.AccessibleTextRole).startswith(
        all_jobs.label)
