"""Where JobDesk keeps its files, its settings, and how it finds the API key.

Paths come from platformdirs unless a data dir is given (``--data-dir`` or
``JOBDESK_DATA_DIR``), in which case the database, settings and logs all live there.
The API key lives in the system keyring (service ``jobdesk``); ``JOBDESK_API_KEY``
overrides it for scripts and machines without a keyring. Where no keyring can keep it,
the window keeps a key typed into Settings in memory until it closes
(``keep_in_memory``), unless the user chooses a file only they can read
(``keep_in_file``: owner-only, not encrypted). It is never in a file otherwise.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "jobdesk"
KEYRING_SERVICE = "jobdesk"
ENV_DATA_DIR = "JOBDESK_DATA_DIR"
ENV_SERVER_URL = "JOBDESK_SERVER_URL"
ENV_API_KEY = "JOBDESK_API_KEY"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "jobdesk.sqlite3"

    @property
    def settings(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def log_file(self) -> Path:
        """The window's log."""
        return self.log_dir / "jobdesk.log"

    @property
    def command_log_file(self) -> Path:
        """The headless commands' log: a file of their own, since a rotating log
        shared by two processes loses lines when both rotate it."""
        return self.log_dir / "jobdesk-cli.log"

    @property
    def key_file(self) -> Path:
        """API keys by server, where the user chose a file because no keyring exists."""
        return self.config_dir / "api-key.json"

    @property
    def sync_lock(self) -> Path:
        return self.data_dir / "sync.lock"

    def ensure(self) -> None:
        for directory in (self.data_dir, self.config_dir, self.log_dir):
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> Paths:
    """The explicit dir, else ``JOBDESK_DATA_DIR``, else the platform's user dirs."""
    chosen = data_dir or os.environ.get(ENV_DATA_DIR)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return Paths(data_dir=root, config_dir=root, log_dir=root / "logs")
    return Paths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )


@dataclass
class Settings:
    """User settings, stored as JSON. The API key is deliberately not one of them."""

    server_url: str = ""
    my_user_id: str = ""
    sync_interval_minutes: int = 5
    #: This device's share of what remains of the company's monthly quota.
    quota_share_percent: int = 20
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, paths: Paths) -> Settings:
        try:
            raw = json.loads(paths.settings.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("settings file %s unreadable (%s); using defaults", paths.settings, exc)
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in raw.items() if k in known and k != "extra"})
        settings.extra = {k: v for k, v in raw.items() if k not in known}
        return settings

    def save(self, paths: Paths) -> None:
        paths.ensure()
        data = {k: v for k, v in asdict(self).items() if k != "extra"} | self.extra
        # Write-then-rename so a crash never leaves half a settings file.
        fd, tmp = tempfile.mkstemp(dir=paths.config_dir, prefix=".settings-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
        os.replace(tmp, paths.settings)

    def effective_server_url(self) -> str:
        return os.environ.get(ENV_SERVER_URL) or self.server_url


class KeyStoreUnavailable(RuntimeError):
    """No keyring backend; the message tells the user how to provide a key instead."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        #: Why no keyring can keep the key, in a few words (the message says more).
        self.reason = reason or message


#: Keys typed into the window where no keyring can keep them, by account: this
#: process's memory is the only place they are kept, so they go when it ends.
_MEMORY_KEYS: dict[str, str] = {}


def keep_in_memory(server_url: str, key: str) -> None:
    """Keep ``key`` for this server until the process ends (no keyring can keep it)."""
    _MEMORY_KEYS[server_url or "default"] = key


#: The choice, in the window and in ``jobdesk login --key-file``, where no keyring
#: can keep the key, and what it means.
KEY_FILE_CHOICE = "Keep the key in a file only you can read"
KEY_FILE_CAVEAT = ("The file is not encrypted: anyone who can use your account on this "
                   "computer, or read a copy of your files, can read the key.")


def memory_key(server_url: str) -> str | None:
    """The key kept in memory for this server in this run, if any."""
    return _MEMORY_KEYS.get(server_url or "default")


class KeyFileExposed(Exception):
    """The key file is readable by others and could not be made owner-only."""


def _owner_only(path: Path) -> None:
    """Make a key file that others may read owner-only again before its key is used.

    It was written owner-only, but a backup restored or a copy from another laptop
    can bring it back readable by every account on the machine. One that cannot be
    tightened (not this user's) is refused, as ssh refuses such a private key.
    """
    if os.name != "posix":
        return  # Windows guards the profile's files by their ACLs, not these bits.
    if path.stat().st_mode & 0o077 == 0:
        return
    try:
        os.chmod(path, 0o600)
    except OSError as exc:
        raise KeyFileExposed(f"key file {path} is readable by others and could not be "
                             f"made owner-only ({type(exc).__name__})") from exc
    log.warning("key file %s was readable by others; made owner-only", path)


def _file_keys(paths: Paths) -> dict[str, str]:
    try:
        _owner_only(paths.key_file)
        raw = json.loads(paths.key_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except KeyFileExposed as exc:
        log.warning("%s; ignored", exc)
        return {}
    except (OSError, ValueError) as exc:
        # The error's type alone: its text could quote the file, and so the key.
        log.warning("key file %s unreadable (%s); ignored", paths.key_file,
                    type(exc).__name__)
        return {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): v for k, v in raw.items() if isinstance(v, str) and v}


def _write_key_file(paths: Paths, keys: dict[str, str]) -> None:
    """Write-then-rename, the temporary file owner-only from its creation
    (``mkstemp`` makes it 0600), so the key is never readable by others, nor half
    written."""
    paths.ensure()
    fd, tmp = tempfile.mkstemp(dir=paths.config_dir, prefix=".api-key-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(keys, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, paths.key_file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def keep_in_file(paths: Paths, server_url: str, key: str) -> None:
    """Keep ``key`` for this server in ``paths.key_file``, readable by its owner only
    and not encrypted: the user's choice where no keyring can keep it."""
    keys = _file_keys(paths)
    keys[server_url or "default"] = key
    _write_key_file(paths, keys)


def kept_in_file(paths: Paths, server_url: str) -> bool:
    return (server_url or "default") in _file_keys(paths)


def forget_key_file(paths: Paths, server_url: str) -> str | None:
    """Take this server's key out of the key file (the file goes with its last key);
    the key it held, if any."""
    keys = _file_keys(paths)
    key = keys.pop(server_url or "default", None)
    if key is None:
        return None
    if keys:
        _write_key_file(paths, keys)
    else:
        paths.key_file.unlink(missing_ok=True)
    return key


def get_api_key(server_url: str, paths: Paths) -> str | None:
    """The env override, else a key kept in memory for this run, else the keyring
    entry for this server, else the key file the user chose, else ``None``."""
    env = os.environ.get(ENV_API_KEY)
    if env:
        return env
    remembered = memory_key(server_url)
    if remembered:
        return remembered
    import keyring
    from keyring.errors import KeyringError

    try:
        kept = keyring.get_password(KEYRING_SERVICE, server_url or "default")
    except KeyringError:
        kept = None
    return kept or _file_keys(paths).get(server_url or "default")


def _cannot_keep(backend: Any) -> str | None:
    """Why ``backend`` cannot keep a key, or ``None`` if it claims it can."""
    from keyring.backends import fail, null

    name = str(getattr(backend, "name", "") or type(backend).__name__)
    # Both accept nothing or forget everything; null even does so without an error.
    if isinstance(backend, fail.Keyring | null.Keyring):
        return f"the keyring backend is {name!r}, which keeps nothing"
    try:
        priority = float(backend.priority)
    except Exception:  # a backend's priority raises when it is unusable here
        priority = 0.0
    # keyring itself never picks a backend of priority 0 or less on its own.
    if priority <= 0:
        return f"the keyring backend {name!r} is not usable on this machine"
    return None


def _unavailable(reason: str) -> KeyStoreUnavailable:
    return KeyStoreUnavailable(
        f"no system keyring can keep the API key ({reason}), so nothing was stored. "
        f"Provide the key in the environment variable {ENV_API_KEY} instead.", reason
    )


def keyring_problem() -> str | None:
    """Why the system keyring cannot keep a key, as far as can be told without trying;
    ``None`` when it claims it can."""
    import keyring

    return _cannot_keep(keyring.get_keyring())


def set_api_key(server_url: str, key: str) -> None:
    """Keep ``key`` in the system keyring, or raise ``KeyStoreUnavailable``.

    The key is read back before this returns, so a keyring that accepts it and then
    forgets it (keyring's null backend does, silently) is refused, not trusted.
    Refused, the keyring is left as it was.
    """
    import keyring
    from keyring.errors import KeyringError

    account = server_url or "default"
    backend = keyring.get_keyring()
    reason = _cannot_keep(backend)
    if reason is not None:
        raise _unavailable(reason)
    try:
        previous = backend.get_password(KEYRING_SERVICE, account)
        backend.set_password(KEYRING_SERVICE, account, key)
        kept = backend.get_password(KEYRING_SERVICE, account)
    except KeyringError as exc:
        raise _unavailable(str(exc) or type(exc).__name__) from None
    if kept != key:
        _put_back(backend, account, previous)
        raise _unavailable("it did not give the key back when asked")


def _put_back(backend: Any, account: str, previous: str | None) -> None:
    from keyring.errors import KeyringError

    try:
        if previous is None:
            backend.delete_password(KEYRING_SERVICE, account)
        else:
            backend.set_password(KEYRING_SERVICE, account, previous)
    except KeyringError:
        log.warning("could not restore the keyring entry for %s", account)
