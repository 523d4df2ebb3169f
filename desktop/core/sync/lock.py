"""One sync at a time per data dir: an OS file lock that dies with its holder.

``filelock`` takes ``flock`` on POSIX and ``LockFileEx``-style locking on Windows,
released by the kernel when the process ends however it ends, so a crashed sync
never leaves a lock to clean up: the next one simply takes it. The holder's pid is
kept in a file beside the lock, for the message a refused sync shows.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout


class SyncBusy(RuntimeError):
    """Another sync holds the lock for this data dir."""


def holder_file(path: Path) -> Path:
    return path.with_name(path.name + ".pid")


class SyncLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        # Not a per-path singleton: a second lock of the same file in this process
        # (another engine, a test) must be refused like another process's.
        self._lock = FileLock(path, timeout=0, mode=0o600, thread_local=False,
                              is_singleton=False)

    def __enter__(self) -> SyncLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout:
            raise SyncBusy(f"another sync (pid {self.holder() or '?'}) is running on "
                           "this data dir") from None
        holder_file(self.path).write_text(str(os.getpid()), encoding="ascii")
        return self

    def holder(self) -> str | None:
        """The pid of the process that last took the lock, if it says."""
        try:
            return holder_file(self.path).read_text(encoding="ascii").strip() or None
        except OSError:
            return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with contextlib.suppress(OSError):
            holder_file(self.path).write_text("", encoding="ascii")
        self._lock.release()
