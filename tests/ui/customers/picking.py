"""Opening the Customers page and picking a customer on it, as a user would."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.core.store import CustomerRecord, Store
from desktop.ui.customers.page import CustomersPage
from desktop.ui.main_window import MainWindow


def open_customers(window: MainWindow, qtbot: Any) -> CustomersPage:
    """The Customers page, by its shortcut (Ctrl+5), once its list is read."""
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    page = window.pages.currentWidget()
    assert isinstance(page, CustomersPage) and window.page_key == "customers"
    qtbot.waitUntil(page.settled)
    return page


def busiest(store: Store) -> CustomerRecord:
    """The customer with the most jobs (a history worth looking at)."""
    return max(store.customers(), key=lambda c: len(store.customer_history(c).jobs))


def pick(page: CustomersPage, qtbot: Any, customer: CustomerRecord) -> None:
    """Select ``customer`` in the list and wait for their details to show."""
    qtbot.waitUntil(lambda: page.model.row_of(customer.local_id) is not None)
    assert page.select(customer.local_id)
    qtbot.waitUntil(lambda: page.details.customer is not None
                    and page.details.customer.local_id == customer.local_id
                    and page.side.currentWidget() is page.details)
