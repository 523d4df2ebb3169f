"""One open data directory: the store, settings and paths, and every local change.

Widgets send the user's intent here rather than to the store directly, so every
change is announced once (``jobs_changed``), the table, the counts and the sync
trigger all hear about it the same way, and each one can be undone (``undo``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop.config import Paths, Settings
from desktop.core.company import Company
from desktop.core.company import load as load_company
from desktop.core.store import CustomerRecord, JobRecord, Store
from desktop.core.store import team as team_store
from desktop.core.team import TeamMember, check_name, check_user_id
from desktop.core.undo import TRASHED, History, JobChange, Step, job_change, state_of, step_from
from desktop.ui.formatting import Technicians
from desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class Demo:
    """The in-process demo server a session talks to instead of a configured CRM."""

    url: str
    api_key: str
    #: Where settings go when the user connects their real CRM from the demo.
    user_paths: Paths


Moved = Callable[[list[JobRecord]], None]
Stepped = Callable[[Step], None]
Failed = Callable[[BaseException], None]


def _names(team: list[TeamMember]) -> dict[str, str]:
    return {m.user_id: m.name for m in team if m.name}


def _nothing(_records: list[JobRecord]) -> None:
    pass


def _reraise(error: BaseException) -> None:
    raise error


def _name(record: JobRecord) -> str:
    return str(record.values["job_number"] or "new job")


class Session(QObject):
    #: Local ids the user just changed here.
    jobs_changed = Signal(list)
    #: What Undo and Redo would do changed (a new edit, an undo, a redo).
    history_changed = Signal()
    #: Local ids of customers the user just created or changed here.
    customers_changed = Signal(list)
    settings_changed = Signal()
    #: A technician was named, here or by a sync, or the company's details changed:
    #: every view shows names again.
    team_changed = Signal()
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
        #: The technicians seen in jobs or named (tens of rows: read on this thread),
        #: and the named ones' names by user id, which every view paints from.
        self.team: list[TeamMember] = team_store.members(store)
        self.team_names = _names(self.team)
        #: The company's details as last read from the server (see ``core.company``).
        self.company: Company | None = load_company(store)
        self.history = History()
        #: An undo or redo moving many jobs on the writer: no other starts meanwhile.
        self._stepping = False

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

    def update_job(self, local_id: int, changes: Mapping[str, object],
                   label: str = "Edit") -> JobRecord:
        """Save a user's changes; ``label`` names them in Edit > Undo."""
        before = self.store.get(local_id)
        record = self.store.update_job(local_id, changes)
        if before is not None:
            self._remember(f"{label} {_name(record)}", [job_change(
                local_id, state_of(before.values), state_of(record.values))])
        self.jobs_changed.emit([local_id])
        return record

    def delete_jobs(self, local_ids: Sequence[int], done: Moved = _nothing,
                    failed: Failed = _reraise) -> None:
        """Move jobs to the Trash; ``done`` gets their records (see ``_move``)."""
        self._move(self.store.delete_jobs, local_ids,
                   self._remembering("Trash", done, trashed=True), failed)

    def restore_jobs(self, local_ids: Sequence[int], done: Moved = _nothing,
                     failed: Failed = _reraise) -> None:
        """Bring jobs back from the Trash; ``done`` gets their records."""
        self._move(self.store.restore_jobs, local_ids,
                   self._remembering("Restore", done, trashed=False), failed)

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

    # -- undo and redo ---------------------------------------------------------------

    def _remember(self, label: str, changes: Sequence[JobChange | None]) -> None:
        step = step_from(label, changes)
        if step is not None:
            self.history.record(step)
            self.history_changed.emit()

    def _remembering(self, label: str, done: Moved, *, trashed: bool) -> Moved:
        """``done``, once the jobs that did move are remembered as one step."""
        def moved(records: list[JobRecord]) -> None:
            changed = [r for r in records if r.deleted == trashed]
            what = _name(changed[0]) if len(changed) == 1 else f"{len(changed):,} jobs"
            self._remember(f"{label} {what}", [
                JobChange(r.local_id, {TRASHED: not trashed}, {TRASHED: trashed})
                for r in changed])
            done(records)
        return moved

    @property
    def stepping(self) -> bool:
        return self._stepping

    def undo(self, done: Stepped, failed: Failed) -> bool:
        """Undo the last edit as a new local edit; False when there is none to undo.
        ``done`` gets the step undone; ``failed`` the reason it was refused (``Stale``,
        ``InvalidJob``, ``JobMissing``), and the step stays to undo."""
        step = self.history.next_undo()
        if step is None or self._stepping:
            return False
        self._step(step.reversed(), lambda: self.history.undone(step), step, done, failed)
        return True

    def redo(self, done: Stepped, failed: Failed) -> bool:
        """Do again the last edit undone; as ``undo``."""
        step = self.history.next_redo()
        if step is None or self._stepping:
            return False
        self._step(step, lambda: self.history.redone(step), step, done, failed)
        return True

    def _step(self, apply: Step, settle: Callable[[], None], step: Step, done: Stepped,
              failed: Failed) -> None:
        def finished(_records: list[JobRecord]) -> None:
            self._stepping = False
            settle()
            self.history_changed.emit()
            done(step)

        def stopped(error: BaseException) -> None:
            self._stepping = False
            failed(error)

        self._stepping = True
        if apply.trash_move:
            # A Trash move is never stale; many jobs move in batches, as the Trash does.
            trashed = apply.jobs[0].after[TRASHED]
            self._move(self.store.delete_jobs if trashed else self.store.restore_jobs,
                       apply.local_ids, finished, stopped)
            return
        try:
            records = self.store.apply_step(apply)
        except Exception as error:  # the caller's handler says why
            stopped(error)
            return
        self._moved(apply.local_ids, finished, records)

    def discard_changes(self, local_id: int) -> JobRecord | None:
        record = self.store.discard_changes(local_id)
        self.jobs_changed.emit([local_id])
        return record

    def resolve_conflict(self, local_id: int, choices: Mapping[str, str]) -> None:
        self.store.resolve_conflict(local_id, choices)
        self.jobs_changed.emit([local_id])

    # -- the team ------------------------------------------------------------------

    def team_choices(self) -> list[tuple[str, str]]:
        """``(user id, name as shown)`` for each technician, as the pickers offer them."""
        return [(m.user_id, self.technician(m.user_id)) for m in self.team]

    def technician(self, user_id: str | None) -> str:
        """A technician as every view shows one (see ``formatting.Technicians``)."""
        return self.technicians().name(user_id)

    def technicians(self) -> Technicians:
        """How technicians are named now: by the team, the user as "Me"."""
        return Technicians(self.my_user_id, self.team_names)

    def refresh_team(self) -> None:
        """Read the team and the company again (a sync may have harvested names or
        read the company's details)."""
        team, company = team_store.members(self.store), load_company(self.store)
        if (team, company) != (self.team, self.company):
            self.team, self.team_names, self.company = team, _names(team), company
            self.team_changed.emit()

    def name_technician(self, user_id: str, name: str) -> str:
        """Name a technician here; raises ``FieldError`` naming the field."""
        pair = (check_user_id(user_id), check_name(name))
        team_store.name(self.store, [pair])
        self.refresh_team()
        return pair[1]

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
