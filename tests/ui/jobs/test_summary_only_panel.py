"""A summary-only job in the detail panel (docs/architecture.md §store): the fields its
list item does not show are not shown as blanks but said to be not downloaded, and
opening it online reads them with one GET on the sync thread, over real HTTP against
the emulator (bare list items), on a real SQLite file."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.config import Paths, Settings, set_api_key
from desktop.core.api import normalise_base_url
from desktop.core.store import Store
from desktop.emulator import Emulator
from desktop.ui.jobs.detail_panel import UNKNOWN_UNTIL_DETAILS
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from desktop.ui.sync.worker import SyncController
from tests.conftest import MemoryKeyring
from tests.ui.helpers import open_main_window


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    # A fixed port, so the server can go away and come back at the same address.
    emu = Emulator(jobs=1200, customers=40, seed=5, port=_free_port())
    emu.variants.list_shape = "bare"
    emu.start()
    yield emu
    emu.faults.clear()
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
    _synced(qtbot, window, "ok")
    yield window
    window.close()
    session.close()


def _synced(qtbot: Any, window: MainWindow, status: str) -> None:
    qtbot.waitUntil(lambda: not window.sync.running
                    and (window.sync.last or {}).get("status") == status, timeout=15_000)
    qtbot.waitUntil(window.settled)


def _summary_only(store: Store) -> list[int]:
    """Summary-only jobs whose server record has a description (so one can tell
    "not downloaded" from "empty")."""
    with store.read() as conn:
        ids = [int(r[0]) for r in conn.exec_driver_sql(
            "SELECT local_id FROM jobs WHERE summary_only AND deleted_at IS NULL "
            "ORDER BY local_id")]
    assert ids, "the bare list shape leaves jobs summary-only"
    return ids


def _whole(store: Store) -> int:
    with store.read() as conn:
        return int(conn.exec_driver_sql(
            "SELECT local_id FROM jobs WHERE NOT summary_only AND deleted_at IS NULL "
            "ORDER BY local_id LIMIT 1").scalar_one())


def _server(emulator: Emulator, store: Store, local_id: int) -> dict[str, Any]:
    record = store.get(local_id)
    assert record is not None and record.uuid is not None
    job = emulator.job(record.uuid)
    assert job is not None
    return job


def _open(qtbot: Any, window: MainWindow, local_id: int) -> None:
    assert window.table.select_job(local_id)
    qtbot.waitUntil(lambda: window.detail.current_id == local_id)


def _job_gets(emulator: Emulator) -> list[str]:
    return [r.path.rsplit("/", 1)[1] for r in emulator.requests
            if r.method == "GET" and r.path.startswith("/api/v1/jobs/")]


def test_offline_it_says_details_are_not_downloaded_and_offers_no_blanks(
        online: MainWindow, qtbot: Any, emulator: Emulator) -> None:
    window, detail = online, online.detail
    store = window.session.store
    local_id = next(i for i in _summary_only(store)
                    if _server(emulator, store, i)["description"])
    before = _server(emulator, store, local_id)
    emulator.stop()

    _open(qtbot, window, local_id)
    qtbot.waitUntil(lambda: detail.details_state == "offline")
    assert detail.details_notice.isVisible()
    assert detail.details_text.text() == (
        "Details not downloaded yet: they download when you are back online.")
    # What the list item showed is there; what it did not is not shown as blank.
    assert detail.editors["title"].value() == before["title"]
    assert detail.editors["status"].value() == before["status"]
    for field in UNKNOWN_UNTIL_DETAILS:
        assert not detail.editors[field].isVisibleTo(detail), field  # type: ignore[attr-defined]

    # An edit of a field shown goes out alone: nothing unknown is sent as a blank.
    detail.editors["title"].set_value("Checked the boiler again")
    assert detail.changes() == {"title": "Checked the boiler again"}
    assert detail.save()
    assert detail.details_notice.isVisible(), "still not downloaded after a local save"

    emulator.start()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    _synced(qtbot, window, "ok")
    after = _server(emulator, store, local_id)
    assert {k for k in after if after[k] != before[k]} == {"title", "updated_at"}
    # Back online, the panel shows the job whole.
    qtbot.waitUntil(lambda: not detail.details_unknown)
    assert not detail.details_notice.isVisible()
    assert detail.editors["description"].isVisibleTo(detail)  # type: ignore[attr-defined]
    assert detail.editors["description"].value() == after["description"]
    assert detail.editors["title"].value() == "Checked the boiler again"


def test_details_not_read_offline_are_read_once_sync_gets_through(
        online: MainWindow, qtbot: Any, emulator: Emulator) -> None:
    window, detail = online, online.detail
    store = window.session.store
    local_id = _summary_only(store)[0]
    uuid = _server(emulator, store, local_id)["uuid"]
    emulator.stop()
    _open(qtbot, window, local_id)
    qtbot.waitUntil(lambda: detail.details_state == "offline")

    emulator.start()
    emulator.clear_requests()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    _synced(qtbot, window, "ok")
    qtbot.waitUntil(lambda: not detail.details_unknown)
    assert _job_gets(emulator).count(uuid) == 1
    assert detail.editors["description"].value() == _server(emulator, store, local_id)[
        "description"]


def test_opened_online_it_fills_in_after_exactly_one_get_and_never_again(
        online: MainWindow, qtbot: Any, emulator: Emulator) -> None:
    window, detail = online, online.detail
    store = window.session.store
    local_id = next(i for i in _summary_only(store)
                    if _server(emulator, store, i)["description"])
    server = _server(emulator, store, local_id)
    emulator.clear_requests()

    _open(qtbot, window, local_id)
    qtbot.waitUntil(lambda: not detail.details_unknown)
    assert [(r.method, r.path) for r in emulator.requests] == [
        ("GET", f"/api/v1/jobs/{server['uuid']}")]
    assert not detail.details_notice.isVisible()
    for field in ("description", "service_address1", "internal_notes"):
        editor = detail.editors[field]
        assert editor.isVisibleTo(detail), field  # type: ignore[attr-defined]
        assert editor.value() == server[field], field
    record = store.get(local_id)
    assert record is not None and not record.summary_only

    # Away and back: the job is whole now, so opening it costs nothing.
    _open(qtbot, window, _whole(store))
    _open(qtbot, window, local_id)
    qtbot.waitUntil(window.settled)
    assert len(emulator.requests) == 1
    assert detail.editors["description"].value() == server["description"]


def test_a_reply_for_a_job_left_meanwhile_does_not_touch_the_job_shown(
        online: MainWindow, qtbot: Any, emulator: Emulator) -> None:
    window, detail = online, online.detail
    store = window.session.store
    first = _summary_only(store)[0]
    other = _whole(store)
    uuid = _server(emulator, store, first)["uuid"]
    hold = emulator.faults.hold(method="GET", path=f"/api/v1/jobs/{uuid}")
    emulator.clear_requests()

    _open(qtbot, window, first)
    assert hold.wait_arrived(10)
    assert detail.details_state == "fetching"
    assert detail.details_text.text() == "Details not downloaded yet · downloading them now…"

    # The user moves on and starts typing before the reply comes.
    _open(qtbot, window, other)
    detail.editors["internal_notes"].set_value("Bring the long ladder")
    shown = {f: e.value() for f, e in detail.editors.items()}
    with qtbot.waitSignal(window.sync.details_fetched, timeout=10_000,
                          check_params_cb=lambda i, outcome: i == first and outcome == "ok"):
        hold.release()
    qtbot.waitUntil(window.settled)
    assert detail.current_id == other
    assert {f: e.value() for f, e in detail.editors.items()} == shown
    assert detail.is_dirty() and not detail.details_notice.isVisible()
    record = store.get(first)
    assert record is not None and not record.summary_only, "kept in the mirror for next time"

    # Back to the first job: it is whole, and read once in all.
    detail.cancel()
    _open(qtbot, window, first)
    assert not detail.details_unknown
    assert _job_gets(emulator) == [uuid]


def test_a_server_error_leaves_the_note_and_costs_one_request(
        online: MainWindow, qtbot: Any, emulator: Emulator) -> None:
    window, detail = online, online.detail
    store = window.session.store
    local_id = _summary_only(store)[0]
    uuid = _server(emulator, store, local_id)["uuid"]
    emulator.faults.fail_next(method="GET", path=f"/api/v1/jobs/{uuid}")
    emulator.clear_requests()

    _open(qtbot, window, local_id)
    qtbot.waitUntil(lambda: detail.details_state == "failed")
    assert detail.details_text.text() == (
        "Details not downloaded yet: the server had a problem. Open the job again to retry.")
    assert [(r.method, r.status) for r in emulator.requests] == [("GET", 500)]
    for field in UNKNOWN_UNTIL_DETAILS:
        assert not detail.editors[field].isVisibleTo(detail), field  # type: ignore[attr-defined]
    # A reload of the same opening (what a finished sync does) does not try again.
    detail.reload()
    assert detail.details_state == "failed"
    assert len(emulator.requests) == 1
