"""Every page on a laptop screen: 1366x768, and 1920x1080 at 150% (1280x720 logical).
Nothing is cut short, the list's Title keeps its room, and the window can be made
narrower than 1,000 px."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.ui.jobs.table import TITLE_COLUMN, TITLE_ROOM
from desktop.ui.main_window import DOCKED_FROM, NO_JOB_PANEL, PAGES, MainWindow
from tests.ui.customers.picking import busiest, open_customers, pick
from tests.ui.fitting import cut_words

LAPTOPS = [(1366, 768), (1280, 720)]
MOST_NARROW = 1000


def _open_a_job(window: MainWindow) -> None:
    first = window.model.ids()[0]
    window.show_job(first)
    assert window.detail.current_id == first


@pytest.mark.parametrize("size", LAPTOPS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("page", [key for key, *_ in PAGES])
def test_every_word_fits_on_a_laptop_screen(window: MainWindow, qtbot: Any,
                                            size: tuple[int, int], page: str) -> None:
    window.resize(*size)
    window.show_page(page)
    qtbot.waitUntil(window.settled)
    _open_a_job(window)
    qtbot.waitUntil(lambda: window.size().width() == size[0])
    assert not window.docked
    # The job is in a drawer over the list, except on the pages that show none.
    assert window.drawer.isVisible() == (page not in NO_JOB_PANEL)
    assert cut_words(window) == [], "\n".join(cut_words(window))
    assert window.minimumSizeHint().width() <= MOST_NARROW


@pytest.mark.parametrize("size", LAPTOPS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_title_keeps_its_room_and_the_drawer_closes(window: MainWindow, qtbot: Any,
                                                        size: tuple[int, int]) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().width() == size[0])
    header = window.table.horizontalHeader()
    assert header.sectionSize(TITLE_COLUMN) >= TITLE_ROOM
    _open_a_job(window)
    assert window.drawer.isVisible()
    # The drawer lies over the list's right side, inside the window.
    assert window.drawer.geometry().right() <= window.centralWidget().width()
    window.escape()
    assert not window.drawer.isVisible()
    window.table.selectRow(1)
    assert window.drawer.isVisible()
    window.drawer.close_button.click()
    assert not window.drawer.isVisible()


def test_a_wide_window_keeps_the_panel_beside_the_list(window: MainWindow,
                                                       qtbot: Any) -> None:
    window.resize(DOCKED_FROM, 900)
    qtbot.waitUntil(lambda: window.size().width() == DOCKED_FROM)
    _open_a_job(window)
    assert window.docked and not window.drawer.isVisible()
    assert window.detail.isVisible()
    assert cut_words(window) == [], "\n".join(cut_words(window))
    title = window.table.horizontalHeader().sectionSize(TITLE_COLUMN)
    assert title >= TITLE_ROOM
    assert window.minimumSizeHint().width() <= MOST_NARROW
    # Narrowed, the panel goes into the drawer; widened, it comes back beside the list.
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: not window.docked)
    assert window.drawer.isVisible() and window.detail.isVisible()
    window.resize(DOCKED_FROM + 100, 900)
    qtbot.waitUntil(lambda: window.docked)
    assert window.detail.isVisible() and window.detail.width() > 0
    assert not window.drawer.isVisible()


@pytest.mark.parametrize("size", LAPTOPS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_settings_dialog_fits_a_laptop_screen(window: MainWindow, qtbot: Any,
                                                  size: tuple[int, int]) -> None:
    window.resize(*size)
    dialog = window.open_settings()
    qtbot.waitUntil(dialog.isVisible)
    hint = dialog.sizeHint()
    assert hint.width() <= MOST_NARROW and hint.height() <= size[1]
    dialog.resize(hint)
    assert cut_words(dialog) == [], "\n".join(cut_words(dialog))
    dialog.reject()


@pytest.mark.parametrize("size", LAPTOPS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_customers_page_fits_with_a_customer_open_and_in_the_form(
        window: MainWindow, qtbot: Any, size: tuple[int, int]) -> None:
    window.resize(*size)
    page = open_customers(window, qtbot)
    qtbot.waitUntil(lambda: window.size().width() == size[0])
    # The job filters and search narrow no customer: their bar gives the page its room.
    assert not window.filters.isVisible() and not window.scope.isVisible()
    pick(page, qtbot, busiest(window.session.store))
    assert cut_words(window) == [], "\n".join(cut_words(window))
    assert window.minimumSizeHint().width() <= MOST_NARROW
    qtbot.mouseClick(page.details.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.form.isVisible)
    assert cut_words(window) == [], "\n".join(cut_words(window))
    assert window.minimumSizeHint().width() <= MOST_NARROW
    # Ctrl+F searches the customers here, and the jobs once back on the list.
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    window.show_page("list")
    assert window.filters.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.filters.search.hasFocus()
