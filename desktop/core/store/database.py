"""The local mirror: one SQLite file in WAL mode, short transactions, plain values out.

Each thread checks its own connection out of the engine's pool, so readers never
wait for the writer. Writes take ``BEGIN IMMEDIATE``: the write lock is claimed up
front, which lets ``busy_timeout`` queue a second writer instead of failing it
half-way through a transaction.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.pool import ConnectionPoolEntry

from desktop.core.store import edits, migrations
from desktop.core.store.customer_edits import (
    SELECT_CUSTOMER,
    CustomerMissing,
    create_customer,
    customer_by_uuid,
    load_customer,
    update_customer,
)
from desktop.core.store.customer_queries import (
    CUSTOMER_ORDER,
    CustomerHistory,
    customer_filter,
    customer_history,
)
from desktop.core.store.customer_sync import upsert_server_customers
from desktop.core.store.errors import DatabaseDamaged, classify
from desktop.core.store.queries import (
    FEW,
    FTS_COUNT_SQL,
    LIVE_TOTAL_SQL,
    SELECT_RECORD,
    JobQuery,
    count_sql,
    every_live_job,
    fetch_all,
    few_matches_sql,
    fts_match,
    ids_sql,
    page_sql,
    search_only,
)
from desktop.core.store.records import CustomerRecord, JobRecord
from desktop.core.store.schema import CUSTOMERS, JOBS, META
from desktop.core.store.search_index import reindex_changed
from desktop.core.undo import Step

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


class JobNotFound(LookupError):
    """No job matches the reference; the message names it."""


def _configure(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Driver-level autocommit: transactions are begun explicitly below, which is the
    # only way to choose BEGIN IMMEDIATE for writes with pysqlite.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # NORMAL in WAL mode is durable against application crashes, which is what
    # "nothing is lost" needs; only a power cut may drop the very last commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def meta_get(conn: Connection, key: str) -> Any | None:
    value = conn.execute(select(META.c.value).where(META.c.key == key)).scalar()
    return json.loads(value) if value is not None else None


def meta_put(conn: Connection, key: str, value: Any) -> None:
    """Set a meta value inside the caller's transaction (``None`` removes it)."""
    if value is None:
        conn.execute(delete(META).where(META.c.key == key))
        return
    upsert = sqlite_insert(META).values(key=key, value=json.dumps(value))
    conn.execute(upsert.on_conflict_do_update(index_elements=[META.c.key],
                                              set_={"value": upsert.excluded.value}))


def _few(conn: Connection, query: JobQuery) -> bool:
    probe = few_matches_sql(query)
    if probe is None:
        return False
    return int(conn.exec_driver_sql(probe[0], tuple(probe[1])).scalar_one()) < FEW


def _listing(conn: Connection, query: JobQuery) -> tuple[JobQuery, bool, bool]:
    """The query to run for a list, and whether its matches are few or (for a search)
    broad: the choices ``ids_sql`` and ``page_sql`` make their plan from."""
    if not search_only(query):
        return query, _few(conn, query), False
    matches = int(conn.exec_driver_sql(FTS_COUNT_SQL, (fts_match(query.search),)).scalar_one())
    live = conn.exec_driver_sql(LIVE_TOTAL_SQL).scalar()
    if matches == live:
        # Every live job matches, as "JOB" and "JOB-" do while a job number is typed:
        # the search narrows nothing, and gathering all its matches before the first
        # page would take 25 ms at 100,000 jobs.
        plain = JobQuery(sort=query.sort, descending=query.descending)
        return plain, False, False
    return query, False, matches >= FEW


def _raise_unusable(error: Exception, path: Path) -> NoReturn:
    unusable = classify(error, path)
    if unusable is None or unusable is error:
        raise error
    raise unusable from error


COMPANIONS = ("-wal", "-shm")


def unsent_changes(path: Path) -> int | None:
    """How many jobs and customers in the file at ``path`` hold local changes not yet
    sent (pending, conflicted or rejected); ``None`` when the file cannot tell."""
    if not path.exists():
        return 0
    try:
        # Read-only, so closing it neither folds the log into the file nor removes
        # it: the file is kept exactly as it was found.
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        jobs = _unsynced(conn, "jobs")
        if jobs is None:
            return None
        # A file from before schema 8 never held a customer created or edited here.
        has_state = any(row[1] == "sync_state" for row in conn.execute(
            "PRAGMA table_info(customers)"))
        customers = _unsynced(conn, "customers") if has_state else 0
        return None if customers is None else jobs + customers
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _unsynced(conn: sqlite3.Connection, table: str) -> int | None:
    # The partial index first; a damaged index page may still leave the table
    # itself readable.
    for hint in ("", "NOT INDEXED"):
        try:
            row = conn.execute(
                f"SELECT count(*) FROM {table} {hint} WHERE sync_state != 'synced'"
            ).fetchone()
        except sqlite3.Error:
            continue
        return int(row[0])
    return None


def move_aside(path: Path) -> Path:
    """Rename the database at ``path`` (and its WAL and shared-memory files) to
    ``<name>.damaged-<timestamp>``; returns the new name. Nothing is deleted."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", *COMPANIONS)):
        number += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    if path.exists():
        os.replace(path, target)
    # The log goes with its file: left behind, it would be replayed into the new one.
    for suffix in COMPANIONS:
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            os.replace(companion, Path(f"{target}{suffix}"))
    log.warning("moved the database %s aside to %s", path, target)
    return target


def rebuild(path: Path) -> Path:
    """Move the database aside and create an empty one in its place, so the next
    sync is a first sync; returns where the old file went. The caller decides about
    unsent changes (``unsent_changes``) first."""
    try:
        moved = move_aside(path)
        migrations.ensure_schema(path)
    except Exception as error:
        _raise_unusable(error, path)
    return moved


class Store:
    """The mirror's public face: queries for the UI, local edits, and the meta table."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path
        # Writers of this process waiting for the write lock (see ``give_way``).
        self._waiting = 0
        self._waiting_lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating or upgrading) the mirror at ``path``.

        Raises a ``StoreUnusable`` error (see ``errors``) for a damaged, cut short or
        newer file, a full disk or a read-only folder.
        """
        path = Path(path)
        try:
            migrations.ensure_schema(path)
        except Exception as error:
            _raise_unusable(error, path)
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            pool_size=4,
            max_overflow=8,
        )
        event.listen(engine, "connect", _configure)
        event.listen(engine, "begin", _begin)
        store = cls(engine, path)
        try:
            # The first connection switches on WAL, which needs to write beside the
            # file, and reads the schema: a read-only folder or a damaged schema page
            # shows here, at start-up, not at some later click.
            with store.read() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    def quick_check(self, most: int = 10) -> DatabaseDamaged | None:
        """SQLite's ``quick_check`` over every page: the damage found, or ``None``.

        It reads the whole file (seconds for a large mirror), so it belongs on a
        worker thread at a quiet moment. A page overwritten with garbage is otherwise
        only noticed by the query that happens to read it.
        """
        try:
            with self.read() as conn:
                found = [str(row[0]) for row in
                         conn.exec_driver_sql(f"PRAGMA quick_check({int(most)})")]
        except DatabaseDamaged as damaged:
            return damaged
        if found == ["ok"]:
            return None
        return DatabaseDamaged(self.path, "; ".join(found))

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file after a bulk write.

        Readers must search the WAL for every page they read, so a WAL swollen by
        an initial sync makes every list query pay until SQLite gets round to it.

        The checkpoint runs outside any transaction (on the driver's connection: a
        statement through SQLAlchemy would begin one). ``optimize`` reads, then may
        write its statistics: begun as a read, that write is refused at once, busy
        timeout or not, whenever another connection (an edit in the window) has
        committed meanwhile ("database is locked": one checkpoint in five beside a
        writer saving in a loop, failing the cycle after its full scan). So it takes
        the write lock first, waiting for it as every write does.
        """
        try:
            with self.engine.connect() as conn:
                driver = conn.connection.driver_connection
                assert driver is not None
                driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except Exception as error:
            _raise_unusable(error, self.path)
        with self.write() as conn:
            conn.exec_driver_sql("PRAGMA optimize").fetchall()

    # -- transactions --------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction. A damaged file, a full disk or a read-only folder met
        inside it is raised as its ``StoreUnusable`` error."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except Exception as error:
            _raise_unusable(error, self.path)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; the search index catches up just before it commits.
        Errors are raised as ``read`` raises them."""
        try:
            with self.engine.connect() as plain:
                conn = plain.execution_options(sqlite_begin="IMMEDIATE")
                self._count_waiting(+1)
                try:
                    transaction = conn.begin()
                finally:
                    self._count_waiting(-1)
                with transaction:
                    yield conn
                    reindex_changed(conn)
        except Exception as error:
            _raise_unusable(error, self.path)

    def _count_waiting(self, change: int) -> None:
        with self._waiting_lock:
            self._waiting += change

    def give_way(self, most_s: float = BUSY_TIMEOUT_MS / 1000) -> None:
        """Wait while another writer of this process waits for the write lock.

        For a long run of transactions (a large selection moved in batches): SQLite
        lets a waiting writer retry only every few milliseconds, so a thread that
        begins its next transaction at once would keep the lock until it is done,
        and an edit saved meanwhile would wait for all of it.
        """
        deadline = time.monotonic() + most_s
        while self._waiting and time.monotonic() < deadline:
            time.sleep(0.002)

    # -- job reads -----------------------------------------------------------------
    # Raw SQL from ``queries``, read straight from the driver: the same column list
    # and row path as every list page, count and search (see the reasons there).

    def get(self, local_id: int) -> JobRecord | None:
        with self.read() as conn:
            return edits.load(conn, local_id)

    def get_by_uuid(self, uuid: str) -> JobRecord | None:
        with self.read() as conn:
            row = conn.exec_driver_sql(f"{SELECT_RECORD} WHERE j.uuid = ?", (uuid,)).first()
        return JobRecord.from_row(row) if row else None

    def get_by_job_number(self, job_number: str) -> JobRecord | None:
        with self.read() as conn:
            row = conn.exec_driver_sql(
                f"{SELECT_RECORD} WHERE j.job_number = ? COLLATE NOCASE "
                "ORDER BY j.deleted_at IS NOT NULL, j.local_id LIMIT 1",
                (job_number,),
            ).first()
        return JobRecord.from_row(row) if row else None

    def resolve(self, ref: str) -> JobRecord:
        """A job by local id, server uuid or job number, in that order."""
        ref = ref.strip()
        found: JobRecord | None = None
        if ref.isdigit():
            found = self.get(int(ref))
        if found is None and len(ref) == 36:
            found = self.get_by_uuid(ref.lower())
        if found is None:
            found = self.get_by_job_number(ref)
        if found is None:
            raise JobNotFound(f"job: no job with local id, uuid or job number {ref!r}")
        return found

    def ids(self, query: JobQuery) -> list[int]:
        """Every matching local id in display order: what a list view holds."""
        with self.read() as conn:
            listed, few, broad = _listing(conn, query)
            sql, params = ids_sql(listed, few=few, broad_search=broad)
            return [row[0] for row in conn.exec_driver_sql(sql, tuple(params))]

    def page(self, query: JobQuery, offset: int = 0, limit: int = 50) -> list[JobRecord]:
        with self.read() as conn:
            listed, few, broad = _listing(conn, query)
            sql, params = page_sql(listed, offset, limit, few=few, broad_search=broad)
            found = fetch_all(conn, sql, params)
        return [JobRecord.from_row(r) for r in found]

    def count(self, query: JobQuery) -> int:
        with self.read() as conn:
            if every_live_job(query):
                return int(conn.exec_driver_sql(LIVE_TOTAL_SQL).scalar_one())
            if search_only(query):
                # The search index holds exactly the live jobs and counts its own
                # matches far faster than any join could.
                match = fts_match(query.search)
                return int(conn.exec_driver_sql(FTS_COUNT_SQL, (match,)).scalar_one())
            sql, params = count_sql(query)
            return int(conn.exec_driver_sql(sql, tuple(params)).scalar_one())

    def rows(self, local_ids: Sequence[int]) -> dict[int, JobRecord]:
        """The records for a window of ids, in one query (a visible page of a list)."""
        if not local_ids:
            return {}
        marks = ", ".join("?" * len(local_ids))
        with self.read() as conn:
            found = fetch_all(conn, f"{SELECT_RECORD} WHERE j.local_id IN ({marks})",
                              local_ids)
        records = [JobRecord.from_row(r) for r in found]
        return {r.local_id: r for r in records}

    def count_by_sync_state(self) -> dict[str, int]:
        """How many jobs and customers wait in each state other than synced (the
        partial indexes ix_jobs_unsynced and ix_customers_unsynced hold exactly them)."""
        counts: dict[str, int] = {}
        with self.read() as conn:
            for table in (JOBS, CUSTOMERS):
                state = table.c.sync_state
                query = select(state, func.count()).where(state != "synced").group_by(state)
                for name, n in conn.execute(query):
                    counts[str(name)] = counts.get(str(name), 0) + int(n)
        return counts

    # -- local edits (each one transaction with its pending-change bookkeeping) ------

    def create_job(self, values: Mapping[str, object]) -> JobRecord:
        with self.write() as conn:
            return edits.create(conn, values)

    def update_job(self, local_id: int, changes: Mapping[str, object]) -> JobRecord:
        with self.write() as conn:
            return edits.update(conn, local_id, changes)

    def delete_job(self, local_id: int) -> JobRecord:
        return self.delete_jobs([local_id])[0]

    def delete_jobs(self, local_ids: Sequence[int]) -> list[JobRecord]:
        """Move jobs to the Trash in one transaction: all of them go, or none."""
        with self.write() as conn:
            return [edits.delete(conn, local_id) for local_id in local_ids]

    def restore_job(self, local_id: int) -> JobRecord:
        return self.restore_jobs([local_id])[0]

    def restore_jobs(self, local_ids: Sequence[int]) -> list[JobRecord]:
        """Bring jobs back from the Trash in one transaction: all of them, or none."""
        with self.write() as conn:
            return [edits.restore(conn, local_id) for local_id in local_ids]

    def apply_step(self, step: Step) -> list[JobRecord]:
        """Set each job of ``step`` to its ``after`` values, as an undo (of the step
        reversed) or a redo does, in one transaction: every job changes, or none does
        (``edits.apply_change`` says why)."""
        with self.write() as conn:
            return [edits.apply_change(conn, change) for change in step.jobs]

    def resolve_conflict(self, local_id: int, choices: Mapping[str, str]) -> JobRecord:
        """``choices`` maps every conflicted field to "mine" or "theirs"."""
        with self.write() as conn:
            return edits.resolve_conflict(conn, local_id, choices)

    def discard_changes(self, local_id: int) -> JobRecord | None:
        with self.write() as conn:
            return edits.discard(conn, local_id)

    # -- customers -----------------------------------------------------------------

    def customers(self, search: str = "", limit: int = 200) -> list[CustomerRecord]:
        """Live customers whose name, company, phone, email or uuid holds every word of
        ``search`` (any case), by name."""
        where, params = customer_filter(search)
        with self.read() as conn:
            found = conn.exec_driver_sql(
                f"{SELECT_CUSTOMER} WHERE {where} ORDER BY {CUSTOMER_ORDER} LIMIT ?",
                (*params, limit))
            return [CustomerRecord.from_row(row) for row in found]

    def upsert_customers(self, customers: Iterable[Mapping[str, Any]]) -> int:
        """Insert or refresh customers from server data (see ``customer_sync``)."""
        with self.write() as conn:
            return upsert_server_customers(conn, customers)

    def customer(self, uuid: str) -> CustomerRecord | None:
        with self.read() as conn:
            return customer_by_uuid(conn, uuid)

    def customers_by_uuid(self, uuids: Sequence[str]) -> list[CustomerRecord]:
        if not uuids:
            return []
        marks = ", ".join("?" * len(uuids))
        with self.read() as conn:
            found = conn.exec_driver_sql(f"{SELECT_CUSTOMER} WHERE uuid IN ({marks})",
                                         tuple(uuids))
            return [CustomerRecord.from_row(row) for row in found]

    def get_customer(self, local_id: int) -> CustomerRecord | None:
        with self.read() as conn:
            return load_customer(conn, local_id)

    def resolve_customer(self, ref: str) -> CustomerRecord:
        """A customer by local id or server uuid; raises ``CustomerMissing``."""
        ref = ref.strip()
        with self.read() as conn:
            found = load_customer(conn, int(ref)) if ref.isdigit() else None
            if found is None:
                found = customer_by_uuid(conn, ref.lower())
        if found is None:
            raise CustomerMissing(f"customer: no customer with local id or uuid {ref!r}")
        return found

    def create_customer(self, values: Mapping[str, object]) -> CustomerRecord:
        with self.write() as conn:
            return create_customer(conn, values)

    def update_customer(self, local_id: int, changes: Mapping[str, object]) -> CustomerRecord:
        with self.write() as conn:
            return update_customer(conn, local_id, changes)

    def customer_ids(self, search: str = "", limit: int = -1) -> list[int]:
        """Every live customer matching ``search`` (the first ``limit`` of them), by
        name: what the Customers page holds (it reads the rows in sight with
        ``customer_rows``)."""
        where, params = customer_filter(search)
        with self.read() as conn:
            return [row[0] for row in fetch_all(
                conn, f"SELECT local_id FROM customers WHERE {where} ORDER BY {CUSTOMER_ORDER} "
                "LIMIT ?", [*params, limit])]

    def customer_rows(self, local_ids: Sequence[int]) -> dict[int, CustomerRecord]:
        if not local_ids:
            return {}
        marks = ", ".join("?" * len(local_ids))
        with self.read() as conn:
            found = conn.exec_driver_sql(f"{SELECT_CUSTOMER} WHERE local_id IN ({marks})",
                                         tuple(local_ids))
            records = [CustomerRecord.from_row(row) for row in found]
        return {r.local_id: r for r in records}

    def customer_history(self, customer: CustomerRecord) -> CustomerHistory:
        """The customer's jobs, newest first, with their counts and amounts."""
        with self.read() as conn:
            return customer_history(conn, customer)

    # -- meta ------------------------------------------------------------------------

    def get_meta(self, key: str) -> Any | None:
        with self.read() as conn:
            return meta_get(conn, key)

    def put_meta(self, key: str, value: Any) -> None:
        with self.write() as conn:
            meta_put(conn, key, value)
