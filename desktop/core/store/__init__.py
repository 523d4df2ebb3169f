"""The local mirror of the company's jobs and customers (SQLite, via SQLModel)."""

from desktop.core.merge import FieldConflict as Conflict
from desktop.core.store.database import JobNotFound, Store
from desktop.core.store.edits import JobMissing
from desktop.core.store.queries import SORTS, SYNC_STATES, JobQuery
from desktop.core.store.records import CustomerRecord, JobRecord

__all__ = [
    "SORTS",
    "SYNC_STATES",
    "Conflict",
    "CustomerRecord",
    "JobMissing",
    "JobNotFound",
    "JobQuery",
    "JobRecord",
    "Store",
]
