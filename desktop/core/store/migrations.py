"""Versioned schema: frozen DDL per version and a copy-then-swap upgrade.

``PRAGMA user_version`` holds the schema version. An upgrade never touches the
user's file in place: it copies the database (SQLite backup API, so WAL content is
included), migrates the copy, and only then renames it over the original. A failed
migration leaves the old file exactly as it was.

A new database is created from today's declaration instead (the models in
``schema`` plus ``ddl``) and stamped with ``SCHEMA_VERSION``. Each migration's DDL
is frozen text, never derived from the current models, so an old database is always
upgraded through the same steps whatever the models later become; the migration
test checks that those steps end at exactly the declared schema.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from desktop.core.store import ddl
from desktop.core.store.errors import DatabaseTooNew

log = logging.getLogger(__name__)

Migration = Callable[[sqlite3.Connection], None]

_V1_JOBS = """
CREATE TABLE jobs (
    local_id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT UNIQUE,
    job_number TEXT,
    customer_uuid TEXT,
    location_uuid TEXT,
    assigned_to_user_id TEXT,
    title TEXT,
    description TEXT,
    status TEXT,
    priority TEXT,
    is_urgent BOOLEAN NOT NULL DEFAULT 0,
    is_emergency BOOLEAN NOT NULL DEFAULT 0,
    service_address1 TEXT,
    service_address2 TEXT,
    service_city TEXT,
    service_state TEXT,
    service_zip TEXT,
    estimated_amount INTEGER,
    actual_amount INTEGER,
    scheduled_date TEXT,
    scheduled_time_start TEXT,
    scheduled_time_end TEXT,
    started_at TEXT,
    completed_at TEXT,
    invoiced_at TEXT,
    paid_at TEXT,
    internal_notes TEXT,
    customer_notes TEXT,
    created_at TEXT,
    updated_at TEXT,
    deleted_at TEXT,
    customer_name TEXT,
    extras_json TEXT,
    sync_state TEXT NOT NULL DEFAULT 'synced',
    pending_op TEXT,
    base_json TEXT,
    conflict_json TEXT,
    idempotency_key TEXT,
    request_body TEXT,
    first_attempt_at TEXT,
    last_error TEXT,
    local_rev INTEGER NOT NULL DEFAULT 0,
    local_modified_at TEXT,
    seen_scan INTEGER,
    -- Ranks follow the API's own order, so "sort by priority" means urgency,
    -- not the alphabet; generated so no write path can forget them.
    priority_rank INTEGER GENERATED ALWAYS AS (
        CASE priority WHEN 'Low' THEN 0 WHEN 'Normal' THEN 1 WHEN 'High' THEN 2
        WHEN 'Emergency' THEN 3 ELSE 4 END) VIRTUAL,
    status_rank INTEGER GENERATED ALWAYS AS (
        CASE status WHEN 'New' THEN 0 WHEN 'Contacted' THEN 1 WHEN 'Scheduled' THEN 2
        WHEN 'In Progress' THEN 3 WHEN 'Needs Approval' THEN 4
        WHEN 'Ready to Invoice' THEN 5 WHEN 'Invoiced' THEN 6 WHEN 'Complete' THEN 7
        WHEN 'Estimate Sent' THEN 8 WHEN 'Estimate Approved' THEN 9 ELSE 10 END) VIRTUAL,
    CHECK (sync_state IN ('synced', 'pending', 'conflict', 'rejected')),
    CHECK (pending_op IS NULL OR pending_op IN ('create', 'update', 'delete'))
)
"""

# Sort indexes, one per column of the job list: the sort key, then local_id so ties
# keep a stable order and pages never shuffle, then the columns the broad filters
# test. Carrying those makes a list query an index-only walk that stops after one
# page: no table lookups, so even a filter whose matches sit at the far end of the
# sort order stays cheap.
_SORT_INDEXES = {
    "job_number": "job_number COLLATE NOCASE",
    "title": "title COLLATE NOCASE",
    "customer": "customer_name COLLATE NOCASE",
    "status": "status_rank",
    "priority": "priority_rank",
    "scheduled": "scheduled_date, scheduled_time_start",
    "city": "service_city COLLATE NOCASE",
    "estimated": "estimated_amount",
    "sync_state": "sync_state",
}
# (A technician's id is left out: 36 bytes on every entry of every sort index would
# cost more on each write than the few lookups it saves for "my jobs".)
_FILTER_COLUMNS = (
    "deleted_at, status, priority, is_urgent, is_emergency, scheduled_date IS NULL"
)
_V1_INDEXES = [
    *(f"CREATE INDEX ix_sort_{name} ON jobs ({key}, local_id, {_FILTER_COLUMNS})"
      for name, key in _SORT_INDEXES.items()),
    "CREATE INDEX ix_jobs_customer_uuid ON jobs (customer_uuid)",
    # A technician's own jobs in schedule order: the "My jobs" list itself.
    "CREATE INDEX ix_jobs_assigned ON jobs "
    "(assigned_to_user_id, scheduled_date, scheduled_time_start, local_id)",
    "CREATE INDEX ix_jobs_live_status ON jobs (status) WHERE deleted_at IS NULL",
    "CREATE INDEX ix_jobs_filters ON jobs (status, priority, assigned_to_user_id, deleted_at)",
    # The urgent jobs sorted by priority: urgency and priority go together, so the
    # priority index would pass most jobs before the first urgent one.
    "CREATE INDEX ix_jobs_urgent ON jobs (priority_rank, local_id, deleted_at, status) "
    "WHERE (is_urgent OR is_emergency OR priority = 'Emergency')",
    "CREATE INDEX ix_jobs_unsynced ON jobs (sync_state) WHERE sync_state != 'synced'",
    "CREATE INDEX ix_jobs_deleted ON jobs (deleted_at) WHERE deleted_at IS NOT NULL",
]

_V1_CUSTOMERS = """
CREATE TABLE customers (
    uuid TEXT PRIMARY KEY,
    first_name TEXT,
    last_name TEXT,
    company_name TEXT,
    phone TEXT,
    email TEXT,
    physical_address1 TEXT,
    physical_address2 TEXT,
    physical_city TEXT,
    physical_state TEXT,
    physical_zip TEXT,
    updated_at TEXT,
    deleted_at TEXT,
    extras_json TEXT
)
"""

_V1_META = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

# The search index is a plain FTS5 table keyed by local_id. Updates and deletes
# reach it by trigger, so no edit path can forget it; inserts are indexed by the
# two insert paths with one INSERT ... SELECT per transaction instead, because an
# FTS5 insert from a row trigger is several times slower in bulk (100,000 jobs).
# (Schema 4 has the triggers note changes instead, for the same reason: _v4.)
_V1_FTS = [
    """CREATE VIRTUAL TABLE jobs_fts USING fts5(
        title, description, job_number, customer_name, address, notes,
        tokenize = 'trigram', columnsize = 0)""",
    """CREATE TRIGGER jobs_fts_update AFTER UPDATE OF title, description, job_number,
        customer_name, service_address1, service_address2, service_city,
        service_state, service_zip, internal_notes, customer_notes ON jobs BEGIN
        UPDATE jobs_fts SET title = new.title, description = new.description,
            job_number = new.job_number, customer_name = new.customer_name,
            address = ifnull(new.service_address1, '') || ' '
                || ifnull(new.service_address2, '') || ' ' || ifnull(new.service_city, '')
                || ' ' || ifnull(new.service_state, '') || ' ' || ifnull(new.service_zip, ''),
            notes = ifnull(new.internal_notes, '') || ' ' || ifnull(new.customer_notes, '')
        WHERE rowid = new.local_id;
    END""",
    """CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
        DELETE FROM jobs_fts WHERE rowid = old.local_id;
    END""",
    # Only live jobs are indexed, so the index alone answers "how many match" for
    # the main list; the Trash is small and searched without it.
    """CREATE TRIGGER jobs_fts_trash AFTER UPDATE OF deleted_at ON jobs
        WHEN old.deleted_at IS NULL AND new.deleted_at IS NOT NULL BEGIN
        DELETE FROM jobs_fts WHERE rowid = new.local_id;
    END""",
    """CREATE TRIGGER jobs_fts_restore AFTER UPDATE OF deleted_at ON jobs
        WHEN old.deleted_at IS NOT NULL AND new.deleted_at IS NULL BEGIN
        INSERT INTO jobs_fts (rowid, title, description, job_number, customer_name,
                              address, notes)
        VALUES (new.local_id, new.title, new.description, new.job_number,
                new.customer_name,
                ifnull(new.service_address1, '') || ' ' || ifnull(new.service_address2, '')
                || ' ' || ifnull(new.service_city, '') || ' '
                || ifnull(new.service_state, '') || ' ' || ifnull(new.service_zip, ''),
                ifnull(new.internal_notes, '') || ' ' || ifnull(new.customer_notes, ''));
    END""",
    # A customer renamed in the mirror renames every one of their jobs' display name.
    """CREATE TRIGGER customers_rename AFTER UPDATE OF first_name, last_name,
        company_name ON customers
        WHEN old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name
             OR old.company_name IS NOT new.company_name BEGIN
        UPDATE jobs SET customer_name = coalesce(nullif(trim(ifnull(new.first_name, '')
                                   || ' ' || ifnull(new.last_name, '')), ''),
                                   new.company_name)
        WHERE customer_uuid = new.uuid;
    END""",
]


def _v1(conn: sqlite3.Connection) -> None:
    for statement in [_V1_JOBS, *_V1_INDEXES, _V1_CUSTOMERS, _V1_META, *_V1_FTS]:
        conn.execute(statement)


# A technician's own jobs in schedule order now carry what the status and Trash
# filters test: "my Scheduled jobs" (a board column, a route) walked the index past
# months of finished work, reading each row for its status (18 ms a page at 100,000
# jobs); with both in the index the walk reads no rows (4 ms).
_V2_ASSIGNED = [
    "DROP INDEX ix_jobs_assigned",
    "CREATE INDEX ix_jobs_assigned ON jobs "
    "(assigned_to_user_id, scheduled_date, scheduled_time_start, local_id, deleted_at, status)",
]


def _v2(conn: sqlite3.Connection) -> None:
    for statement in _V2_ASSIGNED:
        conn.execute(statement)


# The search index gathers new entries in memory and writes them out as a segment
# when the buffer fills, merging segments as they pile up. SQLite's 1 MB buffer
# fills at about 1,000 jobs, so a 5,000-job bulk write made four segments and
# merged them again and again; 16 MB takes it in one: indexing 100,000 jobs in
# such batches went from 4.8 to 3.7 s. A sync writes at most 400 jobs at a time,
# one segment either way; the buffer only grows that far in larger transactions.
_V3_FTS_BUFFER = "INSERT INTO jobs_fts (jobs_fts, rank) VALUES ('hashsize', 16777216)"


def _v3(conn: sqlite3.Connection) -> None:
    conn.execute(_V3_FTS_BUFFER)


# The search index was kept by row triggers, one FTS5 write per statement, and FTS5
# writes a segment at the start of each such statement: editing many jobs in one
# transaction cost about 2.5 ms a job. The triggers now only note which jobs need
# indexing again; each write transaction indexes them in one statement (see
# search_index). A trigger notes a job only when an indexed value really changed.
_INDEXED = ("title", "description", "job_number", "customer_name", "service_address1",
            "service_address2", "service_city", "service_state", "service_zip",
            "internal_notes", "customer_notes", "deleted_at")
_V4_FTS_STALE = [
    "DROP TRIGGER jobs_fts_update",
    "DROP TRIGGER jobs_fts_delete",
    "DROP TRIGGER jobs_fts_trash",
    "DROP TRIGGER jobs_fts_restore",
    "CREATE TABLE jobs_fts_stale (local_id INTEGER PRIMARY KEY)",
    f"""CREATE TRIGGER jobs_fts_changed AFTER UPDATE OF {', '.join(_INDEXED)} ON jobs
        WHEN {' OR '.join(f'old.{c} IS NOT new.{c}' for c in _INDEXED)} BEGIN
        INSERT OR IGNORE INTO jobs_fts_stale (local_id) VALUES (new.local_id);
    END""",
    """CREATE TRIGGER jobs_fts_gone AFTER DELETE ON jobs BEGIN
        INSERT OR IGNORE INTO jobs_fts_stale (local_id) VALUES (old.local_id);
    END""",
]


def _v4(conn: sqlite3.Connection) -> None:
    for statement in _V4_FTS_STALE:
        conn.execute(statement)


# How many live jobs each status holds, kept by triggers: the badges and the board's
# columns for all jobs read ten rows instead of walking an index of every live job
# (7 to 15 ms at 100,000 jobs). '' stands for a job with no status. The index that
# walk used serves no other query (the filter index answers a status), so it goes.
_V5_STATUS_COUNTS = [
    "DROP INDEX ix_jobs_live_status",
    "CREATE TABLE live_status_counts (status TEXT NOT NULL PRIMARY KEY, jobs INTEGER NOT NULL)",
    """INSERT INTO live_status_counts (status, jobs)
        SELECT ifnull(status, ''), count(*) FROM jobs WHERE deleted_at IS NULL GROUP BY 1""",
    """CREATE TRIGGER live_counts_added AFTER INSERT ON jobs
        WHEN new.deleted_at IS NULL BEGIN
        INSERT INTO live_status_counts (status, jobs) VALUES (ifnull(new.status, ''), 1)
            ON CONFLICT (status) DO UPDATE SET jobs = jobs + 1;
    END""",
    """CREATE TRIGGER live_counts_removed AFTER DELETE ON jobs
        WHEN old.deleted_at IS NULL BEGIN
        UPDATE live_status_counts SET jobs = jobs - 1 WHERE status = ifnull(old.status, '');
    END""",
    """CREATE TRIGGER live_counts_moved AFTER UPDATE OF status, deleted_at ON jobs
        WHEN old.status IS NOT new.status
             OR (old.deleted_at IS NULL) != (new.deleted_at IS NULL) BEGIN
        UPDATE live_status_counts SET jobs = jobs - 1
            WHERE old.deleted_at IS NULL AND status = ifnull(old.status, '');
        INSERT INTO live_status_counts (status, jobs)
            SELECT ifnull(new.status, ''), 1 WHERE new.deleted_at IS NULL
            ON CONFLICT (status) DO UPDATE SET jobs = jobs + 1;
    END""",
]


def _v5(conn: sqlite3.Connection) -> None:
    for statement in _V5_STATUS_COUNTS:
        conn.execute(statement)


# Under summary list shapes a job may be mirrored from its list summary alone: the row
# says so, and says when its whole record was last read, so that details are fetched
# by priority and their staleness reported. Every job of an earlier file was mirrored
# whole, and a completed full scan had read or stamp-checked each of them, so their
# details date from the last one ('last_full', written by the engine's clock as
# details_at is); a file that never finished one leaves the time unknown.
_V6_DETAILS = [
    "ALTER TABLE jobs ADD COLUMN summary_only BOOLEAN NOT NULL DEFAULT 0",
    "ALTER TABLE jobs ADD COLUMN details_at TEXT",
    """UPDATE jobs SET details_at = (SELECT json_extract(value, '$') FROM meta
        WHERE key = 'last_full') WHERE uuid IS NOT NULL""",
    "CREATE INDEX ix_jobs_summary_only ON jobs (scheduled_date, local_id) WHERE summary_only",
]


def _v6(conn: sqlite3.Connection) -> None:
    for statement in _V6_DETAILS:
        conn.execute(statement)


def _team(conn: sqlite3.Connection) -> None:
    """The team: every user id the jobs name, its live jobs counted by triggers, and
    a name harvested from the server or given here (see core.team)."""
    for statement in [
        """CREATE TABLE team (
            user_id VARCHAR, name VARCHAR, name_source VARCHAR,
            jobs INTEGER DEFAULT 0 NOT NULL, PRIMARY KEY (user_id),
            CHECK (name_source IS NULL OR name_source IN ('server', 'local')))""",
        """INSERT INTO team (user_id, jobs)
            SELECT assigned_to_user_id, sum(deleted_at IS NULL) FROM jobs
            WHERE assigned_to_user_id IS NOT NULL GROUP BY assigned_to_user_id""",
        """CREATE TRIGGER team_jobs_added AFTER INSERT ON jobs
        WHEN new.assigned_to_user_id IS NOT NULL BEGIN
        INSERT INTO team (user_id, jobs)
            VALUES (new.assigned_to_user_id, new.deleted_at IS NULL)
            ON CONFLICT (user_id) DO UPDATE SET jobs = jobs + excluded.jobs;
    END""",
        """CREATE TRIGGER team_jobs_removed AFTER DELETE ON jobs
        WHEN old.assigned_to_user_id IS NOT NULL AND old.deleted_at IS NULL BEGIN
        UPDATE team SET jobs = jobs - 1 WHERE user_id = old.assigned_to_user_id;
    END""",
        """CREATE TRIGGER team_jobs_moved AFTER UPDATE OF assigned_to_user_id, deleted_at ON jobs
        WHEN old.assigned_to_user_id IS NOT new.assigned_to_user_id
             OR (old.deleted_at IS NULL) != (new.deleted_at IS NULL) BEGIN
        UPDATE team SET jobs = jobs - 1
            WHERE old.deleted_at IS NULL AND user_id = old.assigned_to_user_id;
        INSERT INTO team (user_id, jobs)
            SELECT new.assigned_to_user_id, new.deleted_at IS NULL
            WHERE new.assigned_to_user_id IS NOT NULL
            ON CONFLICT (user_id) DO UPDATE SET jobs = jobs + excluded.jobs;
    END""",
    ]:
        conn.execute(statement)


# Customers are created and edited here: the table is rebuilt with a local id (a job
# may name a customer the server does not know yet), every field of the API's
# customer, and the same sync bookkeeping as a job. Fields an earlier JobDesk kept
# among a customer's extras become columns. A job for a customer created here names
# it by local id until the server gives the customer its uuid.
_LIFTED = (
    "customer_type", "is_vip", "billing_address1", "billing_address2", "billing_city",
    "billing_state", "billing_zip", "primary_service_location_uuid", "notes",
    "on_my_way_notify_via", "created_at")
_KEPT = ("uuid, first_name, last_name, company_name, email, phone, physical_address1, "
            "physical_address2, physical_city, physical_state, physical_zip, updated_at, "
            "deleted_at")
_LOCAL_CUSTOMERS_STEP = [
    """CREATE TABLE customers_local (
        local_id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid VARCHAR UNIQUE,
        first_name VARCHAR,
        last_name VARCHAR,
        company_name VARCHAR,
        email VARCHAR,
        phone VARCHAR,
        customer_type VARCHAR,
        is_vip BOOLEAN NOT NULL DEFAULT 0,
        physical_address1 VARCHAR,
        physical_address2 VARCHAR,
        physical_city VARCHAR,
        physical_state VARCHAR,
        physical_zip VARCHAR,
        billing_address1 VARCHAR,
        billing_address2 VARCHAR,
        billing_city VARCHAR,
        billing_state VARCHAR,
        billing_zip VARCHAR,
        primary_service_location_uuid VARCHAR,
        notes VARCHAR,
        on_my_way_notify_via VARCHAR,
        created_at VARCHAR,
        updated_at VARCHAR,
        deleted_at VARCHAR,
        extras_json VARCHAR,
        sync_state VARCHAR NOT NULL DEFAULT 'synced',
        pending_op VARCHAR,
        base_json VARCHAR,
        idempotency_key VARCHAR,
        request_body VARCHAR,
        first_attempt_at VARCHAR,
        last_error VARCHAR,
        local_rev INTEGER NOT NULL DEFAULT 0,
        local_modified_at VARCHAR,
        -- What the Customers page's search looks in: one text a customer.
        search_text TEXT GENERATED ALWAYS AS (
            ifnull(first_name, '') || ' ' || ifnull(last_name, '') || ' '
            || ifnull(company_name, '') || ' ' || ifnull(phone, '') || ' '
            || ifnull(email, '') || ' ' || ifnull(physical_city, '') || ' '
            || ifnull(uuid, '')) STORED,
        CHECK (sync_state IN ('synced', 'pending', 'rejected')),
        CHECK (pending_op IS NULL OR pending_op IN ('create', 'update'))
    )""",
    f"""INSERT INTO customers_local ({_KEPT}, {', '.join(_LIFTED)}, extras_json)
        SELECT {_KEPT}, {', '.join(
            "CASE WHEN json_extract(extras_json, '$.is_vip') IN (1, 'true', '1') THEN 1 "
            "ELSE 0 END" if name == "is_vip" else f"json_extract(extras_json, '$.{name}')"
            for name in _LIFTED)},
            nullif(json_remove(ifnull(extras_json, '{{}}'), {', '.join(
                f"'$.{name}'" for name in _LIFTED)}), '{{}}')
        FROM customers""",
    "DROP TABLE customers",
    "ALTER TABLE customers_local RENAME TO customers",
    "CREATE INDEX ix_customers_name ON customers "
    "(last_name COLLATE NOCASE, first_name COLLATE NOCASE, local_id, deleted_at, search_text)",
    "CREATE INDEX ix_customers_unsynced ON customers (sync_state) "
    "WHERE sync_state != 'synced'",
    "ALTER TABLE jobs ADD COLUMN customer_local_id INTEGER",
    "CREATE INDEX ix_jobs_customer_local ON jobs (customer_local_id) "
    "WHERE customer_local_id IS NOT NULL",
    """CREATE TRIGGER customers_rename AFTER UPDATE OF first_name, last_name,
        company_name ON customers
        WHEN old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name
             OR old.company_name IS NOT new.company_name BEGIN
        UPDATE jobs SET customer_name = coalesce(nullif(trim(ifnull(new.first_name, '')
                                   || ' ' || ifnull(new.last_name, '')), ''),
                                   new.company_name)
        WHERE customer_uuid = new.uuid OR customer_local_id = new.local_id;
    END""",
]


def _local_customers(conn: sqlite3.Connection) -> None:
    for statement in _LOCAL_CUSTOMERS_STEP:
        conn.execute(statement)


#: MIGRATIONS[i] takes a database from version i to version i + 1.
MIGRATIONS: Sequence[Migration] = (_v1, _v2, _v3, _v4, _v5, _v6, _team,
                                   _local_customers)
SCHEMA_VERSION = len(MIGRATIONS)


class MigrationError(RuntimeError):
    """The upgrade failed; the original database file is untouched."""


#: The name this module's callers have always caught.
TooNewError = DatabaseTooNew


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _apply(conn: sqlite3.Connection, start: int, migrations: Sequence[Migration]) -> None:
    for version in range(start, len(migrations)):
        conn.execute("BEGIN IMMEDIATE")
        migrations[version](conn)
        conn.execute(f"PRAGMA user_version = {version + 1}")
        conn.execute("COMMIT")


def _create_owner_only(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _creation_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Driver-level autocommit, so the transaction below is the BEGIN IMMEDIATE
        # emitted on "begin" (the journal mode cannot change inside one).
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _create_current(path: Path) -> None:
    """Today's schema in the new, empty file at ``path``, in one transaction: a crash
    half-way leaves an empty version-0 file, which the next start upgrades from 0."""
    engine = _creation_engine(path)
    try:
        with engine.begin() as conn:
            ddl.create(conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    finally:
        engine.dispose()


def ensure_schema(path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Create or upgrade the database at ``path``; returns the version it is now at.

    ``migrations`` is ``MIGRATIONS`` or extends it (a test's extra step): a new file
    is created at ``SCHEMA_VERSION`` from the models, then takes the extra steps.
    """
    target = len(migrations)
    if not path.exists():
        _create_owner_only(path)
        _create_current(path)
        if target > SCHEMA_VERSION:
            conn = sqlite3.connect(path, isolation_level=None)
            try:
                _apply(conn, SCHEMA_VERSION, migrations)
            finally:
                conn.close()
        return max(target, SCHEMA_VERSION)

    current = user_version(path)
    if current > target:
        raise DatabaseTooNew(path, current, target)
    if current == target:
        return current

    work = path.with_name(path.name + ".upgrading")
    work.unlink(missing_ok=True)
    _create_owner_only(work)
    source = sqlite3.connect(path)
    dest = sqlite3.connect(work, isolation_level=None)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
        _apply(dest, current, migrations)
    except Exception as exc:
        with contextlib.suppress(sqlite3.Error):
            dest.execute("ROLLBACK")
        dest.close()
        source.close()
        work.unlink(missing_ok=True)
        log.exception("schema upgrade of %s from %d failed", path, current)
        raise MigrationError(
            f"could not upgrade {path} from schema {current} to {target}: {exc}; "
            "the original file is unchanged"
        ) from exc
    dest.close()
    # Fold the WAL into the old file and drop it, so the swap below cannot pair the
    # new main file with a stale write-ahead log.
    source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    source.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(work, path)
    log.info("upgraded %s from schema %d to %d", path, current, target)
    return target
