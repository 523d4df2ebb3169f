"""Why the local database cannot be used, in words that say what to do.

SQLite and the OS report a damaged file, a full disk or a read-only folder as
generic errors raised from whichever statement met them first. ``classify`` turns
those into one of the typed errors below, so the command line and the window can
say what is wrong instead of "unexpected error".
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from desktop import __version__

REBUILD_HINT = (
    "JobDesk can move it aside and rebuild the mirror from the server "
    "(`jobdesk db rebuild`, or the button JobDesk offers when it starts); "
    "the old file is kept beside it"
)


class StoreUnusable(RuntimeError):
    """The local database cannot be used as it is; the message says what to do."""

    #: Whether moving the file aside and rebuilding from the server gets the user going.
    rebuild_helps = False

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class DatabaseDamaged(StoreUnusable):
    """The file is not a SQLite database, is cut short, or has a damaged page."""

    rebuild_helps = True

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"the local database {path} is damaged ({detail}). {REBUILD_HINT}.", path)
        self.detail = detail


class DatabaseTooNew(StoreUnusable):
    """The file was written by a newer JobDesk; opening it could corrupt it."""

    rebuild_helps = True

    def __init__(self, path: Path, file_version: int, supported_version: int) -> None:
        super().__init__(
            f"the local database {path} was written by a newer JobDesk: its schema is "
            f"version {file_version}, and this JobDesk ({__version__}) supports schema "
            f"versions up to {supported_version}. Update JobDesk to open it; or, if its "
            f"changes have been sent, {REBUILD_HINT}.",
            path,
        )
        self.file_version = file_version
        self.supported_version = supported_version


class DiskFull(StoreUnusable):
    """No room left on the disk that holds the data dir."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"the disk holding {path.parent} is full; free space and try again; "
            "nothing was lost", path)


class DataDirReadOnly(StoreUnusable):
    """JobDesk may not write in its data dir (permissions, or a read-only disk)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"JobDesk cannot write in its data folder {path.parent}: it is read-only "
            "(its permissions, or a disk mounted read-only). Make it writable, or choose "
            "another folder with --data-dir; nothing was lost", path)


class DatabaseUnopenable(StoreUnusable):
    """SQLite could not open the file, for a reason other than the ones above."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"cannot open the local database {path} ({detail}); check that it is a file "
            "JobDesk may read and write", path)


_DAMAGED_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_DAMAGED_WORDS = ("malformed", "not a database", "database corrupt")


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (SQLAlchemy's ``orig``) and what caused it."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None,
                 current.__cause__, current.__context__]


def _read_only(directory: Path) -> bool:
    # access() reports a read-only mount even to root, whom permissions do not stop.
    return directory.is_dir() and not os.access(directory, os.W_OK | os.X_OK)


def _disk_full(directory: Path) -> bool:
    try:
        return os.statvfs(directory).f_bavail == 0
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def _inside(name: object, directory: Path) -> bool:
    if not isinstance(name, str | bytes | os.PathLike):
        return False
    target = Path(os.fsdecode(name)).absolute()
    return target == directory or directory in target.parents


def _from_sqlite(error: sqlite3.Error, path: Path) -> StoreUnusable | None:
    code = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    if code == "SQLITE_FULL" or "database or disk is full" in text:
        return DiskFull(path)
    if code.startswith("SQLITE_READONLY") or "readonly database" in text:
        return DataDirReadOnly(path)
    if code.startswith(_DAMAGED_CODES) or any(word in text for word in _DAMAGED_WORDS):
        return DatabaseDamaged(path, str(error))
    if code.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        if _read_only(path.parent):
            return DataDirReadOnly(path)
        return DatabaseUnopenable(path, str(error))
    if code.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        # SQLite folds the OS error into "disk I/O error": ask the disk itself.
        if _disk_full(path.parent):
            return DiskFull(path)
        if _read_only(path.parent):
            return DataDirReadOnly(path)
    return None


def from_os_error(error: OSError, path: Path) -> StoreUnusable | None:
    """A full disk or a read-only folder met while using ``path``'s folder.

    Only errors about a file in that folder count: an export to a folder the user
    chose, say, is that folder's problem, not the data dir's.
    """
    if not _inside(error.filename, path.parent):
        return None
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(path)
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return DataDirReadOnly(path)
    return None


def classify(error: BaseException, path: Path) -> StoreUnusable | None:
    """What ``error``, met while using the database at ``path``, means for the user;
    ``None`` for anything else (a constraint, a bug), which stays unexpected."""
    for cause in _causes(error):
        if isinstance(cause, StoreUnusable):
            return cause
        found: StoreUnusable | None = None
        if isinstance(cause, sqlite3.Error):
            found = _from_sqlite(cause, path)
        elif isinstance(cause, OSError):
            found = from_os_error(cause, path)
        if found is not None:
            return found
    return None
