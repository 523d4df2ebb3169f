"""`jobdesk config set server-url`, `login` and `status` against the emulator.

The system keyring is replaced by an in-memory backend (or by keyring's own "no
backend" stand-in) for each test, and restored afterwards.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from desktop.cli import main
from desktop.config import KEYRING_SERVICE, Settings, resolve_paths
from desktop.core.store import Store
from desktop.emulator import Emulator
from tests.conftest import MemoryKeyring


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("JOBDESK_API_KEY", "JOBDESK_SERVER_URL", "JOBDESK_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    root = logging.getLogger()
    level = root.level
    yield
    # main() installs a file handler on the root logger; close it with the test.
    for handler in [h for h in root.handlers if getattr(h, "_jobdesk", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@contextlib.contextmanager
def _keyring(backend: KeyringBackend) -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    with _keyring(fail.Keyring()):
        yield


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(jobs=30, customers=10, seed=2) as emulator:
        yield emulator


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.data_dir = data_dir
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--data-dir", str(self.data_dir), *argv])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(data_dir, capsys, monkeypatch)


def assert_key_nowhere(key: str, data_dir: Path, *outputs: str) -> None:
    """The key appears in no output and in no file under the data dir."""
    assert all(key not in text for text in outputs)
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files)
    for path in files:
        assert key.encode() not in path.read_bytes(), path


# --- config set server-url -----------------------------------------------------------


def test_config_set_server_url_stores_the_normalised_url(cli: Cli, data_dir: Path) -> None:
    code, out, _ = cli("config", "set", "server-url", "https://crm.example.com/")
    assert code == 0
    assert "https://crm.example.com/api/v1" in out
    assert Settings.load(resolve_paths(data_dir)).server_url == "https://crm.example.com/api/v1"


def test_config_set_refuses_plain_http_elsewhere(cli: Cli, data_dir: Path) -> None:
    code, _, err = cli("config", "set", "server-url", "http://crm.example.com")
    assert code == 2
    assert "server-url" in err and "https://" in err
    assert Settings.load(resolve_paths(data_dir)).server_url == ""


# --- login ------------------------------------------------------------------------------


def test_login_from_stdin_checks_and_stores_the_key(
    cli: Cli, emu: Emulator, memory_keyring: MemoryKeyring, data_dir: Path
) -> None:
    cli("config", "set", "server-url", emu.url)
    code, out, err = cli("login", stdin=emu.api_key + "\n")
    assert code == 0, err
    assert emu.company["name"] in out
    assert memory_keyring.passwords == {(KEYRING_SERVICE, emu.url): emu.api_key}
    assert emu.usage_count == 1  # one cheap GET /companies/me
    store = Store.open(resolve_paths(data_dir).database)
    try:
        usage = store.get_meta("usage")
    finally:
        store.close()
    assert usage is not None and usage["count"] == 1 and usage["limit"] == emu.usage_limit
    assert_key_nowhere(emu.api_key, data_dir, out, err)


def test_login_on_a_terminal_reads_a_hidden_prompt(
    cli: Cli, emu: Emulator, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return emu.api_key

    cli("config", "set", "server-url", emu.url)
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr("sys.stdin", Terminal())
    code = main(["--data-dir", str(cli.data_dir), "login"])
    assert code == 0
    assert prompts and "API key" in prompts[0]
    assert memory_keyring.passwords[(KEYRING_SERVICE, emu.url)] == emu.api_key


def test_login_with_a_refused_key_stores_nothing(
    cli: Cli, emu: Emulator, memory_keyring: MemoryKeyring, data_dir: Path
) -> None:
    wrong = "ctc_live_" + "w" * 43
    cli("config", "set", "server-url", emu.url)
    code, out, err = cli("login", stdin=wrong + "\n")
    assert code == 2
    assert "refused" in err and "Invalid API key" in err
    assert memory_keyring.passwords == {}
    assert_key_nowhere(wrong, data_dir, out, err)


class ForgetfulKeyring(MemoryKeyring):
    """Accepts every key without an error and keeps none of them."""

    def set_password(self, service: str, username: str, password: str) -> None:
        pass


class TruncatingKeyring(MemoryKeyring):
    """Keeps only the start of what it is given, as a keyring with a size limit might."""

    def set_password(self, service: str, username: str, password: str) -> None:
        super().set_password(service, username, password[:16])


class UnusableKeyring(MemoryKeyring):
    """Works, but ranks itself as keyring ranks a backend unfit for this machine."""

    priority = 0


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring, null.Keyring, ForgetfulKeyring, UnusableKeyring],
    ids=["fail", "null", "forgetful", "priority-0"],
)
def test_login_where_no_keyring_can_keep_the_key_stores_nothing_and_says_so(
    cli: Cli, emu: Emulator, data_dir: Path, backend: type[KeyringBackend]
) -> None:
    cli("config", "set", "server-url", emu.url)
    with _keyring(backend()):
        code, out, err = cli("login", stdin=emu.api_key + "\n")
        assert code == 2
        assert "Signed in" not in out and "kept in the system keyring" not in out
        assert "no system keyring can keep the API key" in err and "nothing was stored" in err
        assert "export JOBDESK_API_KEY=" in err
        assert "jobdesk login --key-file" in err and "not encrypted" in err
        assert json.loads(cli("status", "--json")[1])["api_key_set"] is False
    assert_key_nowhere(emu.api_key, data_dir, out, err)


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring], ids=["fail", "null"])
def test_login_with_key_file_where_no_keyring_exists_keeps_it_owner_only(
    cli: Cli, emu: Emulator, data_dir: Path, backend: type[KeyringBackend]
) -> None:
    cli("config", "set", "server-url", emu.url)
    key_file = resolve_paths(data_dir).key_file
    with _keyring(backend()):
        code, out, err = cli("login", "--key-file", stdin=emu.api_key + "\n")
        assert code == 0, err
        assert "Signed in" in out and "a file only you can read" in out
        assert "not encrypted" in out and str(key_file) in out
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        status = json.loads(cli("status", "--json")[1])
        assert (status["api_key_set"], status["api_key_source"]) == (True, "file")
        # Another command, as after a restart, reads the key from the file.
        code, sync_out, sync_err = cli("sync", "--json")
        assert code == 0, sync_err
        assert json.loads(sync_out)["status"] == "ok"
    logs = [p for p in data_dir.rglob("*.log") if p.is_file()]
    assert logs and all(emu.api_key.encode() not in p.read_bytes() for p in logs)
    holding = [p for p in data_dir.rglob("*") if p.is_file()
               and emu.api_key.encode() in p.read_bytes()]
    assert holding == [key_file]
    assert all(emu.api_key not in text for text in (out, err, sync_out, sync_err))


def test_login_with_key_file_where_a_keyring_exists_uses_the_keyring(
    cli: Cli, emu: Emulator, memory_keyring: MemoryKeyring, data_dir: Path
) -> None:
    cli("config", "set", "server-url", emu.url)
    code, out, err = cli("login", "--key-file", stdin=emu.api_key + "\n")
    assert code == 0 and "kept in the system keyring" in out
    assert "no key file was written" in err
    assert not resolve_paths(data_dir).key_file.exists()
    assert_key_nowhere(emu.api_key, data_dir, out, err)


def test_a_keyring_that_mangles_the_key_is_refused_and_left_as_it_was(
    cli: Cli, emu: Emulator
) -> None:
    cli("config", "set", "server-url", emu.url)
    backend = TruncatingKeyring()
    backend.passwords[(KEYRING_SERVICE, emu.url)] = "kept before"
    with _keyring(backend):
        code, _, err = cli("login", stdin=emu.api_key + "\n")
    assert code == 2 and "did not give the key back" in err
    assert backend.passwords == {(KEYRING_SERVICE, emu.url): "kept before"}


def test_a_keyring_that_mangles_a_first_key_keeps_no_entry(cli: Cli, emu: Emulator) -> None:
    cli("config", "set", "server-url", emu.url)
    backend = TruncatingKeyring()
    with _keyring(backend):
        code, _, _ = cli("login", stdin=emu.api_key + "\n")
    assert code == 2 and backend.passwords == {}


def test_login_needs_a_server(cli: Cli, memory_keyring: MemoryKeyring) -> None:
    code, _, err = cli("login", stdin="ctc_live_" + "a" * 43 + "\n")
    assert code == 2
    assert "config set server-url" in err


def test_login_with_empty_input(cli: Cli, emu: Emulator, memory_keyring: MemoryKeyring) -> None:
    cli("config", "set", "server-url", emu.url)
    code, _, err = cli("login", stdin="\n")
    assert code == 2 and "no API key" in err
    assert emu.usage_count == 0


def test_login_when_the_server_fails(
    cli: Cli, emu: Emulator, memory_keyring: MemoryKeyring, data_dir: Path
) -> None:
    cli("config", "set", "server-url", emu.url)
    emu.faults.fail_next(1)
    code, out, err = cli("login", stdin=emu.api_key + "\n")
    assert code == 1
    assert "could not check the key" in err
    assert memory_keyring.passwords == {}
    assert_key_nowhere(emu.api_key, data_dir, out, err)


def test_login_when_the_server_is_down(
    cli: Cli, memory_keyring: MemoryKeyring, emu: Emulator
) -> None:
    cli("config", "set", "server-url", emu.url)
    emu.stop()
    code, _, err = cli("login", stdin=emu.api_key + "\n")
    assert code == 1
    assert "nothing was sent" in err


def test_server_url_from_the_environment_wins(
    cli: Cli, emu: Emulator, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("config", "set", "server-url", "https://crm.example.com")
    monkeypatch.setenv("JOBDESK_SERVER_URL", emu.url.removesuffix("/api/v1"))
    code, _, err = cli("login", stdin=emu.api_key + "\n")
    assert code == 0, err
    assert memory_keyring.passwords == {(KEYRING_SERVICE, emu.url): emu.api_key}


# --- status -------------------------------------------------------------------------------


def test_status_before_anything_is_set(cli: Cli, memory_keyring: MemoryKeyring) -> None:
    code, out, _ = cli("status", "--json")
    assert code == 0
    assert json.loads(out) == {
        "server_url": None, "server_url_source": None, "server_url_error": None,
        "api_key_set": False, "api_key_source": None, "usage": None, "sync": None,
    }
    code, out, _ = cli("status")
    assert "not set" in out and "jobdesk login" in out and "never run here" in out


def test_status_after_login_never_shows_the_key(
    cli: Cli, emu: Emulator, memory_keyring: MemoryKeyring, data_dir: Path
) -> None:
    cli("config", "set", "server-url", emu.url)
    cli("login", stdin=emu.api_key + "\n")
    code, out, err = cli("status", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["server_url"] == emu.url and report["server_url_source"] == "settings"
    assert report["api_key_set"] is True and report["api_key_source"] == "keyring"
    assert report["usage"]["count"] == 1
    assert report["usage"]["limit"] == emu.usage_limit
    assert report["usage"]["resets_at"].endswith("Z")
    code, text, text_err = cli("status")
    assert "system keyring" in text and "1 of 50,000" in text
    assert_key_nowhere(emu.api_key, data_dir, out, err, text, text_err)


def test_status_reports_an_environment_key(
    cli: Cli, emu: Emulator, no_keyring: None, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setenv("JOBDESK_API_KEY", emu.api_key)
    monkeypatch.setenv("JOBDESK_SERVER_URL", emu.url)
    code, out, err = cli("status", "--json")
    report = json.loads(out)
    assert code == 0
    assert report["server_url_source"] == "env"
    assert report["api_key_set"] is True and report["api_key_source"] == "env"
    assert_key_nowhere(emu.api_key, data_dir, out, err)


def test_status_with_no_keyring_and_no_env_key(
    cli: Cli, emu: Emulator, no_keyring: None
) -> None:
    cli("config", "set", "server-url", emu.url)
    report = json.loads(cli("status", "--json")[1])
    assert report["api_key_set"] is False


def test_status_flags_an_unusable_server_url(
    cli: Cli, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOBDESK_SERVER_URL", "http://crm.example.com")
    code, out, _ = cli("status", "--json")
    report = json.loads(out)
    assert code == 0
    assert report["server_url"] == "http://crm.example.com"
    assert "https://" in report["server_url_error"]
