"""The job as a technician uses it on a laptop: what the customer asked for above the
fold, the place in the form kept on save, and calling, writing and finding the
customer from the panel, with or without the apps for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop.core.store import JobQuery
from desktop.ui.jobs.quick_links import address_text
from desktop.ui.main_window import MainWindow


def _open_job_with_a_customer(window: MainWindow, qtbot: Any) -> int:
    store = window.session.store
    for record in store.page(JobQuery(), 0, 60):
        customer = store.customer(record.values["customer_uuid"])
        if customer and customer.phone and customer.email and record.values["service_city"]:
            window.show_job(record.local_id)
            assert window.detail.current_id == record.local_id
            return record.local_id
    raise AssertionError("the seed has a job whose customer has a phone and an email")


def _top_in_form(window: MainWindow, field: str) -> int:
    editor = window.detail.editors[field]
    assert isinstance(editor, QWidget)
    return editor.mapTo(window.detail._scroll.widget(), editor.rect().bottomLeft()).y()


def test_description_and_customer_notes_are_above_the_fold_on_a_laptop(
        window: MainWindow, qtbot: Any) -> None:
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: not window.docked)
    _open_job_with_a_customer(window, qtbot)
    assert window.drawer.isVisible()
    visible = window.detail._scroll.viewport().height()
    assert window.detail._scroll.verticalScrollBar().value() == 0
    for field in ("description", "customer_notes"):
        assert _top_in_form(window, field) <= visible, f"{field} is below the fold"


def test_saving_keeps_the_place_in_the_form(window: MainWindow, qtbot: Any) -> None:
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: not window.docked)
    _open_job_with_a_customer(window, qtbot)
    bar = window.detail._scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 100)
    estimate = window.detail.editors["estimated_amount"]
    assert isinstance(estimate, QWidget)
    window.detail._scroll.ensureWidgetVisible(estimate)
    place = bar.value()
    assert place > 0
    estimate.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(estimate, "321")
    assert window.detail.changes() == {"estimated_amount": "321"}
    assert window.detail.save()
    assert bar.value() == place


@pytest.fixture
def no_desktop_handlers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A desktop whose settings name no app for any link."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CONFIG_DIRS", "XDG_DATA_DIRS"):
        empty = tmp_path / name
        empty.mkdir()
        monkeypatch.setenv(name, str(empty))


def test_call_with_no_phone_app_copies_the_number_and_says_so(
        window: MainWindow, qtbot: Any, no_desktop_handlers: None) -> None:
    _open_job_with_a_customer(window, qtbot)
    customer = window.detail.customer_picker.customer()
    assert customer is not None and customer.phone
    QGuiApplication.clipboard().clear()
    window.detail.call_button.click()
    assert QGuiApplication.clipboard().text() == customer.phone
    assert window.status.note_label.text() == (
        f"No app on this computer makes calls: copied {customer.phone} to the clipboard")


class _MailApp(QObject):
    """What the desktop's mail app is given (Qt's own hook for a link's scheme)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url)


def test_email_opens_a_mailto_link_and_the_address_can_be_copied(
        window: MainWindow, qtbot: Any) -> None:
    local_id = _open_job_with_a_customer(window, qtbot)
    customer = window.detail.customer_picker.customer()
    assert customer is not None and customer.email
    mail = _MailApp()
    QDesktopServices.setUrlHandler("mailto", mail, "open")
    try:
        window.detail.email_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("mailto")
    assert [u.toString() for u in mail.opened] == [f"mailto:{customer.email}"]

    record = window.session.store.get(local_id)
    assert record is not None
    window.detail.copy_address_button.click()
    address = address_text(record.values)
    assert address and QGuiApplication.clipboard().text() == address
    assert window.status.note_label.text() == f"Copied the address: {address}"
