"""One open data directory: the store, settings and paths, and every local change.

Widgets send the user's intent here rather than to the store directly, so every
change is announced once (``jobs_changed``) and the table, the counts and the sync
trigger all hear about it the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop.config import Paths, Settings
from desktop.core.store import CustomerRecord, JobRecord, Store
from desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class Demo:
    """The in-process demo server a session talks to instead of a configured CRM."""

    url: str
    api_key: str
    #: Where settings go when the user connects their real CRM from the demo.
    user_paths: Paths


Moved = Callable[[list[JobRecord]], None]
Failed = Callable[[BaseException], None]


def _nothing(_records: list[JobRecord]) -> None:
    pass


def _reraise(error: BaseException) -> None:
    raise error


class Session(QObject):
    #: Local ids the user just changed here.
    jobs_changed = Signal(list)
    #: Local ids of customers the user just created or changed here.
    customers_changed = Signal(list)
    settings_changed = Signal()
    #: Jobs moved to or from the Trash in one transaction: a selection this large
    #: moves on the GUI thread; a larger one, this many at a time on the writer.
    MOVE_BATCH = 50

    def __init__(self, store: Store, paths: Paths, settings: Settings,
                 demo: Demo | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.paths = paths
        self.settings = settings
        self.demo = demo
        #: Database reads too slow for the GUI thread (whole id lists, counts).
        self.reads = TaskRunner("reads", self)
        #: Writes too long for the GUI thread (a large selection moved to the Trash).
        self.writes = TaskRunner("writes", self)
        self._moves_queued = 0

    def close(self) -> None:
        self.reads.close()
        self.writes.close(finish_queued=True)

    # -- local edits ---------------------------------------------------------------

    def create_job(self, values: Mapping[str, object]) -> JobRecord:
        record = self.store.create_job(values)
        self.jobs_changed.emit([record.local_id])
        return record

    def create_customer(self, values: Mapping[str, object]) -> CustomerRecord:
        record = self.store.create_customer(values)
        self.customers_changed.emit([record.local_id])
        return record

    def update_customer(self, local_id: int, changes: Mapping[str, object]) -> CustomerRecord:
        record = self.store.update_customer(local_id, changes)
        self.customers_changed.emit([local_id])
        return record

    def update_job(self, local_id: int, changes: Mapping[str, object]) -> JobRecord:
        record = self.store.update_job(local_id, changes)
        self.jobs_changed.emit([local_id])
        return record

    def delete_jobs(self, local_ids: Sequence[int], done: Moved = _nothing,
                    failed: Failed = _reraise) -> None:
        """Move jobs to the Trash; ``done`` gets their records (see ``_move``)."""
        self._move(self.store.delete_jobs, local_ids, done, failed)

    def restore_jobs(self, local_ids: Sequence[int], done: Moved = _nothing,
                     failed: Failed = _reraise) -> None:
        """Bring jobs back from the Trash; ``done`` gets their records."""
        self._move(self.store.restore_jobs, local_ids, done, failed)

    def _move(self, move: Callable[[Sequence[int]], list[JobRecord]],
              local_ids: Sequence[int], done: Moved, failed: Failed) -> None:
        """A selection of up to ``MOVE_BATCH`` jobs moves at once, in one transaction.

        A larger one moves on the writer thread, ``MOVE_BATCH`` jobs a transaction, so
        the window stays responsive; between batches the writer gives way to an edit
        saved meanwhile, which so waits for one batch at most (at 100,000 jobs a job
        costs about a millisecond, mostly in the index pages its commit writes out).
        While such a move is under way every move takes that path, so moves happen
        in the order the user made them. ``done`` runs when all have moved, or
        ``failed`` when a batch could not. Closing the session finishes the moves.
        """
        ids = list(local_ids)
        if len(ids) <= self.MOVE_BATCH and not self._moves_queued:
            try:
                records = move(ids)
            except Exception as error:  # the caller's handler decides
                failed(error)
                return
            self._moved(ids, done, records)
            return

        def in_batches() -> list[JobRecord]:
            records: list[JobRecord] = []
            for start in range(0, len(ids), self.MOVE_BATCH):
                if start:
                    self.store.give_way()
                records += move(ids[start:start + self.MOVE_BATCH])
            return records

        def finished(records: list[JobRecord]) -> None:
            self._moves_queued -= 1
            self._moved(ids, done, records)

        def stopped(error: BaseException) -> None:
            self._moves_queued -= 1
            # Some batches may have moved: every view reads the selection again.
            self.jobs_changed.emit(ids)
            failed(error)

        self._moves_queued += 1
        self.writes.run(in_batches, finished, stopped)

    def _moved(self, ids: list[int], done: Moved, records: list[JobRecord]) -> None:
        self.jobs_changed.emit(ids)
        done(records)

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
