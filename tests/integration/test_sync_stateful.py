"""Random interleavings of local edits, a colleague's edits, faults and crashes,
against each list shape the server may send (drawn per example).

After a final fault-free sync: the mirror equals the server for every job not in
conflict; one server job per local create; no acknowledged local edit lost;
nothing deleted comes back; the queue holds only conflicts and rejections; and
every conflict is one the model provoked: the same job changed here and by the
colleague on the same field, or edited on one side and deleted on the other.

One exception, and only for as long as the contract allows it: under bare list
items nothing shows a colleague's change of ``description`` (no summary shows it)
until the job's details are read again, which is due only once they are older
than their bound (``details.URGENT_BOUND_S`` to ``INACTIVE_BOUND_S``). Until then
such a job must say how old its details are; once the engine's clock has passed
every bound, a sync must leave every job whole and equal to the server.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from desktop.core.api import ApiClient
from desktop.core.jobs import InvalidJob
from desktop.core.store import JobQuery, JobRecord
from desktop.core.sync import SyncReport
from desktop.core.sync.cycle import Cycle
from desktop.core.sync.details import INACTIVE_BOUND_S, read_spare
from desktop.emulator import Emulator
from desktop.emulator.clock import Clock
from desktop.emulator.variants import LIST_SHAPES
from tests.integration.conftest import Device

EXAMPLES = int(os.environ.get("JOBDESK_STATEFUL_EXAMPLES", "12"))
STEPS = int(os.environ.get("JOBDESK_STATEFUL_STEPS", "14"))
ORDERS = ("created_desc", "updated_desc", "unordered")
FAULTS = ("none", "lost_reply_post", "lost_reply_put", "server_error", "refused", "slow")


class Crash(Exception):
    """Stands for the process dying between two engine steps."""


@dataclass
class Expected:
    """What the user was told happened, per job, to check against the end state."""

    #: local_id -> the last value this device wrote to ``description`` (its own edits).
    local_description: dict[int, str] = field(default_factory=dict)
    #: local_ids a colleague changed ``description`` of after our last edit.
    contested: set[int] = field(default_factory=set)
    #: local_id -> what this device changed on it: field names, ``deleted`` for a delete.
    local_changes: dict[int, set[str]] = field(default_factory=dict)
    #: server uuid -> what the colleague changed on it, in the same terms.
    remote_changes: dict[str, set[str]] = field(default_factory=dict)
    #: titles of jobs created on this device and never deleted here.
    created_titles: set[str] = field(default_factory=set)
    #: server uuids deleted here or by a colleague.
    deleted: set[str] = field(default_factory=set)


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tokens = itertools.count()
        self.expected = Expected()
        self.tmp = Path(tempfile.mkdtemp(prefix="jobdesk-stateful-"))

    @initialize(seed=st.integers(0, 1000), order=st.sampled_from(ORDERS),
                shape=st.sampled_from(LIST_SHAPES), honour_keys=st.booleans())
    def start(self, seed: int, order: str, shape: str, honour_keys: bool) -> None:
        self.emulator = Emulator(jobs=6, customers=3, seed=seed).start()
        # Every plausible server, not only the default one.
        self.emulator.variants.list_order = order  # type: ignore[assignment]
        self.emulator.variants.list_shape = shape  # type: ignore[assignment]
        self.emulator.variants.honour_idempotency = honour_keys
        self.shape = shape
        self.honour_keys = honour_keys
        self.clock = Clock()
        self.device = Device(self.emulator, self.tmp / "laptop", clock=self.clock)
        assert self.device.sync().status == "ok"

    def token(self, prefix: str) -> str:
        return f"{prefix}-{next(self.tokens)}"

    def local_ids(self) -> list[int]:
        return self.device.store.ids(JobQuery(deleted="include", sort="title"))

    # -- this device -------------------------------------------------------------------

    @rule()
    def create(self) -> None:
        customer = self.emulator.customers(include_deleted=False)[0]["uuid"]
        title = self.token("created")
        record = self.device.store.create_job({"customer_uuid": customer, "title": title})
        self.expected.created_titles.add(title)
        self.expected.local_description[record.local_id] = ""

    @rule(pick=st.integers(0, 50))
    def edit(self, pick: int) -> None:
        ids = self.local_ids()
        local_id = ids[pick % len(ids)]
        text = self.token("mine")
        try:
            self.device.store.update_job(local_id, {"description": text})
        except InvalidJob:
            return  # in the Trash: the store refuses, which is the point
        self.expected.local_description[local_id] = text
        self.expected.contested.discard(local_id)
        self.expected.local_changes.setdefault(local_id, set()).add("description")

    @rule(pick=st.integers(0, 50))
    def delete(self, pick: int) -> None:
        ids = self.local_ids()
        record = self.device.store.delete_job(ids[pick % len(ids)])
        self.expected.local_description.pop(record.local_id, None)
        self.expected.local_changes.setdefault(record.local_id, set()).add("deleted")
        self.expected.created_titles.discard(str(record["title"]))
        if record.uuid:
            self.expected.deleted.add(record.uuid)

    # -- a colleague in the office ---------------------------------------------------------

    @rule(pick=st.integers(0, 50), remote_field=st.sampled_from(["description", "priority"]))
    def colleague_edits(self, pick: int, remote_field: str) -> None:
        live = self.emulator.all_jobs(include_deleted=False)
        if not live:
            return
        job = live[pick % len(live)]
        value = self.token("theirs") if remote_field == "description" else "High"
        self.emulator.colleague_update(job["uuid"], **{remote_field: value})
        self.expected.remote_changes.setdefault(job["uuid"], set()).add(remote_field)
        local = self.device.store.get_by_uuid(job["uuid"])
        if remote_field == "description" and local is not None:
            self.expected.contested.add(local.local_id)

    @rule(pick=st.integers(0, 50))
    def colleague_deletes(self, pick: int) -> None:
        live = self.emulator.all_jobs(include_deleted=False)
        if len(live) <= 1:
            return
        job = live[pick % len(live)]
        self.emulator.colleague_delete(job["uuid"])
        self.expected.deleted.add(job["uuid"])
        self.expected.remote_changes.setdefault(job["uuid"], set()).add("deleted")
        local = self.device.store.get_by_uuid(job["uuid"])
        if local is not None:
            self.expected.contested.add(local.local_id)

    # -- sync, faults and crashes -----------------------------------------------------------

    @rule(fault=st.sampled_from(FAULTS))
    def sync_with_fault(self, fault: str) -> None:
        faults = self.emulator.faults
        if fault == "lost_reply_post":
            faults.drop_after(1, method="POST")
        elif fault == "lost_reply_put":
            faults.drop_after(1, method="PUT")
        elif fault == "server_error":
            faults.fail_next(2)
        elif fault == "refused":
            faults.drop_before(1)
        elif fault == "slow":
            faults.latency = 0.02
        self.device.sync()
        faults.clear()

    @rule(after=st.integers(1, 6))
    def crash_mid_sync(self, after: int) -> None:
        steps = itertools.count(1)

        def die(_phase: str, _done: int, _total: int) -> None:
            if next(steps) >= after:
                raise Crash

        with contextlib.suppress(Crash):
            self.device.engine().run(progress=die)
        self.device.reopen()

    @precondition(lambda self: hasattr(self, "device"))
    @rule()
    def settle(self) -> None:
        self.device.sync()

    def teardown(self) -> None:
        try:
            if hasattr(self, "device"):
                self.check_end_state()
        finally:
            if hasattr(self, "device"):
                self.device.close()
                self.emulator.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def provoked(self, local_id: int, uuid: str | None) -> bool:
        """Whether the model changed this job on both sides in a way that may conflict:
        the same field, or an edit on one side and a delete on the other."""
        mine = self.expected.local_changes.get(local_id, set())
        theirs = self.expected.remote_changes.get(uuid or "", set())
        if mine & (theirs - {"deleted"}):
            return True
        return bool(("deleted" in mine and theirs - {"deleted"})
                    or ("deleted" in theirs and mine - {"deleted"}))

    def check_end_state(self) -> None:
        self.emulator.faults.clear()
        # A full reconciliation: a quick cycle only looks at active jobs by design. It
        # waits for this device's requests when pushes have spent them (a new laptop's
        # first hour is its need's share until it learns it is alone): the hours pass.
        for _ in range(24):
            report = self.device.sync(full=True)
            assert report.status == "ok"
            if not any("full reconciliation deferred" in s for s in report.skipped):
                break
            self.clock.advance(timedelta(hours=1))
        assert report.kind == "full", report.skipped
        assert self.device.sync().status == "ok"
        self.check_mirror(past_every_bound=False)
        # Past every bound on details' age: whatever nothing showed is read again now.
        self.clock.advance(timedelta(seconds=INACTIVE_BOUND_S + 3600))
        assert self.device.sync().status == "ok"
        # Spare reads (the other active jobs' details past their bound, then the
        # trickle) take a few a cycle, from what the bucket would spill: the cycles
        # of a quiet afternoon, read here at once.
        with ApiClient(self.device.url, self.emulator.api_key) as client:
            read_spare(Cycle(store=self.device.store, client=client, report=SyncReport(),
                             clock=self.clock, my_user_id=None), 2 * len(self.local_ids()))
        self.check_mirror(past_every_bound=True)

    def hidden_change_unseen(self, record: JobRecord, remote: dict[str, object]) -> bool:
        """Whether ``description`` may still differ from the server's: a colleague
        changed it under bare list items, and the job's details are within their
        bound, or the job says they are unknown (summary-only)."""
        if record.summary_only:
            return True
        if self.shape != "bare" or record["description"] == remote["description"]:
            return False
        assert "description" in self.expected.remote_changes.get(record.uuid or "", set()), (
            "description differs, and no colleague changed it", record.uuid)
        assert record.details_at is not None, "details of unknown age shown as whole"
        age = self.clock() - datetime.fromisoformat(record.details_at)
        assert age <= timedelta(seconds=INACTIVE_BOUND_S), ("details past their bound", age)
        return True

    def recreated_after_a_colleague_deleted_it(self, copies: list[dict[str, object]]) -> bool:
        """The one duplicate known and allowed (``test_sync.py::
        test_a_lost_create_a_colleague_deleted_is_adopted_deleted[bare]``, xfail): a
        create whose reply was lost, on a server that ignores keys, whose job a
        colleague deleted before it was found; under bare items nothing dates that
        job, so it is sent again rather than risk adopting an older one."""
        if self.shape != "bare" or self.honour_keys or len(copies) != 2:
            return False
        deleted = [c for c in copies if c["deleted_at"] is not None]
        return len(deleted) == 1 and "deleted" in self.expected.remote_changes.get(
            str(deleted[0]["uuid"]), set())

    def check_mirror(self, *, past_every_bound: bool) -> None:
        store = self.device.store
        assert store.count(JobQuery(sync_states=("pending",), deleted="include")) == 0
        server = {j["uuid"]: j for j in self.emulator.all_jobs(include_deleted=True)}
        rows = store.rows(self.local_ids())
        for record in rows.values():
            if record.sync_state == "conflict":
                assert self.provoked(record.local_id, record.uuid), (
                    "a conflict the model did not provoke", record.local_id, record.uuid,
                    self.expected.local_changes.get(record.local_id),
                    self.expected.remote_changes.get(record.uuid or ""))
            if record.sync_state in ("conflict", "rejected"):
                continue
            if record.uuid is None:
                assert record.deleted, "an unsent create after a clean sync"
                continue
            remote = server[record.uuid]
            assert record.deleted == (remote["deleted_at"] is not None)
            if record.deleted:
                continue  # what a job held when it was deleted no longer matters
            if past_every_bound:
                # With a budget to spare, the trickle has read every job again.
                assert not record.summary_only, ("still summary-only", record.uuid)
            names = ["title", "priority", "status"]
            if past_every_bound or not self.hidden_change_unseen(record, remote):
                names.append("description")
            for name in names:
                assert record[name] == remote[name], (name, record[name], remote[name])
        # One server job per local create.
        for title in self.expected.created_titles:
            copies = [j for j in server.values() if j["title"] == title]
            if not self.recreated_after_a_colleague_deleted_it(copies):
                assert len(copies) == 1, (title, len(copies))
        # No acknowledged local edit lost.
        for local_id, text in self.expected.local_description.items():
            edited = rows.get(local_id)
            if not text or edited is None or local_id in self.expected.contested:
                continue
            if edited.sync_state == "conflict":
                assert edited["description"] == text
                continue
            assert edited.uuid is not None
            assert server[edited.uuid]["description"] == text
        # Nothing deleted comes back (unless kept on purpose as a conflict).
        for uuid in self.expected.deleted:
            gone = store.get_by_uuid(uuid)
            if gone is not None and gone.sync_state != "conflict":
                assert gone.deleted, uuid
            assert server[uuid]["deleted_at"] is not None


SyncMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_sync_stateful = SyncMachine.TestCase
