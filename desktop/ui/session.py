"""One open data directory: the store, settings and paths, and every local change.

Widgets send the user's intent here rather than to the store directly, so every
change is announced once (``jobs_changed``) and the table, the counts and the sync
trigger all hear about it the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop.config import Paths, Settings
from desktop.core.store import JobRecord, Store
from desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class Demo:
    """The in-process demo server a session talks to instead of a configured CRM."""

    url: str
    api_key: str
    #: Where settings go when the user connects their real CRM from the demo.
    user_paths: Paths


class Session(QObject):
    #: Local ids the user just changed here.
    jobs_changed = Signal(list)
    settings_changed = Signal()

    def __init__(self, store: Store, paths: Paths, settings: Settings,
                 demo: Demo | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.paths = paths
        self.settings = settings
        self.demo = demo
        #: Database reads too slow for the GUI thread (whole id lists, counts).
        self.reads = TaskRunner("reads", self)

    def close(self) -> None:
        self.reads.close()

    # -- local edits ---------------------------------------------------------------

    def create_job(self, values: Mapping[str, object]) -> JobRecord:
        record = self.store.create_job(values)
        self.jobs_changed.emit([record.local_id])
        return record

    def update_job(self, local_id: int, changes: Mapping[str, object]) -> JobRecord:
        record = self.store.update_job(local_id, changes)
        self.jobs_changed.emit([local_id])
        return record

    def delete_jobs(self, local_ids: Iterable[int]) -> list[JobRecord]:
        records = self.store.delete_jobs(list(local_ids))
        self.jobs_changed.emit([r.local_id for r in records])
        return records

    def restore_jobs(self, local_ids: Iterable[int]) -> list[JobRecord]:
        records = self.store.restore_jobs(list(local_ids))
        self.jobs_changed.emit([r.local_id for r in records])
        return records

    def discard_changes(self, local_id: int) -> JobRecord | None:
        record = self.store.discard_changes(local_id)
        self.jobs_changed.emit([local_id])
        return record

    def resolve_conflict(self, local_id: int, choices: Mapping[str, str]) -> None:
        self.store.resolve_conflict(local_id, choices)
        self.jobs_changed.emit([local_id])

    # -- settings ------------------------------------------------------------------

    @property
    def my_user_id(self) -> str:
        return self.settings.my_user_id.strip()

    def save_settings(self, settings: Settings) -> None:
        """Keep new settings. From the demo they are the user's own, for the next start;
        the demo goes on with its server."""
        if self.demo is not None:
            settings.save(self.demo.user_paths)
            return
        settings.save(self.paths)
        self.settings = settings
        self.settings_changed.emit()
