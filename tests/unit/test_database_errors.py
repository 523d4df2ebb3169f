"""A bad local database, a full disk and a read-only data dir, on real SQLite files.

Each case gets its own message that says what is wrong and what to do, and the
command line exits 7 ("local database unusable") instead of 1. The disk cases use a
small tmpfs where the tests run as root (chmod does not stop root), and are skipped
with the reason where mounting is not permitted.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli import EXIT_UNUSABLE, main
from desktop.config import resolve_paths
from desktop.core.jobs import parse_server_job
from desktop.core.store import JobQuery, Store
from desktop.core.store.database import unsent_changes
from desktop.core.store.errors import (
    DatabaseDamaged,
    DatabaseTooNew,
    DataDirReadOnly,
    DiskFull,
)
from desktop.core.store.migrations import SCHEMA_VERSION
from desktop.core.store.mirror import insert_server_jobs, upsert_nested_customers
from desktop.emulator.demo_data import generate
from tests.conftest import make_customer

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def close_log_file() -> None:
    # main() logs to a file in the data dir, and a mount cannot be made read-only or
    # unmounted while a file on it is open for writing.
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_jobdesk", False)]:
        root.removeHandler(handler)
        handler.close()


@pytest.fixture(autouse=True)
def _close_log_file() -> Iterator[None]:
    level = logging.getLogger().level
    yield
    close_log_file()
    logging.getLogger().setLevel(level)


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def database(data_dir: Path) -> Path:
    return resolve_paths(data_dir).database


def populate(path: Path, jobs: int = 1500) -> None:
    """A mirror as a sync leaves it, folded into the main file (no WAL left)."""
    data = generate(jobs=jobs, customers=40, seed=5)
    store = Store.open(path)
    try:
        store.upsert_customers(data.customers)
        parsed = [parse_server_job(j) for j in data.jobs]
        with store.write() as conn:
            upsert_nested_customers(conn, parsed)
            insert_server_jobs(conn, parsed)
        store.checkpoint()
    finally:
        store.close()


def add_pending_job(path: Path) -> None:
    store = Store.open(path)
    try:
        store.create_job({"customer_uuid": make_customer(store), "title": "Unsent work"})
    finally:
        store.close()


def jobs_leaf_page(path: Path) -> tuple[int, int]:
    """(page number, page size) of a leaf in the middle of the jobs table's b-tree,
    found by reading the file's own structure."""
    conn = sqlite3.connect(path)
    try:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'jobs'").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    with path.open("rb") as handle:
        handle.seek((root - 1) * page_size)
        page = handle.read(page_size)
    assert page[0] == 0x05, "the jobs table should be big enough to have an interior root"
    cells = int.from_bytes(page[3:5], "big")
    pointer = 12 + 2 * (cells // 2)
    cell = int.from_bytes(page[pointer:pointer + 2], "big")
    return int.from_bytes(page[cell:cell + 4], "big"), page_size


def set_user_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()


def damaged_copies(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.glob("jobdesk.sqlite3.damaged-*")
                  if not p.name.endswith(("-wal", "-shm")))


# -- a damaged file ---------------------------------------------------------------------

def test_a_truncated_file_is_damaged_and_the_message_says_what_to_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = database(tmp_path)
    populate(path)
    os.truncate(path, path.stat().st_size // 2)

    with pytest.raises(DatabaseDamaged):
        Store.open(path)
    code, out, err = run(capsys, tmp_path, "jobs", "list")

    assert code == EXIT_UNUSABLE
    assert out == ""
    assert f"the local database {path} is damaged" in err
    assert "jobdesk db rebuild" in err
    assert "unexpected" not in err


def test_a_file_that_is_not_a_database_is_damaged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = database(tmp_path)
    path.write_bytes(os.urandom(8192))

    code, _, err = run(capsys, tmp_path, "jobs", "list")

    assert code == EXIT_UNUSABLE
    assert "is damaged (file is not a database)" in err


def test_a_page_overwritten_with_garbage_is_found_by_the_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = database(tmp_path)
    populate(path)
    code, out, _ = run(capsys, tmp_path, "db", "check")
    assert (code, out.strip()) == (0, f"the local database {path} is sound")

    page, page_size = jobs_leaf_page(path)
    with path.open("r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(os.urandom(page_size))

    store = Store.open(path)
    try:
        # The file opens and the counts still read: nothing else would notice.
        assert store.count(JobQuery()) > 0
        damage = store.quick_check()
    finally:
        store.close()
    assert isinstance(damage, DatabaseDamaged)
    code, _, err = run(capsys, tmp_path, "db", "check")
    assert code == EXIT_UNUSABLE
    assert f"the local database {path} is damaged" in err


# -- a newer file ---------------------------------------------------------------------

def test_a_newer_database_names_both_versions_and_is_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = database(tmp_path)
    populate(path, jobs=20)
    newer = SCHEMA_VERSION + 3
    set_user_version(path, newer)
    before = path.read_bytes()

    with pytest.raises(DatabaseTooNew) as raised:
        Store.open(path)
    assert (raised.value.file_version, raised.value.supported_version) == (newer, SCHEMA_VERSION)
    code, _, err = run(capsys, tmp_path, "jobs", "list")

    assert code == EXIT_UNUSABLE
    assert f"its schema is version {newer}" in err
    assert f"supports schema versions up to {SCHEMA_VERSION}" in err
    assert "Update JobDesk" in err
    assert path.read_bytes() == before


# -- rebuilding -----------------------------------------------------------------------

def test_rebuild_moves_a_damaged_file_aside_and_starts_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = database(tmp_path)
    populate(path)
    os.truncate(path, path.stat().st_size // 2)
    damaged = path.read_bytes()

    code, out, err = run(capsys, tmp_path, "db", "rebuild")

    assert (code, err) == (0, "")
    [kept] = damaged_copies(tmp_path)
    assert kept.read_bytes() == damaged
    assert str(kept) in out
    code, out, _ = run(capsys, tmp_path, "jobs", "list", "--json")
    assert (code, out.strip()) == (0, "[]")


def test_rebuild_refuses_while_unsent_changes_can_be_read_unless_forced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = database(tmp_path)
    populate(path, jobs=20)
    add_pending_job(path)
    set_user_version(path, SCHEMA_VERSION + 1)

    code, _, err = run(capsys, tmp_path, "db", "rebuild")
    assert code == EXIT_UNUSABLE
    assert "1 job(s) or customer(s) with changes not yet sent" in err
    assert "--force" in err
    assert damaged_copies(tmp_path) == []

    code, out, _ = run(capsys, tmp_path, "db", "rebuild", "--force")
    assert code == 0
    [kept] = damaged_copies(tmp_path)
    assert unsent_changes(kept) == 1
    assert f"1 job(s) or customer(s) with unsent changes stay in {kept.name}" in out


def test_a_customer_not_yet_sent_counts_as_an_unsent_change(tmp_path: Path) -> None:
    path = tmp_path / "jobdesk.sqlite3"
    store = Store.open(path)
    try:
        assert unsent_changes(path) == 0
        store.create_customer({"first_name": "Grace", "last_name": "Hopper"})
    finally:
        store.close()
    assert unsent_changes(path) == 1


def test_rebuild_takes_the_write_ahead_log_with_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "source"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = database(data_dir)
    store = Store.open(source / "jobdesk.sqlite3")
    try:
        store.create_job({"customer_uuid": make_customer(store), "title": "Only in the log"})
        # Copied while open: the edit is in the write-ahead log, not yet in the file.
        for suffix in ("", "-wal", "-shm"):
            shutil.copyfile(source / f"jobdesk.sqlite3{suffix}", Path(f"{path}{suffix}"))
    finally:
        store.close()

    code, _, _ = run(capsys, data_dir, "db", "rebuild", "--force")

    assert code == 0
    [kept] = damaged_copies(data_dir)
    assert Path(f"{kept}-wal").exists()
    assert unsent_changes(kept) == 1
    assert not Path(f"{path}-wal").exists() or unsent_changes(path) == 0
    fresh = Store.open(path)
    try:
        assert fresh.count(JobQuery(deleted="include")) == 0
    finally:
        fresh.close()


# -- the disk ----------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs of its own, unmounted afterwards."""
    if not IS_ROOT:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def remount_read_only(mount: Path) -> None:
    close_log_file()
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def fill(directory: Path) -> None:
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, bytes(65536))
    except OSError as error:
        assert error.errno == 28  # ENOSPC: the disk is full now
    finally:
        os.close(fd)


def test_a_full_disk_gets_its_own_words_and_loses_nothing(
    capsys: pytest.CaptureFixture[str], small_disk: Path
) -> None:
    path = database(small_disk)
    store = Store.open(path)
    try:
        customer = make_customer(store)
        store.create_job({"customer_uuid": customer, "title": "Saved before"})
    finally:
        store.close()
    run(capsys, small_disk, "jobs", "list")  # the log file is there before the disk fills
    fill(small_disk)

    with pytest.raises(DiskFull):
        store = Store.open(path)
        try:
            for _ in range(50):
                store.create_job({"customer_uuid": customer, "title": "Big",
                                  "description": "x" * 4000})
        finally:
            store.close()
    code, _, err = run(capsys, small_disk, "jobs", "add", "--customer", customer,
                       "--title", "Too much", "--set", "description=" + "y" * 4000)

    assert code == EXIT_UNUSABLE
    assert (f"the disk holding {small_disk} is full; free space and try again; "
            "nothing was lost") in err
    (small_disk / "filler").unlink()
    code, out, _ = run(capsys, small_disk, "jobs", "list", "--search", "Saved before")
    assert code == 0
    assert "Saved before" in out


def test_a_read_only_data_dir_gets_its_own_words(
    capsys: pytest.CaptureFixture[str], small_disk: Path
) -> None:
    populate(database(small_disk), jobs=20)
    run(capsys, small_disk, "jobs", "list")
    remount_read_only(small_disk)

    with pytest.raises(DataDirReadOnly):
        Store.open(database(small_disk))
    code, _, err = run(capsys, small_disk, "jobs", "list")

    assert code == EXIT_UNUSABLE
    assert f"JobDesk cannot write in its data folder {small_disk}: it is read-only" in err


def test_a_new_database_in_a_read_only_dir_gets_the_same_words(
    capsys: pytest.CaptureFixture[str], small_disk: Path
) -> None:
    (small_disk / "logs").mkdir()
    remount_read_only(small_disk)

    code, _, err = run(capsys, small_disk, "jobs", "list")

    assert code == EXIT_UNUSABLE
    assert f"JobDesk cannot write in its data folder {small_disk}: it is read-only" in err


@pytest.mark.skipif(IS_ROOT, reason="permissions do not stop root; the tmpfs tests cover it")
def test_a_data_dir_without_write_permission_is_read_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    populate(database(tmp_path), jobs=20)
    run(capsys, tmp_path, "jobs", "list")
    tmp_path.chmod(0o555)
    try:
        code, _, err = run(capsys, tmp_path, "jobs", "list")
    finally:
        tmp_path.chmod(0o755)

    assert code == EXIT_UNUSABLE
    assert "it is read-only" in err
