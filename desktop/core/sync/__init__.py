"""Offline-first reconciliation of the mirror with the CRM (docs/architecture.md, contract)."""

from desktop.core.sync.engine import LAST_SYNC_META, USAGE_META, SyncEngine
from desktop.core.sync.lock import SyncBusy, SyncLock
from desktop.core.sync.report import SyncReport

__all__ = ["LAST_SYNC_META", "USAGE_META", "SyncBusy", "SyncEngine", "SyncLock", "SyncReport"]
