"""A local database that cannot be used: the start-up dialog instead of a traceback,
the rebuild it offers, and the idle check that finds a page gone bad."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from desktop.config import Paths, Settings
from desktop.core.store import JobQuery, Store
from desktop.core.store.errors import DatabaseDamaged
from desktop.core.store.migrations import SCHEMA_VERSION
from desktop.ui.app import LaunchOptions, StartUp
from desktop.ui.database_check import Choice, IdleCheck
from desktop.ui.session import Session
from tests.unit.test_database_errors import (
    damaged_copies,
    jobs_leaf_page,
    populate,
    set_user_version,
)


def test_a_damaged_database_at_start_up_is_moved_aside_and_rebuilt(
    qtbot: Any, paths: Paths
) -> None:
    populate(paths.database, jobs=300)
    os.truncate(paths.database, paths.database.stat().st_size // 2)
    damaged = paths.database.read_bytes()

    startup = StartUp(LaunchOptions(paths=paths), None)
    startup.open()
    dialog = startup.dialog
    assert dialog is not None and startup.window is None
    qtbot.waitUntil(dialog.isVisible)
    assert f"{paths.database} is damaged" in dialog.text()

    dialog.button_for(Choice.REBUILD).click()
    qtbot.waitUntil(lambda: startup.window is not None and startup.window.isVisible())

    window = startup.window
    assert window is not None
    try:
        [kept] = damaged_copies(paths.data_dir)
        assert kept.read_bytes() == damaged
        assert window.session.store.count(JobQuery(deleted="include")) == 0
        qtbot.waitUntil(window.settled)
    finally:
        window.close()  # deleted on close, as the app's window is
        startup.close_store()


def test_quit_at_the_start_up_question_leaves_the_newer_file_alone(
    qtbot: Any, paths: Paths
) -> None:
    populate(paths.database, jobs=20)
    set_user_version(paths.database, SCHEMA_VERSION + 1)
    before = paths.database.read_bytes()

    startup = StartUp(LaunchOptions(paths=paths), None)
    startup.open()
    dialog = startup.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert f"its schema is version {SCHEMA_VERSION + 1}" in dialog.text()
    assert "Traceback" not in dialog.text()
    with qtbot.waitSignal(startup.quit):
        dialog.button_for(Choice.QUIT).click()

    assert startup.gave_up and startup.window is None
    assert paths.database.read_bytes() == before
    assert damaged_copies(paths.data_dir) == []


def _damage_a_jobs_page(path: Path) -> None:
    page, page_size = jobs_leaf_page(path)
    with path.open("r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(os.urandom(page_size))


def test_the_idle_check_reports_a_page_overwritten_with_garbage(
    qtbot: Any, paths: Paths
) -> None:
    populate(paths.database)
    _damage_a_jobs_page(paths.database)
    store = Store.open(paths.database)
    session = Session(store, paths, Settings.load(paths))
    try:
        check = IdleCheck(session, lambda: False, first_ms=0)
        with qtbot.waitSignal(check.damaged, timeout=10_000) as found:
            pass
    finally:
        session.close()
        store.close()
    [damage] = found.args
    assert isinstance(damage, DatabaseDamaged)
    assert f"{paths.database} is damaged" in str(damage)
