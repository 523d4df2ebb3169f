"""Reconciliation rounds over real HTTP (``Governor.round_due``): the office
reconciles every job weekly; a technician's device its own jobs weekly and the whole
list once a quota month, in every list shape. The engine reads the emulator's clock,
which the tests move a week, or into the next month, at a time."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from desktop.config import Settings
from desktop.core.budget import FULL_EVERY
from desktop.core.jobs import ACTIVE_STATUSES
from desktop.core.store import JobQuery
from desktop.core.sync import SyncReport
from desktop.emulator import Emulator, ListShape
from tests.integration.conftest import Device

ACTIVE = {s.value for s in ACTIVE_STATUSES}
#: A Tuesday early in a month: two weeks on is the same month.
MID_MONTH = datetime(2027, 1, 5, 9, tzinfo=UTC)
NEXT_MONTH = datetime(2027, 2, 1, 9, tzinfo=UTC)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(jobs=400, customers=40, seed=7) as emu:
        emu.clock.set(MID_MONTH)
        yield emu


def _device(emulator: Emulator, root: Path, user: str = "") -> Device:
    return Device(emulator, root, settings=Settings(my_user_id=user), clock=emulator.clock)


def _job_lists(emulator: Emulator) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in emulator.requests
            if r.method == "GET" and r.path == "/api/v1/jobs"]


def _sync(device: Device) -> SyncReport:
    report = device.sync()
    assert report.status == "ok", report.message
    return report


def _inactive(emulator: Emulator, *, mine: str | None = None,
              not_mine: str | None = None) -> list[str]:
    return [j["uuid"] for j in emulator.all_jobs(include_deleted=False)
            if j["status"] not in ACTIVE
            and (mine is None or j["assigned_to_user_id"] == mine)
            and (not_mine is None or j["assigned_to_user_id"] not in (not_mine, None))]


@pytest.mark.parametrize("shape", ["full", "summary", "bare"])
def test_a_technician_reconciles_its_own_jobs_weekly_and_every_job_monthly(
        emulator: Emulator, tmp_path: Path, shape: ListShape) -> None:
    emulator.variants.list_shape = shape
    me = next(user for user in (j["assigned_to_user_id"] for j in emulator.all_jobs())
              if user and len(_inactive(emulator, mine=user)) > 1)
    device = _device(emulator, tmp_path / "tech", me)
    try:
        assert _sync(device).kind == "full"
        done, gone = _inactive(emulator, mine=me)[:2]
        theirs = _inactive(emulator, not_mine=me)[0]
        emulator.colleague_update(done, title="Warranty visit booked")
        emulator.colleague_update(theirs, title="Changed by the office")
        emulator.colleague_delete(gone)

        emulator.clock.advance(FULL_EVERY - timedelta(minutes=10))
        emulator.clear_requests()
        assert _sync(device).kind == "quick", "not a week yet"
        emulator.clock.advance(timedelta(minutes=11))
        emulator.clear_requests()
        report = _sync(device)
        assert report.kind == "own", report.skipped
        listed = _job_lists(emulator)
        mine_ever = [j for j in emulator.all_jobs() if j["assigned_to_user_id"] == me]
        # The technician's jobs in every status, deleted ones too where items say so.
        assert all(q["assigned_to_user_id"] == [me] and "status" not in q for q in listed)
        assert len(listed) == math.ceil(len(mine_ever) / 100)
        assert device.job(done)["title"] == "Warranty visit booked"
        # Bare summaries neither list deletions nor say whose a job is: a deleted job
        # the device never read whole is not known to be the technician's, and is
        # found missing by the whole list's round.
        assert device.job(gone).deleted == (shape != "bare")
        assert device.job(theirs)["title"] != "Changed by the office", "a colleague's waits"
        # The round's list says whose its jobs are, which summaries do not: from now
        # on, a deleted job of the technician's is missed by its next round.
        live_mine = [j for j in mine_ever if not j["deleted_at"]]
        assert device.store.count(JobQuery(assigned_to=me)) == len(live_mine)
        later = next(u for u in _inactive(emulator, mine=me) if u != done)
        emulator.colleague_delete(later)
        emulator.clock.advance(FULL_EVERY)
        assert _sync(device).kind == "own"
        assert device.job(later).deleted

        emulator.clock.set(NEXT_MONTH)
        emulator.clear_requests()
        report = _sync(device)
        assert report.kind == "full", report.skipped
        assert all("assigned_to_user_id" not in q for q in _job_lists(emulator))
        assert device.job(theirs)["title"] == "Changed by the office"
        assert device.job(gone).deleted
        emulator.clock.advance(timedelta(minutes=10))
        assert _sync(device).kind == "quick", "once a month"
    finally:
        device.close()


def test_the_office_reconciles_every_job_weekly(emulator: Emulator, tmp_path: Path) -> None:
    device = _device(emulator, tmp_path / "office")
    try:
        assert _sync(device).kind == "full"
        someones = _inactive(emulator, not_mine="")[0]
        emulator.colleague_update(someones, title="Changed on a technician's laptop")
        emulator.clock.advance(FULL_EVERY)
        emulator.clear_requests()
        assert _sync(device).kind == "full"
        assert all("assigned_to_user_id" not in q for q in _job_lists(emulator))
        assert device.job(someones)["title"] == "Changed on a technician's laptop"
    finally:
        device.close()
