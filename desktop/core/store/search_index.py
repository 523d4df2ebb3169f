"""Keeping the search index in step with the jobs table, a transaction at a time.

FTS5 writes the entries it holds in memory out as a new segment at the start of
every statement that touches it, and merges segments as they pile up. Indexed one
row per statement, a transaction that changes many jobs (a page of a sync, a
selection moved to the Trash) paid about 2.5 ms a job in segments and merges,
where one statement for all of them costs a tenth of a millisecond a job.

So nothing writes the index row by row. New jobs are indexed by the insert paths,
one statement per batch; changes to indexed text, to the Trash and deletions are
noted by triggers in ``jobs_fts_stale`` (see ddl.py), and ``reindex_changed``
rewrites those jobs' entries in one statement before the transaction commits.
Only live jobs are indexed, so the index alone counts a search's matches.
"""

from __future__ import annotations

from sqlalchemy import Connection

_COLUMNS = "rowid, title, description, job_number, customer_name, address, notes"
_VALUES = """local_id, title, description, job_number, customer_name,
       ifnull(service_address1, '') || ' ' || ifnull(service_address2, '') || ' '
       || ifnull(service_city, '') || ' ' || ifnull(service_state, '') || ' '
       || ifnull(service_zip, ''),
       ifnull(internal_notes, '') || ' ' || ifnull(customer_notes, '')"""

#: Indexes the live jobs inserted after local id ``?``.
INDEX_NEW_JOBS_SQL = (
    f"INSERT INTO jobs_fts ({_COLUMNS}) SELECT {_VALUES} FROM jobs "
    "WHERE local_id > ? AND deleted_at IS NULL"
)

_REINDEX_SQL = (
    # Entries of jobs now in the Trash or gone: removed.
    "DELETE FROM jobs_fts WHERE rowid IN (SELECT s.local_id FROM jobs_fts_stale s "
    "LEFT JOIN jobs j ON j.local_id = s.local_id "
    "WHERE j.local_id IS NULL OR j.deleted_at IS NOT NULL)",
    # Live ones, edited or back from the Trash: written afresh.
    f"INSERT OR REPLACE INTO jobs_fts ({_COLUMNS}) SELECT {_VALUES} FROM jobs "
    "WHERE local_id IN (SELECT local_id FROM jobs_fts_stale) AND deleted_at IS NULL",
    "DELETE FROM jobs_fts_stale",
)


def reindex_changed(conn: Connection) -> None:
    """Bring the index up to date with the jobs changed in this transaction."""
    if conn.exec_driver_sql("SELECT 1 FROM jobs_fts_stale LIMIT 1").first() is None:
        return
    for statement in _REINDEX_SQL:
        conn.exec_driver_sql(statement)
