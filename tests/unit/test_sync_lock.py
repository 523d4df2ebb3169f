"""The sync lock on a real file: one holder at a time, whoever asks, its pid beside it."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from desktop.core.sync import SyncBusy, SyncLock
from desktop.core.sync.lock import holder_file


def test_the_holders_pid_is_kept_beside_the_lock_and_named_to_whoever_is_refused(
        tmp_path: Path) -> None:
    lock = tmp_path / "data" / "sync.lock"
    with SyncLock(lock):
        assert holder_file(lock).read_text() == str(os.getpid())
        with pytest.raises(SyncBusy, match=f"pid {os.getpid()}"), SyncLock(lock):
            pass
    assert holder_file(lock).read_text() == ""
    with SyncLock(lock):  # released on exit: the next one takes it
        pass


def test_another_thread_of_this_process_is_refused_too(tmp_path: Path) -> None:
    lock = tmp_path / "sync.lock"
    refused: list[BaseException] = []

    def try_it() -> None:
        try:
            with SyncLock(lock):
                pass
        except SyncBusy as exc:
            refused.append(exc)

    with SyncLock(lock):
        other = threading.Thread(target=try_it)
        other.start()
        other.join()
    assert len(refused) == 1
