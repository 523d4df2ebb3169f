"""The settings dialog: server, key in the keyring or in memory (never a file), sync
preferences, and leaving the demo for the CRM."""

from __future__ import annotations

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
from desktop.config import KEYRING_SERVICE, Paths, Settings, get_api_key
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

    dialog.my_user_id.setEditText("tech-42")
    dialog.interval.setValue(15)
    dialog.share.setValue(35)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    url = normalise_base_url(emulator.url)
    saved = Settings.load(window.session.paths)
    assert (saved.server_url, saved.my_user_id, saved.sync_interval_minutes,
            saved.quota_share_percent) == (url, "tech-42", 15, 35)
    assert memory_keyring.passwords[(KEYRING_SERVICE, url)] == emulator.api_key
    window.session.store.checkpoint()
    assert _files_containing(window.session.paths.data_dir, emulator.api_key) == []

    # Saving connects: the app syncs with the new server at once.
    window.sync.start()
    qtbot.waitUntil(lambda: (window.sync.last or {}).get("status") == "ok", timeout=15_000)
    qtbot.waitUntil(lambda: window.status.sync_label.text().startswith("Synced"))
    assert window.filters._me == "tech-42"
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


@pytest.fixture(params=["null", "fail", "refuses on save"])
def no_keyring(request: pytest.FixtureRequest, no_memory_keys: None) -> Iterator[str]:
    previous = keyring.get_keyring()
    backend = {"null": null.Keyring, "fail": fail.Keyring,
               "refuses on save": _BrokenKeyring}[request.param]()
    keyring.set_keyring(backend)
    yield request.param
    keyring.set_keyring(previous)


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
    assert get_api_key(url) == emulator.api_key
    assert "kept in memory until JobDesk closes" in window.status.note_label.text()
    # No restart: the window syncs with the new server and key at once.
    window.sync.start()
    qtbot.waitUntil(lambda: (window.sync.last or {}).get("status") == "ok", timeout=15_000)
    window.session.store.checkpoint()
    assert _files_containing(window.session.paths.data_dir, emulator.api_key) == []
    again = _open(window)
    assert "in memory" in again.key_storage.text()
    again.reject()


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
