"""The key file kept where no keyring can keep the API key: owner-only, always."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desktop.config import ENV_API_KEY, get_api_key, keep_in_file, resolve_paths

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")

URL = "https://crm.example.com/api/v1"
KEY = "ctc_live_" + "k" * 43


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine whose keyring keeps nothing: the key file is where the key is."""
    import keyring

    monkeypatch.delenv(ENV_API_KEY, raising=False)
    monkeypatch.setattr(keyring, "get_password", lambda service, user: None)


def test_a_key_file_made_readable_by_others_is_made_owner_only_before_use(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    paths = resolve_paths(tmp_path)
    keep_in_file(paths, URL, KEY)
    assert stat.S_IMODE(paths.key_file.stat().st_mode) == 0o600
    paths.key_file.chmod(0o644)  # a backup restored with the umask's bits
    assert get_api_key(URL, paths) == KEY
    assert stat.S_IMODE(paths.key_file.stat().st_mode) == 0o600
    assert "made owner-only" in caplog.text and KEY not in caplog.text


def test_a_key_file_that_cannot_be_made_owner_only_is_refused(
        tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    paths = resolve_paths(tmp_path)
    keep_in_file(paths, URL, KEY)
    paths.key_file.chmod(0o640)

    def not_the_owner(path: object, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", not_the_owner)
    assert get_api_key(URL, paths) is None
    assert "could not be made owner-only (PermissionError); ignored" in caplog.text
    assert KEY not in caplog.text
