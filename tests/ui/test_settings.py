"""The settings dialog: server, key in the keyring (never a file), sync preferences."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.errors import PasswordSetError
from PySide6.QtCore import Qt

from desktop.config import KEYRING_SERVICE, Settings
from desktop.core.api import normalise_base_url
from desktop.emulator import Emulator
from desktop.ui.main_window import MainWindow
from desktop.ui.settings_dialog import SettingsDialog
from tests.conftest import MemoryKeyring


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
    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("no secret service running")


def test_without_a_keyring_the_dialog_says_how_to_give_the_key(
        window: MainWindow, qtbot: Any) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(_BrokenKeyring())
    try:
        dialog = _open(window)
        qtbot.keyClicks(dialog.server_url, "https://crm.example.com")
        qtbot.keyClicks(dialog.api_key, "ctc_live_secret")
        dialog.save()
        assert dialog.isVisible()
        assert "JOBDESK_API_KEY" in dialog.save_error.text()
        assert not window.session.paths.settings.exists()
        dialog.reject()
    finally:
        keyring.set_keyring(previous)
