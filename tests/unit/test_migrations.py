"""Schema versioning: the declared schema, the frozen upgrades to it (copy-then-swap),
refusals."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

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
from desktop.core.store.schema import CUSTOMERS, JOBS, META
from tests.conftest import make_customer


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "v1.sqlite3"
    store = Store.open(path)
    customer = make_customer(store)
    store.create_job({"customer_uuid": customer, "title": "Kept across upgrades"})
    store.close()
    return path


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


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5, 6])
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
        team = set(conn.execute("SELECT user_id, jobs FROM team"))
        assigned = set(conn.execute(
            "SELECT assigned_to_user_id, sum(deleted_at IS NULL) FROM jobs "
            "WHERE assigned_to_user_id IS NOT NULL GROUP BY 1"))
    finally:
        conn.close()
    assert columns[-2:] == ["deleted_at", "status"]
    assert config["hashsize"] == 16 * 1024 * 1024
    assert triggers == {"jobs_fts_changed", "jobs_fts_gone", "customers_rename",
                        "live_counts_added", "live_counts_removed", "live_counts_moved",
                        "team_jobs_added", "team_jobs_removed", "team_jobs_moved"}
    assert team == assigned and team, "every technician of the file, counted"
    assert kept == counted and sum(n for _s, n in kept) == 5  # one trashed above
    assert "ix_jobs_live_status" not in indexes and "ix_jobs_filters" in indexes


def test_jobs_of_an_earlier_file_are_whole_with_details_from_its_last_full_scan(
        tmp_path: Path) -> None:
    path = tmp_path / "jobdesk.sqlite3"
    path.write_bytes((FIXTURES / "schema-v5.sqlite3").read_bytes())
    conn = sqlite3.connect(path)
    last_full = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'last_full'")
                           .fetchone()[0])
    conn.close()
    Store.open(path).close()
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT uuid IS NULL, summary_only, details_at FROM jobs").fetchall()
    finally:
        conn.close()
    assert {summary_only for _local, summary_only, _at in rows} == {0}
    assert {at for local, _s, at in rows if not local} == {last_full}
    assert [at for local, _s, at in rows if local] == [None], "a job never read has no date"


def test_customers_of_an_earlier_file_keep_every_field_and_can_be_edited(
        tmp_path: Path) -> None:
    # Schema 6 kept the customer fields it had no column for among the extras.
    path = tmp_path / "jobdesk.sqlite3"
    path.write_bytes((FIXTURES / "schema-v6.sqlite3").read_bytes())
    store = Store.open(path)
    try:
        (karen,) = store.customers("Karen")
        assert karen.local_id >= 1 and karen.sync_state == "synced"
        assert karen["is_vip"] is True and karen["notes"] == "Side door; dog is friendly"
        assert (karen["customer_type"], karen["on_my_way_notify_via"]) == ("Residential", "both")
        assert karen["billing_city"] == "Round Rock" and karen["created_at"].startswith("2023")
        assert karen.extras == {"internal_flags": {"gate_code": "4411"}}
        (tyrone,) = store.customers("Tyrone")
        assert tyrone["is_vip"] is False and tyrone.extras == {"internal_flags": {}}
        jobs = store.customer_history(karen).jobs
        assert jobs and all(j["customer_uuid"] == karen.uuid for j in jobs)
        renamed = store.update_customer(karen.local_id, {"last_name": "Perez-Lopez"})
        assert renamed.pending_op == "update"
        assert {j.customer_name for j in store.customer_history(renamed).jobs} == {
            "Karen Perez-Lopez"}, "the rename trigger came across"
    finally:
        store.close()


def test_a_new_file_gets_the_large_search_buffer(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    ensure_schema(path)
    conn = sqlite3.connect(path)
    try:
        assert dict(conn.execute("SELECT k, v FROM jobs_fts_config"))["hashsize"] == 16 << 20
    finally:
        conn.close()


# -- the declared schema against every upgraded file ---------------------------------

def _normalised(sql: str) -> str:
    """SQL text with case, quoting and spacing outside string literals made uniform,
    and no comments."""
    parts = re.split(r"('(?:[^']|'')*')", re.sub(r"--[^\n]*", "", sql))
    for i in range(0, len(parts), 2):
        text = parts[i].lower().replace('"', "").replace("`", "")
        text = re.sub(r"\s+", " ", text)
        parts[i] = re.sub(r"\s*([(),=<>!|+-]+)\s*", r"\1", text)
    return "".join(parts).strip()


def _affinity(declared: str) -> str:
    """The column's type affinity, by SQLite's rules (section 3.1 of its datatypes)."""
    kind = declared.upper()
    if "INT" in kind:
        return "INTEGER"
    if any(word in kind for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in kind or not kind:
        return "BLOB"
    if any(word in kind for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def _parenthesised(sql: str, start: int) -> str:
    """The text inside the parentheses that open at ``sql[start]``."""
    depth = 0
    for end in range(start, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[end], 0)
        if depth == 0:
            return sql[start + 1:end]
    raise ValueError(f"unbalanced: {sql}")


def _terms(listed: str) -> list[str]:
    """A comma-separated list split at its top level only."""
    terms, depth, current = [], 0, ""
    for char in listed:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    return [*terms, current]


def _table(conn: sqlite3.Connection, name: str, sql: str) -> dict[str, Any]:
    text = _normalised(sql)
    columns = [(cid, column, _affinity(kind), notnull, default, pk, hidden)
               for cid, column, kind, notnull, default, pk, hidden
               in conn.execute(f"PRAGMA table_xinfo('{name}')")]
    checks = sorted(_parenthesised(text, m.end() - 1)
                    for m in re.finditer(r"\bcheck\(", text))
    generated = [_parenthesised(text, m.end() - 1)
                 for m in re.finditer(r"\bgenerated always as\(", text)]
    indexes = {}
    for _seq, index, unique, origin, partial in conn.execute(f"PRAGMA index_list('{name}')"):
        # Indexes SQLite makes itself (UNIQUE, a primary key) have no SQL text.
        index_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                 (index,)).fetchone()
        written = _normalised(index_sql[0]) if index_sql and index_sql[0] else ""
        listed = _terms(_parenthesised(written, written.index("("))) if written else []
        keys = [(name or listed[rank], desc, collation)
                for rank, (_seq, _cid, name, desc, collation, key)
                in enumerate(conn.execute(f"PRAGMA index_xinfo('{index}')")) if key]
        where = re.search(r"\)where\b(.*)$", written)
        indexes[index] = {"unique": unique, "origin": origin, "partial": partial,
                          "columns": keys, "where": where and where[1].strip()}
    return {"columns": columns, "checks": checks, "generated": generated,
            "indexes": indexes,
            "autoincrement": " autoincrement" in text,
            "without rowid": text.endswith(" without rowid"),
            "virtual": text if text.startswith("create virtual table") else None}


def describe(path: Path) -> dict[str, Any]:
    """Everything about a database's schema that its behaviour depends on."""
    conn = sqlite3.connect(path)
    try:
        found = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                             "WHERE name NOT LIKE 'sqlite_autoindex_%'").fetchall()
        tables = {name: _table(conn, name, sql)
                  for kind, name, _on, sql in found if kind == "table"}
        # Indexes are described with their tables; here only that each belongs to one.
        loose = {name for kind, name, on, _sql in found
                 if kind == "index" and name not in tables.get(on, {}).get("indexes", {})}
        triggers = {name: (on, _normalised(sql))
                    for kind, name, on, sql in found if kind == "trigger"}
        views = {name for kind, name, _on, _sql in found if kind == "view"}
        config = dict(conn.execute("SELECT k, v FROM jobs_fts_config"))
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    return {"tables": tables, "loose indexes": loose, "triggers": triggers,
            "views": views, "search index config": config, "user_version": version}


@pytest.fixture(scope="module")
def declared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("declared") / "fresh.sqlite3"
    ensure_schema(path)
    return describe(path)


def _assert_same(upgraded: dict[str, Any], declared: dict[str, Any]) -> None:
    # Part by part, so a failure names the table, index or trigger that differs.
    assert upgraded["tables"].keys() == declared["tables"].keys()
    for name, table in declared["tables"].items():
        assert upgraded["tables"][name] == table, f"table {name}"
    for part in ("loose indexes", "triggers", "views", "search index config",
                 "user_version"):
        assert upgraded[part] == declared[part], part


def test_a_new_file_is_the_declared_schema(declared: dict[str, Any]) -> None:
    tables = declared["tables"]
    assert declared["user_version"] == SCHEMA_VERSION
    assert {c[1] for c in tables["jobs"]["columns"]} == {c.name for c in JOBS.columns}
    assert {c[1] for c in tables["customers"]["columns"]} == {c.name for c in CUSTOMERS.columns}
    assert {c[1] for c in tables["meta"]["columns"]} == {c.name for c in META.columns}
    assert {"jobs_fts", "jobs_fts_stale", "live_status_counts"} <= tables.keys()
    assert tables["jobs"]["autoincrement"] and len(tables["jobs"]["checks"]) == 2
    assert tables["jobs"]["indexes"]["ix_jobs_deleted"]["where"] == "deleted_at is not null"
    assert tables["jobs"]["indexes"]["ix_jobs_urgent"]["where"] == (
        "(is_urgent or is_emergency or priority='Emergency')")
    assert "team" in tables and len(tables["team"]["checks"]) == 1
    assert len(declared["triggers"]) == 9 and not declared["loose indexes"]


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5, 6])
def test_a_file_of_an_earlier_schema_upgrades_to_the_declared_one(
        tmp_path: Path, version: int, declared: dict[str, Any]) -> None:
    path = tmp_path / "jobdesk.sqlite3"
    path.write_bytes((FIXTURES / f"schema-v{version}.sqlite3").read_bytes())
    ensure_schema(path)
    _assert_same(describe(path), declared)


def test_every_frozen_step_from_an_empty_file_ends_at_the_declared_schema(
        tmp_path: Path, declared: dict[str, Any]) -> None:
    # Before the models were the declaration, new files were made this way; a file
    # left empty at version 0 (a crash while it was created) still is.
    path = tmp_path / "jobdesk.sqlite3"
    sqlite3.connect(path).close()
    assert ensure_schema(path) == SCHEMA_VERSION
    _assert_same(describe(path), declared)


@pytest.mark.parametrize(("change", "differs"), [
    (["DROP INDEX ix_jobs_deleted",
      "CREATE INDEX ix_jobs_deleted ON jobs (deleted_at) WHERE deleted_at > ''"], "table jobs"),
    (["DROP INDEX ix_sort_title",
      "CREATE INDEX ix_sort_title ON jobs (title, local_id)"], "table jobs"),
    (["ALTER TABLE jobs ADD COLUMN crew_size INTEGER"], "table jobs"),
    (["DROP TABLE meta", "CREATE TABLE meta (key TEXT NOT NULL PRIMARY KEY, value TEXT)"],
     "table meta"),
    (["DROP TRIGGER jobs_fts_gone",
      "CREATE TRIGGER jobs_fts_gone AFTER DELETE ON jobs BEGIN SELECT 1; END"], "triggers"),
    (["INSERT INTO jobs_fts (jobs_fts, rank) VALUES ('hashsize', 1048576)"],
     "search index config"),
])
def test_the_comparison_sees_a_difference(tmp_path: Path, declared: dict[str, Any],
                                          change: list[str], differs: str) -> None:
    path = tmp_path / "jobdesk.sqlite3"
    ensure_schema(path)
    conn = sqlite3.connect(path)
    for statement in change:
        conn.execute(statement)
    conn.commit()
    conn.close()
    with pytest.raises(AssertionError, match=differs):
        _assert_same(describe(path), declared)
