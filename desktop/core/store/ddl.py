"""What the models in ``schema`` cannot declare: the search index and the triggers.

A new database is the models' ``create_all`` followed by these statements, in the
same transaction (``create``). They are today's text, kept by hand beside the
frozen steps in ``migrations`` that bring older files to the same shape; the
migration test compares the resulting schemas, triggers' text included.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlmodel import SQLModel

from desktop.core.store.schema import MIRROR_TABLES

# The search index is a plain FTS5 table keyed by local_id (trigram: any three
# letters of a word find it). Only live jobs are indexed, so the index alone answers
# "how many match" for the main list; the Trash is small and searched without it.
# Nothing writes it row by row (see search_index): new jobs are indexed by the insert
# paths, one statement per batch; the triggers below only note changed jobs in
# jobs_fts_stale, and each write transaction reindexes them in one statement.
SEARCH_INDEX = """CREATE VIRTUAL TABLE jobs_fts USING fts5(
    title, description, job_number, customer_name, address, notes,
    tokenize = 'trigram', columnsize = 0)"""

# FTS5 buffers new entries in memory and writes a segment when the buffer fills:
# SQLite's 1 MB fills at about 1,000 jobs, and a 5,000-job bulk write made four
# segments and merged them again and again; with 16 MB, indexing 100,000 jobs in
# such batches went from 4.8 to 3.7 s.
SEARCH_BUFFER = "INSERT INTO jobs_fts (jobs_fts, rank) VALUES ('hashsize', 16777216)"

# The columns whose text the search index holds, and the Trash mark: a job is noted
# only when one of these really changed.
_INDEXED = ("title", "description", "job_number", "customer_name", "service_address1",
            "service_address2", "service_city", "service_state", "service_zip",
            "internal_notes", "customer_notes", "deleted_at")

TRIGGERS = (
    f"""CREATE TRIGGER jobs_fts_changed AFTER UPDATE OF {', '.join(_INDEXED)} ON jobs
        WHEN {' OR '.join(f'old.{c} IS NOT new.{c}' for c in _INDEXED)} BEGIN
        INSERT OR IGNORE INTO jobs_fts_stale (local_id) VALUES (new.local_id);
    END""",
    """CREATE TRIGGER jobs_fts_gone AFTER DELETE ON jobs BEGIN
        INSERT OR IGNORE INTO jobs_fts_stale (local_id) VALUES (old.local_id);
    END""",
    # A customer renamed in the mirror renames every one of their jobs' display name,
    # those that wait for the customer's create included.
    """CREATE TRIGGER customers_rename AFTER UPDATE OF first_name, last_name,
        company_name ON customers
        WHEN old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name
             OR old.company_name IS NOT new.company_name BEGIN
        UPDATE jobs SET customer_name = coalesce(nullif(trim(ifnull(new.first_name, '')
                                   || ' ' || ifnull(new.last_name, '')), ''),
                                   new.company_name)
        WHERE customer_uuid = new.uuid OR customer_local_id = new.local_id;
    END""",
    # live_status_counts follows every write to jobs, whoever makes it.
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
    # The team holds every user id a job names, with its live jobs counted, whoever
    # writes the job; a row stays when its count falls to 0 (its name is kept).
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
)

STATEMENTS = (SEARCH_INDEX, SEARCH_BUFFER, *TRIGGERS)


def create(conn: Connection) -> None:
    """Create today's schema in an empty database, inside the caller's transaction."""
    SQLModel.metadata.create_all(conn, tables=MIRROR_TABLES)
    for statement in STATEMENTS:
        conn.exec_driver_sql(statement)
