"""The conflict dialog applies picks only when the merged job passes the edit rules,
and the job's panel and row stop showing the conflict as soon as it is applied.

The conflict is made over real HTTP: a colleague moves the visit on the server, this
computer moves it differently, and the app's own sync finds the two.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.config import Paths, Settings, set_api_key
from desktop.core.api import normalise_base_url
from desktop.core.store import Store
from desktop.emulator import Emulator
from desktop.ui import formatting
from desktop.ui.jobs.conflict_dialog import ConflictDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from desktop.ui.sync.worker import SyncController
from tests.conftest import MemoryKeyring
from tests.integration.test_conflict_resolution import snapshot
from tests.ui.helpers import open_main_window

SYNC_COLUMN = 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emu = Emulator(jobs=20, customers=5, seed=7, port=_free_port()).start()
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
    _wait_for_sync(qtbot, window)
    yield window
    window.close()
    session.close()


def _wait_for_sync(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.sync.running
                    and (window.sync.last or {}).get("status") == "ok", timeout=15_000)
    qtbot.waitUntil(window.settled)


def _sync_state_shown(window: MainWindow, local_id: int) -> str | None:
    row = window.model.row_of(local_id)
    return None if row is None else window.model.index(row, SYNC_COLUMN).data()


def test_picks_that_end_the_visit_before_it_starts_are_refused_then_others_apply(
        online: MainWindow, qtbot: Any, emulator: Emulator) -> None:
    window, store = online, online.session.store
    job = emulator.colleague_create(title="Boiler service", status="Scheduled",
                                    scheduled_date="2025-03-04",
                                    scheduled_time_start="09:00", scheduled_time_end="10:00")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: store.get_by_uuid(job["uuid"]) is not None, timeout=15_000)
    _wait_for_sync(qtbot, window)
    record = store.get_by_uuid(job["uuid"])
    assert record is not None
    local_id = record.local_id
    # A colleague moves the visit to the afternoon; here it moves to the morning.
    emulator.clock.advance(timedelta(seconds=1))
    emulator.colleague_update(job["uuid"], scheduled_time_start="16:00",
                              scheduled_time_end="18:00")
    window.session.update_job(local_id, {"scheduled_time_start": "08:00",
                                         "scheduled_time_end": "11:00"})
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: (store.get(local_id) or record).sync_state == "conflict",
                    timeout=15_000)
    _wait_for_sync(qtbot, window)
    window.detail.show_job(local_id)
    qtbot.waitUntil(lambda: _sync_state_shown(window, local_id) == "Conflict")
    assert window.detail.notice_button.isVisible()
    conflict_note = formatting.conflict_summary(["scheduled_time_start", "scheduled_time_end"])
    assert window.detail.notice_text.text() == conflict_note

    qtbot.mouseClick(window.detail.notice_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(ConflictDialog)
    assert dialog is not None and dialog.isVisible()
    assert not dialog.problem.isVisible()
    dialog.choose("scheduled_time_start", "theirs")
    dialog.choose("scheduled_time_end", "mine")
    before = snapshot(store.path)
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)

    # Refused: said by the field, nothing changed, the dialog stays to pick again.
    assert dialog.isVisible()
    assert dialog.problem.isVisible()
    assert "End time must be after Start time (16:00)" in dialog.problem.text()
    assert "nothing was changed" in dialog.problem.text()
    assert dialog.problem_fields() == ["scheduled_time_end"]
    assert snapshot(store.path) == before
    assert _sync_state_shown(window, local_id) == "Conflict"
    assert window.detail.notice_text.text() == conflict_note

    dialog.choose("scheduled_time_start", "mine")
    assert not dialog.problem.isVisible() and dialog.problem_fields() == []
    emulator.clear_requests()
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    resolved = store.get(local_id)
    assert resolved is not None and resolved.sync_state == "pending"
    assert (resolved["scheduled_time_start"], resolved["scheduled_time_end"]) == (
        "08:00", "11:00")
    # The panel and the list say so at once, before any sync.
    assert not window.detail.notice_button.isVisible()
    assert window.detail.notice_text.text().startswith("Saved on this computer")
    assert window.detail.editors["scheduled_time_start"].value() == "08:00"
    qtbot.waitUntil(lambda: _sync_state_shown(window, local_id) != "Conflict")
    qtbot.waitUntil(lambda: window.sidebar.count("conflicts") == 0)
    assert [r for r in emulator.requests if r.method != "GET"] == []
