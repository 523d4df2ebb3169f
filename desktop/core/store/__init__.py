"""The local mirror of the company's jobs and customers (SQLite, via SQLModel)."""

from desktop.core.merge import FieldConflict as Conflict
from desktop.core.store.customer_edits import CustomerMissing
from desktop.core.store.customer_queries import CustomerHistory
from desktop.core.store.database import JobNotFound, Store
from desktop.core.store.edits import JobMissing
from desktop.core.store.queries import SORTS, SYNC_STATES, JobQuery
from desktop.core.store.records import CustomerRecord, JobRecord

__all__ = [
    "SORTS",
    "SYNC_STATES",
    "Conflict",
    "CustomerHistory",
    "CustomerMissing",
    "CustomerRecord",
    "JobMissing",
    "JobNotFound",
    "JobQuery",
    "JobRecord",
    "Store",
]
