"""Background sync against the real emulator: what the status bar says as the server
comes and goes, refuses the key or runs out of quota; conflicts and refusals."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.config import Paths, Settings, set_api_key
from desktop.core.api import normalise_base_url
from desktop.core.store import JobQuery, Store
from desktop.emulator import Emulator
from desktop.ui.jobs.conflict_dialog import ConflictDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from desktop.ui.sync.worker import SyncController
from tests.conftest import MemoryKeyring, make_customer
from tests.ui.helpers import open_main_window


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emu = Emulator(jobs=40, customers=10, seed=5, port=_free_port()).start()
    yield emu
    emu.stop()


@pytest.fixture
def online(qtbot: Any, store: Store, paths: Paths, emulator: Emulator,
           memory_keyring: MemoryKeyring) -> Iterator[MainWindow]:
    url = normalise_base_url(emulator.url)
    Settings(server_url=url).save(paths)
    set_api_key(url, emulator.api_key)
    session = Session(store, paths, Settings.load(paths))
    controller = SyncController(session)
    window = open_main_window(qtbot, session, sync=controller)
    controller.start()
    _wait_for(qtbot, window, "ok")
    yield window
    window.close()
    session.close()


def _wait_for(qtbot: Any, window: MainWindow, status: str) -> None:
    qtbot.waitUntil(lambda: not window.sync.running
                    and (window.sync.last or {}).get("status") == status, timeout=15_000)
    qtbot.waitUntil(window.settled)


def _sync_now(qtbot: Any, window: MainWindow, status: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F5)
    _wait_for(qtbot, window, status)


def _status(window: MainWindow) -> str:
    return window.status.sync_label.text()


def test_first_sync_fills_the_list_and_reports_usage(online: MainWindow,
                                                     emulator: Emulator) -> None:
    live = [j for j in emulator.all_jobs() if j["deleted_at"] is None]
    assert online.session.store.count(JobQuery()) == len(live)
    assert online.sidebar.count("all") == len(live)
    assert _status(online) == "Synced just now"
    assert online.status.usage_label.text() == (
        f"Requests this month: {emulator.usage_count:,} / {emulator.usage_limit:,}")


def test_status_follows_the_server_down_up_401_and_quota(online: MainWindow, qtbot: Any,
                                                         emulator: Emulator) -> None:
    window = online
    window.table.selectRow(0)
    local_id = window.table.current_id()
    assert local_id is not None
    window.session.update_job(local_id, {"title": "Edited while offline"})
    emulator.stop()
    _sync_now(qtbot, window, "offline")
    assert _status(window) == "Offline (synced just now) · 1 change waiting"
    record = window.session.store.get(local_id)
    assert record is not None and record.sync_state == "pending"

    emulator.start()
    _sync_now(qtbot, window, "ok")
    assert _status(window) == "Synced just now"
    uuid = window.session.store.get(local_id).uuid  # type: ignore[union-attr]
    assert emulator.job(uuid)["title"] == "Edited while offline"  # type: ignore[index]

    emulator.revoke_key(emulator.api_key)
    _sync_now(qtbot, window, "auth")
    assert _status(window).startswith("Sign-in needed")

    emulator.usage_count = emulator.usage_limit
    window.session.settings.server_url = normalise_base_url(emulator.url)
    key = emulator.add_key()
    set_api_key(window.session.settings.server_url, key)
    _sync_now(qtbot, window, "quota")
    assert _status(window).startswith("Request quota used up: sync paused until ")
    assert window.sync._retry.isActive(), "sync resumes by itself after the reset"

    # Until then a cycle of its own sends nothing; the user's F5 sends one probe.
    emulator.clear_requests()
    window.sync.sync_now(reason="interval")
    _wait_for(qtbot, window, "quota")
    assert emulator.requests == []
    _sync_now(qtbot, window, "quota")
    assert [r.status for r in emulator.requests] == [403]


def test_a_conflict_is_resolved_in_the_dialog(online: MainWindow, qtbot: Any,
                                              emulator: Emulator) -> None:
    window = online
    store = window.session.store
    window.table.selectRow(1)
    local_id = window.table.current_id()
    assert local_id is not None
    record = store.get(local_id)
    assert record is not None and record.uuid
    window.session.update_job(local_id, {"title": "Mine", "priority": "High"})
    emulator.colleague_update(record.uuid, title="Theirs")
    _sync_now(qtbot, window, "ok")
    record = store.get(local_id)
    assert record is not None and record.sync_state == "conflict"
    qtbot.waitUntil(lambda: window.sidebar.count("conflicts") == 1)
    assert "1 conflict" in _status(window)
    row = window.model.row_of(local_id)
    assert row is not None
    assert window.model.index(row, 8).data() == "Conflict"

    window.detail.show_job(local_id)
    assert window.detail.notice_button.isVisible()
    qtbot.mouseClick(window.detail.notice_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(ConflictDialog)
    assert dialog is not None and dialog.isVisible()
    assert not dialog.apply.isEnabled(), "a choice is needed for every field"
    dialog._buttons["title"]["theirs"].click()
    assert dialog.apply.isEnabled()
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    record = store.get(local_id)
    assert record is not None and record.sync_state != "conflict"
    assert record.values["title"] == "Theirs" and record.values["priority"] == "High"

    _sync_now(qtbot, window, "ok")
    record = store.get(local_id)
    assert record is not None and record.sync_state == "synced"
    assert emulator.job(record.uuid)["priority"] == "High"  # type: ignore[arg-type, index]
    qtbot.waitUntil(lambda: window.sidebar.count("conflicts") == 0)


def test_a_refused_change_shows_the_message_by_its_field_and_can_be_discarded(
        online: MainWindow, qtbot: Any, emulator: Emulator, monkeypatch: Any) -> None:
    window = online
    store = window.session.store
    stranger = make_customer(store, "Only", "Here")
    window.table.selectRow(0)
    local_id = window.table.current_id()
    assert local_id is not None
    before = store.get(local_id)
    assert before is not None
    window.session.update_job(local_id, {"customer_uuid": stranger})
    _sync_now(qtbot, window, "ok")
    record = store.get(local_id)
    assert record is not None and record.sync_state == "rejected"
    assert "does not match a customer" in (record.last_error or "")

    window.detail.show_job(local_id)
    error = window.detail._errors["customer_uuid"]
    assert error.isVisible() and "does not match a customer" in error.text()
    assert window.detail.discard_button.isVisible()
    # The confirmation is modal; answer it as the user would.
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *_a, **_k: QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(window.detail.discard_button, Qt.MouseButton.LeftButton)
    record = store.get(local_id)
    assert record is not None and record.sync_state == "synced"
    assert record.values["customer_uuid"] == before.values["customer_uuid"]
    assert not window.detail._errors["customer_uuid"].isVisible()


def test_unconfigured_app_works_offline_without_trying_to_sync(window: MainWindow) -> None:
    assert not window.sync.configured
    window.sync.start()
    assert not window.sync.running
    assert _status(window) == "Working offline: no CRM connected"


def test_an_edit_schedules_a_sync_a_few_seconds_later(online: MainWindow) -> None:
    window = online
    window.table.selectRow(0)
    local_id = window.table.current_id()
    assert local_id is not None
    window.session.update_job(local_id, {"title": "Soon sent"})
    assert window.sync._soon.isActive()
    assert 1000 <= window.sync._soon.interval() <= 10_000




def test_an_edit_of_a_job_deleted_on_the_server_is_settled_in_the_dialog(
        online: MainWindow, qtbot: Any, emulator: Emulator) -> None:
    window = online
    store = window.session.store
    window.table.selectRow(2)
    local_id = window.table.current_id()
    assert local_id is not None
    record = store.get(local_id)
    assert record is not None and record.uuid
    window.session.update_job(local_id, {"title": "Still needed?"})
    emulator.colleague_delete(record.uuid)
    _sync_now(qtbot, window, "ok")
    record = store.get(local_id)
    assert record is not None and record.sync_state == "conflict"
    row = window.model.row_of(local_id)
    assert row is not None
    assert "deleted on the server" in window.model.index(row, 8).data(
        Qt.ItemDataRole.ToolTipRole)

    dialog = window.resolve_conflict(local_id)
    assert dialog is not None
    (side_buttons,) = dialog._buttons.values()
    assert side_buttons["mine"].text() == "Keep the job, with my changes"
    assert side_buttons["theirs"].text() == "Deleted on the server"
    qtbot.mouseClick(dialog.all_theirs, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    record = store.get(local_id)
    assert record is not None and record.deleted and record.sync_state == "synced"
    qtbot.waitUntil(lambda: window.model.row_of(local_id) is None)
