"""The mirror's tables, indexes and constraints: the one declaration of the schema.

A new database is created from these models (``create_all``), then ``ddl`` adds
what SQLAlchemy cannot declare: the FTS5 search index and the triggers. A database
written by an earlier JobDesk is upgraded instead by the frozen steps in
``migrations``; ``tests/unit/test_migrations.py`` checks that every upgraded file
ends up with exactly the tables, columns, indexes and triggers created here.
So a change made here needs its own frozen migration step too.

Columns carry the API's field names. Amounts are integer cents, so they stay exact
and sort numerically (SQLite has no decimal type; a REAL would round); ``edits``
and ``records`` convert. A ``nullable=True`` primary key matches what the upgraded
files hold: SQLite never adds NOT NULL to a column declared ``PRIMARY KEY``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Column, Computed, Index, Integer, Table, Text, text
from sqlmodel import Field, SQLModel

# Ranks follow the API's own order, so "sort by priority" means urgency, not the
# alphabet; generated so no write path can forget them.
_PRIORITY_RANK = (
    "CASE priority WHEN 'Low' THEN 0 WHEN 'Normal' THEN 1 WHEN 'High' THEN 2 "
    "WHEN 'Emergency' THEN 3 ELSE 4 END"
)
_STATUS_RANK = (
    "CASE status WHEN 'New' THEN 0 WHEN 'Contacted' THEN 1 WHEN 'Scheduled' THEN 2 "
    "WHEN 'In Progress' THEN 3 WHEN 'Needs Approval' THEN 4 "
    "WHEN 'Ready to Invoice' THEN 5 WHEN 'Invoiced' THEN 6 WHEN 'Complete' THEN 7 "
    "WHEN 'Estimate Sent' THEN 8 WHEN 'Estimate Approved' THEN 9 ELSE 10 END"
)


_CUSTOMER_SEARCH_TEXT = " || ' ' || ".join(
    f"ifnull({c}, '')" for c in ("first_name", "last_name", "company_name", "phone", "email",
                                 "physical_city", "uuid"))


def _server_default(value: str) -> Any:
    return {"server_default": text(value)}


# Sort indexes, one per column of the job list: the sort key, then local_id so ties
# keep a stable order and pages never shuffle, then the columns the broad filters
# test. Carrying those makes a list query an index-only walk that stops after one
# page: no table lookups, so even a filter whose matches sit at the far end of the
# sort order stays cheap. (A technician's id is left out: 36 bytes on every entry of
# every sort index would cost more on each write than the few lookups it saves.)
_SORT_KEYS: dict[str, tuple[str, ...]] = {
    "job_number": ("job_number COLLATE NOCASE",),
    "title": ("title COLLATE NOCASE",),
    "customer": ("customer_name COLLATE NOCASE",),
    "status": ("status_rank",),
    "priority": ("priority_rank",),
    "scheduled": ("scheduled_date", "scheduled_time_start"),
    "city": ("service_city COLLATE NOCASE",),
    "estimated": ("estimated_amount",),
    "sync_state": ("sync_state",),
}
_FILTER_COLUMNS = ("deleted_at", "status", "priority", "is_urgent", "is_emergency",
                   "scheduled_date IS NULL")


def _index(name: str, *columns: str, where: str | None = None) -> Index:
    """An index over column names and SQL expressions, partial when ``where`` is given."""
    parts: list[Any] = [c if c.isidentifier() else text(c) for c in columns]
    if where is None:
        return Index(name, *parts)
    return Index(name, *parts, sqlite_where=text(where))


_JOB_INDEXES = (
    *(_index(f"ix_sort_{name}", *key, "local_id", *_FILTER_COLUMNS)
      for name, key in _SORT_KEYS.items()),
    _index("ix_jobs_customer_uuid", "customer_uuid"),
    # A technician's own jobs in schedule order, with what the status and Trash
    # filters test: "my Scheduled jobs" (a board column, a route) then reads no rows.
    _index("ix_jobs_assigned", "assigned_to_user_id", "scheduled_date",
           "scheduled_time_start", "local_id", "deleted_at", "status"),
    _index("ix_jobs_filters", "status", "priority", "assigned_to_user_id", "deleted_at"),
    # The urgent jobs sorted by priority: urgency and priority go together, so the
    # priority index would pass most jobs before the first urgent one.
    _index("ix_jobs_urgent", "priority_rank", "local_id", "deleted_at", "status",
           where="(is_urgent OR is_emergency OR priority = 'Emergency')"),
    _index("ix_jobs_unsynced", "sync_state", where="sync_state != 'synced'"),
    _index("ix_jobs_deleted", "deleted_at", where="deleted_at IS NOT NULL"),
    # The jobs known only by their summary, newest schedule first: what the trickle of
    # details reads, a handful at a time, without walking every job.
    _index("ix_jobs_summary_only", "scheduled_date", "local_id", where="summary_only"),
    _index("ix_jobs_customer_local", "customer_local_id",
           where="customer_local_id IS NOT NULL"),
)


class Job(SQLModel, table=True):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("sync_state IN ('synced', 'pending', 'conflict', 'rejected')"),
        CheckConstraint("pending_op IS NULL OR pending_op IN ('create', 'update', 'delete')"),
        *_JOB_INDEXES,
        # Local ids are never reused, so a stale reference can never name another job.
        {"sqlite_autoincrement": True},
    )

    local_id: int | None = Field(default=None, primary_key=True, nullable=True)
    uuid: str | None = Field(default=None, unique=True)
    job_number: str | None = None
    customer_uuid: str | None = None
    location_uuid: str | None = None
    assigned_to_user_id: str | None = None
    title: str | None = None
    description: str | None = None
    status: str | None = None
    priority: str | None = None
    is_urgent: bool = Field(default=False, sa_column_kwargs=_server_default("0"))
    is_emergency: bool = Field(default=False, sa_column_kwargs=_server_default("0"))
    service_address1: str | None = None
    service_address2: str | None = None
    service_city: str | None = None
    service_state: str | None = None
    service_zip: str | None = None
    estimated_amount: int | None = None
    actual_amount: int | None = None
    scheduled_date: str | None = None
    scheduled_time_start: str | None = None
    scheduled_time_end: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    invoiced_at: str | None = None
    paid_at: str | None = None
    internal_notes: str | None = None
    customer_notes: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    deleted_at: str | None = None

    # Denormalised "First Last" so the list can sort and search by customer cheaply.
    customer_name: str | None = None
    # Fields the server sent that this version does not know, kept verbatim.
    extras_json: str | None = None

    # Sync bookkeeping (see edits and outbox).
    sync_state: str = Field(default="synced", sa_column_kwargs=_server_default("'synced'"))
    pending_op: str | None = None
    base_json: str | None = None
    conflict_json: str | None = None
    idempotency_key: str | None = None
    request_body: str | None = None
    first_attempt_at: str | None = None
    last_error: str | None = None
    local_rev: int = Field(default=0, sa_column_kwargs=_server_default("0"))
    local_modified_at: str | None = None
    # The id of the last server scan that listed this job (see sync.pull).
    seen_scan: int | None = None

    priority_rank: int | None = Field(default=None, sa_column=Column(
        "priority_rank", Integer, Computed(_PRIORITY_RANK, persisted=False)))
    status_rank: int | None = Field(default=None, sa_column=Column(
        "status_rank", Integer, Computed(_STATUS_RANK, persisted=False)))

    # Under summary list shapes (see sync.details): only a list summary of this job is
    # known, so its other fields are unknown here, not empty, until its whole record
    # is read. After the ranks because an upgrade appends the columns it adds.
    summary_only: bool = Field(default=False, sa_column_kwargs=_server_default("0"))
    # When the whole record was last read from the server, or shown unchanged by its
    # stamps, by the sync engine's clock (ISO, UTC); null if never by this device.
    details_at: str | None = None
    # The customer created here and not yet on the server that this job is for: the
    # job waits (customer_uuid null) until that customer's create is confirmed.
    customer_local_id: int | None = None


class Customer(SQLModel, table=True):
    """A customer: the server's record (with local edits applied) and, like a job,
    the bookkeeping of what the server still has to be told (see customer_edits)."""

    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("sync_state IN ('synced', 'pending', 'rejected')"),
        CheckConstraint("pending_op IS NULL OR pending_op IN ('create', 'update')"),
        # The Customers page's order with what its filter and search test: listing or
        # searching 20,000 customers walks this index alone (see customer_queries).
        _index("ix_customers_name", "last_name COLLATE NOCASE", "first_name COLLATE NOCASE",
               "local_id", "deleted_at", "search_text"),
        _index("ix_customers_unsynced", "sync_state", where="sync_state != 'synced'"),
        # Local ids are never reused, so a job's reference to one never names another.
        {"sqlite_autoincrement": True},
    )

    local_id: int | None = Field(default=None, primary_key=True, nullable=True)
    uuid: str | None = Field(default=None, unique=True)
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    customer_type: str | None = None
    is_vip: bool = Field(default=False, sa_column_kwargs=_server_default("0"))
    physical_address1: str | None = None
    physical_address2: str | None = None
    physical_city: str | None = None
    physical_state: str | None = None
    physical_zip: str | None = None
    billing_address1: str | None = None
    billing_address2: str | None = None
    billing_city: str | None = None
    billing_state: str | None = None
    billing_zip: str | None = None
    primary_service_location_uuid: str | None = None
    notes: str | None = None
    on_my_way_notify_via: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    deleted_at: str | None = None
    extras_json: str | None = None

    sync_state: str = Field(default="synced", sa_column_kwargs=_server_default("'synced'"))
    pending_op: str | None = None
    base_json: str | None = None
    idempotency_key: str | None = None
    request_body: str | None = None
    first_attempt_at: str | None = None
    last_error: str | None = None
    local_rev: int = Field(default=0, sa_column_kwargs=_server_default("0"))
    local_modified_at: str | None = None
    # What the Customers page's search looks in, kept with the row so a search reads
    # one text a customer (see customer_queries).
    search_text: str | None = Field(default=None, sa_column=Column(
        "search_text", Text, Computed(_CUSTOMER_SEARCH_TEXT, persisted=True)))


class Meta(SQLModel, table=True):
    """Small state kept between runs (the scan in progress, usage, the last sync),
    each value JSON text."""

    __tablename__ = "meta"

    key: str | None = Field(default=None, primary_key=True, nullable=True)
    value: str


class StaleSearchEntry(SQLModel, table=True):
    """Jobs whose search entry must be rewritten before the transaction commits:
    noted by triggers (``ddl``), emptied by ``search_index.reindex_changed``."""

    __tablename__ = "jobs_fts_stale"

    local_id: int | None = Field(default=None, primary_key=True, nullable=True)


class LiveStatusCount(SQLModel, table=True):
    """How many live jobs each status holds ('' for none), kept by triggers: the
    badges and the board's columns read ten rows instead of walking every live job."""

    __tablename__ = "live_status_counts"

    status: str = Field(primary_key=True)
    jobs: int


class Technician(SQLModel, table=True):
    """Every user id seen in jobs, or named here (see ``core.team``). ``jobs`` counts
    its live jobs, kept by triggers (``ddl``) whoever writes a job, so the pickers
    and ``jobdesk team list`` read a few rows instead of grouping every job."""

    __tablename__ = "team"
    __table_args__ = (
        CheckConstraint("name_source IS NULL OR name_source IN ('server', 'local')"),
    )

    user_id: str | None = Field(default=None, primary_key=True, nullable=True)
    name: str | None = None
    name_source: str | None = None
    jobs: int = Field(default=0, sa_column_kwargs=_server_default("0"))


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


JOBS = _table(Job)
CUSTOMERS = _table(Customer)
META = _table(Meta)
TEAM = _table(Technician)
#: Every table of the mirror, for ``create_all``.
MIRROR_TABLES = (JOBS, CUSTOMERS, META, _table(StaleSearchEntry), _table(LiveStatusCount),
                 TEAM)
