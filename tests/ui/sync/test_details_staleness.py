"""The status bar's word on how old the details of active jobs may be, from the sync
report after each cycle, over real HTTP against the emulator (bare list items, whose
summaries show no change of notes or address) on a real SQLite file."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.config import Paths, Settings, set_api_key
from desktop.core.api import normalise_base_url
from desktop.core.store import Store
from desktop.core.sync.details import stamp
from desktop.emulator import Emulator
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from desktop.ui.sync import status
from desktop.ui.sync.worker import SyncController
from tests.conftest import MemoryKeyring
from tests.ui.helpers import open_main_window


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: One active job is scheduled this far ahead: neither in progress nor due soon, its
#: details are re-read only every few hours.
LATER = timedelta(days=10)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emu = Emulator(jobs=40, customers=10, seed=5, port=_free_port())
    emu.variants.list_shape = "bare"
    job = next(j for j in emu.all_jobs(include_deleted=False) if j["status"] == "Scheduled")
    emu.colleague_update(job["uuid"], scheduled_date=(date.today() + LATER).isoformat())
    emu.start()
    yield emu
    emu.stop()


def _scheduled_later(emulator: Emulator) -> str:
    later = (date.today() + LATER).isoformat()
    return str(next(j["uuid"] for j in emulator.all_jobs(include_deleted=False)
                    if (j["scheduled_date"] or "")[:10] == later))


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
    _synced(qtbot, window)
    yield window
    window.close()
    session.close()


def _synced(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.sync.running
                    and (window.sync.last or {}).get("status") == "ok", timeout=15_000)
    qtbot.waitUntil(window.settled)


def test_the_status_bar_says_when_active_jobs_details_were_checked(
        online: MainWindow, qtbot: Any, emulator: Emulator) -> None:
    window = online
    scheduled_later = _scheduled_later(emulator)
    # Every active job was just read whole: nothing more to say than the sync time.
    assert window.status.sync_label.text() == "Synced just now"
    assert (window.sync.last or {})["staleness_s"] < status.STALE_AFTER_S

    # Three hours on for that job: its details were read then, and are not due yet.
    with window.session.store.write() as conn:
        conn.exec_driver_sql("UPDATE jobs SET details_at = ? WHERE uuid = ?", (
            stamp(datetime.now(UTC) - timedelta(hours=3, minutes=1)), scheduled_later))
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.sync.running)
    _synced(qtbot, window)

    assert window.status.sync_label.text() == (
        "Synced just now · active job details checked 3 h ago")
    assert "checked one by one" in window.status.sync_label.toolTip()


def test_details_age_is_said_only_when_it_is_material() -> None:
    now = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
    finished = (now - timedelta(minutes=2)).isoformat()
    fresh = {"status": "ok", "finished_at": finished, "staleness_s": 600.0}
    stale = {**fresh, "staleness_s": 40 * 60.0}
    offline = {**stale, "status": "offline"}
    ok_at = now - timedelta(minutes=2)

    def text(last: dict[str, Any], waiting: int = 0) -> str:
        return status.describe(status.SyncSnapshot(configured=True, last=last, waiting=waiting,
                                                   last_ok_at=ok_at), now).text

    assert text(fresh) == "Synced 2 min ago"
    assert text({**fresh, "staleness_s": None}) == "Synced 2 min ago"
    assert text(stale, waiting=1) == (
        "Synced 2 min ago · active job details checked 42 min ago · 1 change waiting")
    assert text(offline) == "Offline (synced 2 min ago) · active job details checked 42 min ago"
