"""A search says where it looks: narrowed by a view or filters, the list says so, with
one click to search every job; the sidebar's counts follow the search and filters and
say that they do."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.core.store import JobQuery
from desktop.ui.main_window import MainWindow

WORD = "furnace"


def _search(window: MainWindow, qtbot: Any, text: str) -> None:
    window.filters.search.setText(text)
    window.filters.flush()
    qtbot.waitUntil(window.settled)


def _everywhere(window: MainWindow) -> int:
    return window.session.store.count(JobQuery(search=WORD))


def test_a_search_in_a_narrow_view_says_so_and_one_click_searches_every_job(
        window: MainWindow, qtbot: Any) -> None:
    every = _everywhere(window)
    window.sidebar.select("urgent")
    _search(window, qtbot, WORD)
    found = window.model.rowCount()
    assert every > found, "the seed has matches outside the view"
    assert window.scope.isVisible()
    assert window.scope.text.text() == (
        f"Searching “{WORD}” in Emergency / urgent only: {found} job{'' if found == 1 else 's'}.")
    assert window.scope.button.text() == f"Search all jobs ({every:,})"
    # The counts are the search's, in every view, and the sidebar says so.
    assert window.sidebar.count("urgent") == found
    assert window.sidebar.count("all") == every
    assert window.sidebar.caption.isVisible()

    qtbot.mouseClick(window.scope.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.settled)
    assert window.preset_key == "all" and window.filters.search.text() == WORD
    assert window.model.rowCount() == every
    assert not window.scope.isVisible()


def test_filters_narrow_the_search_and_the_counts_until_cleared(window: MainWindow,
                                                                qtbot: Any) -> None:
    everything = window.sidebar.count("all")
    assert not window.sidebar.caption.isVisible()
    _search(window, qtbot, WORD)
    assert not window.scope.isVisible(), "All jobs with no filters is every job"
    window.filters.priority.setCurrentIndex(window.filters.priority.findData("Normal"))
    qtbot.waitUntil(window.settled)
    assert window.scope.isVisible()
    assert "in All jobs with the filters only" in window.scope.text.text()
    normal = window.session.store.count(JobQuery(search=WORD, priority="Normal"))
    assert window.sidebar.count("all") == normal == window.model.rowCount()
    window.filters.reset()
    qtbot.waitUntil(window.settled)
    assert window.sidebar.count("all") == everything
    assert not window.sidebar.caption.isVisible() and not window.scope.isVisible()
