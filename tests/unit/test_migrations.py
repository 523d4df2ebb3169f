"""Schema versioning: the frozen DDL, upgrades by copy-then-swap, refusals."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from desktop.core.store import JobQuery, Store
from desktop.core.store.migrations import (
    MIGRATIONS,
    SCHEMA_VERSION,
    MigrationError,
    TooNewError,
    ensure_schema,
    user_version,
)
from desktop.core.store.schema import CUSTOMER_TABLE, JOB_TABLE
from tests.conftest import make_customer


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _columns(path: Path, table: str) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        # table_xinfo lists generated columns too; hidden=0 keeps the stored ones.
        return {row[1] for row in conn.execute(f"PRAGMA table_xinfo({table})")
                if row[6] in (0,)}
    finally:
        conn.close()


def _v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "v1.sqlite3"
    store = Store.open(path)
    customer = make_customer(store)
    store.create_job({"customer_uuid": customer, "title": "Kept across upgrades"})
    store.close()
    return path


def test_frozen_ddl_matches_the_models(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    ensure_schema(path)
    assert user_version(path) == SCHEMA_VERSION
    assert _columns(path, "jobs") == {c.name for c in JOB_TABLE.columns}
    assert _columns(path, "customers") == {c.name for c in CUSTOMER_TABLE.columns}


def _add_column(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE jobs ADD COLUMN crew_size INTEGER")
    conn.execute("UPDATE jobs SET crew_size = 2")


def _broken(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE jobs SET title = 'half-way'")
    raise RuntimeError("disk on fire")


def test_upgrade_runs_pending_migrations_and_keeps_data(tmp_path: Path) -> None:
    path = _v1_file(tmp_path)
    assert ensure_schema(path, (*MIGRATIONS, _add_column)) == SCHEMA_VERSION + 1
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT title, crew_size FROM jobs").fetchall() == [
            ("Kept across upgrades", 2)]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    finally:
        conn.close()
    assert not list(tmp_path.glob("*.upgrading"))


def test_failed_upgrade_leaves_the_file_untouched(tmp_path: Path) -> None:
    path = _v1_file(tmp_path)
    before = _digest(path)
    with pytest.raises(MigrationError, match="original file is unchanged"):
        ensure_schema(path, (*MIGRATIONS, _broken))
    assert _digest(path) == before
    assert user_version(path) == SCHEMA_VERSION
    assert not list(tmp_path.glob("*.upgrading"))
    store = Store.open(path)
    try:
        assert [r["title"] for r in store.page(JobQuery())] == [
            "Kept across upgrades"]
    finally:
        store.close()


def test_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = _v1_file(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(TooNewError, match="newer JobDesk"):
        Store.open(path)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_a_file_written_by_an_earlier_schema_opens_with_everything_in_it(
        tmp_path: Path, version: int) -> None:
    # Written by JobDesk at that schema: six synced jobs from a server, one edited and
    # one trashed offline, and one created offline, none of them sent yet.
    path = tmp_path / "jobdesk.sqlite3"
    path.write_bytes((FIXTURES / f"schema-v{version}.sqlite3").read_bytes())
    assert user_version(path) == version
    store = Store.open(path)
    try:
        assert user_version(path) == SCHEMA_VERSION
        assert store.count(JobQuery()) == 6
        assert store.count(JobQuery(deleted="only")) == 1
        waiting = {r["title"]: r for r in store.page(JobQuery(sync_states=("pending",)))}
        edited = waiting["Edited offline before the upgrade"]
        assert edited.pending_op == "update" and edited.base is not None
        assert edited.base["title"] != edited["title"]
        created = waiting["Created offline before the upgrade"]
        assert created.pending_op == "create" and created.uuid is None
        found = {r["title"] for r in store.page(JobQuery(search="offline before"))}
        assert found == set(waiting), "the search index came across too"
        technician = store.page(JobQuery(sort="job_number"))[2]["assigned_to_user_id"]
        assert store.count(JobQuery(assigned_to=technician)) >= 1
        store.update_job(edited.local_id, {"title": "Edited again after the upgrade"})
        store.delete_job(created.local_id)
        assert {r["title"] for r in store.page(JobQuery(search="again after"))} == {
            "Edited again after the upgrade"}, "edits after the upgrade reach the index"
        assert store.count(JobQuery(search="Created offline")) == 0, "the Trash leaves it"
    finally:
        store.close()
    conn = sqlite3.connect(path)
    try:
        columns = [row[2] for row in conn.execute("PRAGMA index_info(ix_jobs_assigned)")]
        config = dict(conn.execute("SELECT k, v FROM jobs_fts_config"))
        triggers = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        indexes = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        kept = set(conn.execute("SELECT status, jobs FROM live_status_counts WHERE jobs > 0"))
        counted = set(conn.execute("SELECT status, count(*) FROM jobs "
                                   "WHERE deleted_at IS NULL GROUP BY status"))
    finally:
        conn.close()
    assert columns[-2:] == ["deleted_at", "status"]
    assert config["hashsize"] == 16 * 1024 * 1024
    assert triggers == {"jobs_fts_changed", "jobs_fts_gone", "customers_rename",
                        "live_counts_added", "live_counts_removed", "live_counts_moved"}
    assert kept == counted and sum(n for _s, n in kept) == 5  # one trashed above
    assert "ix_jobs_live_status" not in indexes and "ix_jobs_filters" in indexes


def test_a_new_file_gets_the_large_search_buffer(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    ensure_schema(path)
    conn = sqlite3.connect(path)
    try:
        assert dict(conn.execute("SELECT k, v FROM jobs_fts_config"))["hashsize"] == 16 << 20
    finally:
        conn.close()
