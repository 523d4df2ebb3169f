"""The settings dialog: server, key in the keyring or in memory (in a file only where
no keyring exists and the user chooses it), sync preferences, and leaving the demo for
the CRM."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail, null
from keyring.errors import PasswordSetError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel

from desktop import config
from desktop.config import KEY_FILE_CHOICE, KEYRING_SERVICE, Paths, Settings, get_api_key
from desktop.core.api import normalise_base_url
from desktop.core.store import JobQuery
from desktop.emulator import Emulator
from desktop.ui.app import LaunchOptions, StartUp
from desktop.ui.demo import start_demo
from desktop.ui.main_window import MainWindow
from desktop.ui.settings_dialog import SettingsDialog
from tests.conftest import MemoryKeyring
from tests.ui.fitting import cut_words


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(jobs=20, customers=5, seed=9) as emu:
        yield emu


def _open(window: MainWindow) -> SettingsDialog:
    window.settings_action.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def _files_containing(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()
            and secret.encode() in p.read_bytes()]


def test_settings_are_saved_and_the_key_only_goes_to_the_keyring(
        window: MainWindow, qtbot: Any, emulator: Emulator,
        memory_keyring: MemoryKeyring) -> None:
    dialog = _open(window)
    qtbot.keyClicks(dialog.server_url, emulator.url)
    qtbot.keyClicks(dialog.api_key, emulator.api_key)
    assert dialog.api_key.echoMode() == dialog.api_key.EchoMode.Password
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Connected to"),
                    timeout=10_000)
    assert emulator.company["name"] in dialog.test_result.text()
    assert "Requests this month:" in dialog.test_result.text()

    me = emulator.technician_ids[0]
    dialog.my_user_id.setEditText(me)
    dialog.interval.setValue(15)
    dialog.share.setValue(35)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    url = normalise_base_url(emulator.url)
    saved = Settings.load(window.session.paths)
    assert (saved.server_url, saved.my_user_id, saved.sync_interval_minutes,
            saved.quota_share_percent) == (url, me, 15, 35)
    assert memory_keyring.passwords[(KEYRING_SERVICE, url)] == emulator.api_key
    window.session.store.checkpoint()
    assert _files_containing(window.session.paths.data_dir, emulator.api_key) == []

    # Saving connects: the app syncs with the new server at once.
    window.sync.start()
    qtbot.waitUntil(lambda: (window.sync.last or {}).get("status") == "ok", timeout=15_000)
    qtbot.waitUntil(lambda: window.status.sync_label.text().startswith("Synced"))
    assert window.filters._me == me
    assert _files_containing(window.session.paths.data_dir, emulator.api_key) == []


def test_a_bad_server_url_is_explained_and_nothing_is_saved(window: MainWindow,
                                                            qtbot: Any) -> None:
    dialog = _open(window)
    qtbot.keyClicks(dialog.server_url, "http://crm.example.com")
    dialog.save()
    assert dialog.isVisible()
    assert "https://" in dialog.url_error.text() and dialog.url_error.isVisible()
    assert not window.session.paths.settings.exists()
    dialog.reject()


class _BrokenKeyring(MemoryKeyring):
    """A keyring that looks usable and refuses at the moment of saving."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("no secret service running")


@pytest.fixture
def no_memory_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys kept in memory are this process's: each test starts with none."""
    monkeypatch.setattr(config, "_MEMORY_KEYS", {})


_KEYRINGS = {"null": null.Keyring, "fail": fail.Keyring, "refuses on save": _BrokenKeyring}


def _with_keyring(name: str) -> Iterator[str]:
    previous = keyring.get_keyring()
    keyring.set_keyring(_KEYRINGS[name]())
    yield name
    keyring.set_keyring(previous)


@pytest.fixture(params=list(_KEYRINGS))
def no_keyring(request: pytest.FixtureRequest, no_memory_keys: None) -> Iterator[str]:
    yield from _with_keyring(request.param)


@pytest.fixture(params=["null", "fail"])
def keeps_nothing(request: pytest.FixtureRequest, no_memory_keys: None) -> Iterator[str]:
    """keyring's stand-ins for "no keyring here", known before anything is saved."""
    yield from _with_keyring(request.param)


def test_without_a_keyring_the_key_is_kept_in_memory_and_sync_uses_it_at_once(
        window: MainWindow, qtbot: Any, emulator: Emulator, no_keyring: str) -> None:
    dialog = _open(window)
    if no_keyring != "refuses on save":
        # Said before anything is typed: where the key will be kept, and for how long.
        assert "in memory until it closes" in dialog.key_storage.text()
        assert dialog.key_storage.isVisible()
    qtbot.keyClicks(dialog.server_url, emulator.url)
    qtbot.keyClicks(dialog.api_key, emulator.api_key)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible(), dialog.save_error.text()
    url = normalise_base_url(emulator.url)
    assert Settings.load(window.session.paths).server_url == url
    assert get_api_key(url, window.session.paths) == emulator.api_key
    assert "kept in memory until JobDesk closes" in window.status.note_label.text()
    # No restart: the window syncs with the new server and key at once.
    window.sync.start()
    qtbot.waitUntil(lambda: (window.sync.last or {}).get("status") == "ok", timeout=15_000)
    window.session.store.checkpoint()
    assert _files_containing(window.session.paths.data_dir, emulator.api_key) == []
    again = _open(window)
    assert "in memory" in again.key_storage.text()
    again.reject()


def test_a_key_file_is_offered_only_where_no_keyring_can_keep_the_key(
        window: MainWindow, memory_keyring: MemoryKeyring) -> None:
    dialog = _open(window)
    assert not dialog.offers_key_file
    assert not dialog.key_file.isVisible() and not dialog.key_file_caveat.isVisible()
    assert "never in a file" in dialog.key_storage.text()
    dialog.reject()


def test_a_key_kept_in_a_file_is_owner_only_survives_a_restart_and_goes_when_unticked(
        window: MainWindow, qtbot: Any, emulator: Emulator, keeps_nothing: str) -> None:
    paths = window.session.paths
    dialog = _open(window)
    assert dialog.key_file.isVisible() and dialog.key_file.text() == KEY_FILE_CHOICE
    assert not dialog.key_file.isChecked(), "memory unless the user chooses otherwise"
    assert "not encrypted" in dialog.key_file_caveat.text()
    assert dialog.key_file_caveat.isVisible()
    assert cut_words(dialog) == [], "\n".join(cut_words(dialog))
    qtbot.keyClicks(dialog.server_url, emulator.url)
    qtbot.keyClicks(dialog.api_key, emulator.api_key)
    qtbot.mouseClick(dialog.key_file, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible(), dialog.save_error.text()
    assert "a file only you can read" in window.status.note_label.text()
    url = normalise_base_url(emulator.url)
    assert stat.S_IMODE(paths.key_file.stat().st_mode) == 0o600
    window.session.store.checkpoint()
    # The key file alone holds the key: not the settings, the database or the log.
    assert _files_containing(paths.data_dir, emulator.api_key) == [paths.key_file]

    # A restart: nothing in memory, and sync finds the key in the file.
    config._MEMORY_KEYS.clear()
    assert get_api_key(url, paths) == emulator.api_key
    window.sync.start()
    qtbot.waitUntil(lambda: (window.sync.last or {}).get("status") == "ok", timeout=15_000)
    again = _open(window)
    assert again.key_file.isVisible() and again.key_file.isChecked()
    assert str(paths.key_file) in again.key_storage.text()

    # Unticked, the file goes; the key stays in memory until JobDesk closes.
    qtbot.mouseClick(again.key_file, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert not again.isVisible(), again.save_error.text()
    assert not paths.key_file.exists()
    assert "kept in memory until JobDesk closes" in window.status.note_label.text()
    assert get_api_key(url, paths) == emulator.api_key
    window.session.store.checkpoint()
    assert _files_containing(paths.data_dir, emulator.api_key) == []


def test_a_key_file_that_cannot_be_written_is_explained_and_nothing_is_saved(
        window: MainWindow, qtbot: Any, keeps_nothing: str) -> None:
    paths = window.session.paths
    # A folder where the key file goes: writing it fails, as on a read-only disk.
    paths.key_file.mkdir()
    dialog = _open(window)
    qtbot.keyClicks(dialog.server_url, "https://crm.example.com")
    qtbot.keyClicks(dialog.api_key, "ctc_live_0123456789abcdef")
    dialog.key_file.setChecked(True)
    dialog.save()
    assert dialog.isVisible() and dialog.messages.isVisible()
    assert "could not be written" in dialog.save_error.text()
    assert "Nothing was changed" in dialog.save_error.text()
    assert not paths.settings.exists()
    assert [p.name for p in paths.config_dir.glob(".api-key-*")] == []
    dialog.reject()


def test_a_long_problem_wraps_under_the_form_and_never_crushes_it(
        window: MainWindow, qtbot: Any, memory_keyring: MemoryKeyring) -> None:
    # A folder where the settings file goes: saving them fails, as on a full disk.
    window.session.paths.settings.mkdir()
    dialog = _open(window)
    dialog.resize(dialog.sizeHint())
    widths = {w.accessibleName(): w.width() for w in (dialog.server_url, dialog.api_key)}
    qtbot.keyClicks(dialog.server_url, "https://crm.example.com")
    dialog.save()
    assert dialog.isVisible()
    assert "could not be saved" in dialog.save_error.text() and dialog.messages.isVisible()
    assert window.session.paths.settings.is_dir(), "nothing was changed"
    assert memory_keyring.passwords == {}
    qtbot.waitUntil(lambda: dialog.save_error.height() > 0)
    assert {w.accessibleName(): w.width() for w in (dialog.server_url, dialog.api_key)} == widths
    assert dialog.height() <= 720 and dialog.width() <= 1280
    assert cut_words(dialog) == [], "\n".join(cut_words(dialog))
    dialog.reject()


def test_settings_saved_in_the_demo_leave_it_for_the_crm_at_once(
        qtbot: Any, tmp_path: Path, emulator: Emulator, memory_keyring: MemoryKeyring) -> None:
    paths = Paths(tmp_path / "user", tmp_path / "user", tmp_path / "user" / "logs")
    paths.ensure()
    demo = start_demo(paths, jobs=30, customers=6)
    startup = StartUp(LaunchOptions(paths=paths, demo=True), demo)
    try:
        startup.open()
        first = startup.window
        assert first is not None and first.session.demo is not None
        assert first.findChild(QFrame, "banner") is not None
        dialog = _open(first)
        assert "as soon as you save" in dialog.findChildren(QLabel)[0].text()
        qtbot.keyClicks(dialog.server_url, emulator.url)
        qtbot.keyClicks(dialog.api_key, emulator.api_key)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

        qtbot.waitUntil(lambda: startup.window is not None and startup.window is not first)
        window = startup.window
        assert window is not None and window.session.demo is None
        assert window.session.paths == paths
        assert window.findChild(QFrame, "banner") is None, "the demo banner is gone"
        assert not demo.paths.data_dir.exists(), "the demo's data went with it"
        qtbot.waitUntil(lambda: (window.sync.last or {}).get("status") == "ok",
                        timeout=15_000)
        live = emulator.all_jobs(include_deleted=False)
        assert window.session.store.count(JobQuery()) == len(live)
    finally:
        if startup.window is not None:
            startup.window.close()
        startup.close_store()
        demo.close()
