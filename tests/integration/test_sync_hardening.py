"""An odd or hostile server never costs a job, the quota or a clear answer (over HTTP)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from desktop.config import Settings
from desktop.core.jobs import ACTIVE_STATUSES
from desktop.core.store import JobQuery
from desktop.core.sync.pull import MOST_SHIFTED
from desktop.emulator import Emulator
from desktop.emulator.clock import format_timestamp
from tests.integration.conftest import Device

ACTIVE = {s.value for s in ACTIVE_STATUSES}


def _an_active_job(emulator: Emulator) -> dict:  # type: ignore[type-arg]
    return next(j for j in emulator.all_jobs(include_deleted=False) if j["status"] in ACTIVE)


def _customer(emulator: Emulator) -> str:
    return str(emulator.customers(include_deleted=False)[0]["uuid"])


def _posts(emulator: Emulator) -> int:
    return sum(1 for r in emulator.requests if r.method == "POST")


def _lose_a_create(device: Device, emulator: Emulator, title: str) -> int:
    """A job created here whose POST reached the server but whose reply was lost."""
    record = device.store.create_job({"customer_uuid": _customer(emulator), "title": title})
    emulator.clear_requests()
    emulator.faults.drop_after(1, method="POST")
    assert device.sync().status == "offline"
    assert _posts(emulator) == 1 and emulator.faults.pending() == 0  # the fault landed
    return record.local_id


def _assert_one_copy_each_side(device: Device, emulator: Emulator, local_id: int,
                               stored_title: str) -> None:
    made = [j for j in emulator.all_jobs() if j["title"] == stored_title]
    assert len(made) == 1, made
    row = device.store.get(local_id)
    assert row is not None and row.uuid == made[0]["uuid"] and row.sync_state == "synced"
    with device.store.read() as conn:
        copies = conn.exec_driver_sql("SELECT count(*) FROM jobs WHERE uuid = ?",
                                      (made[0]["uuid"],)).scalar()
    assert copies == 1


def _an_unrelated_edit_goes_through(device: Device, emulator: Emulator) -> None:
    job = _an_active_job(emulator)
    device.store.update_job(device.job(job["uuid"]).local_id, {"title": "Still flowing"})
    report = device.sync()
    assert report.status == "ok", report.message
    assert emulator.job(job["uuid"])["title"] == "Still flowing"  # type: ignore[index]


@pytest.mark.parametrize("honour_keys", [True, False])
def test_lost_create_is_adopted_though_a_job_is_stamped_in_the_future(
        synced: Device, emulator: Emulator, honour_keys: bool) -> None:
    emulator.variants.honour_idempotency = honour_keys
    future = format_timestamp(emulator.clock() + timedelta(days=400))
    odd = _an_active_job(emulator)
    emulator.restamp(odd["uuid"], created_at=future, updated_at=future)
    assert synced.sync(full=True).status == "ok"
    assert synced.job(odd["uuid"]).values["updated_at"] == future  # the mirror holds it
    local_id = _lose_a_create(synced, emulator, "Future-proof")
    report = synced.sync()
    assert report.status == "ok", report.message
    _assert_one_copy_each_side(synced, emulator, local_id, "Future-proof")
    _an_unrelated_edit_goes_through(synced, emulator)


@pytest.mark.parametrize("honour_keys", [True, False])
def test_lost_create_is_adopted_though_the_server_rewrote_its_title(
        synced: Device, emulator: Emulator, honour_keys: bool) -> None:
    emulator.variants.honour_idempotency = honour_keys
    emulator.variants.escape_titles = True
    local_id = _lose_a_create(synced, emulator, "Pipes & valves")
    report = synced.sync()
    assert report.status == "ok", report.message
    _assert_one_copy_each_side(synced, emulator, local_id, "Pipes &amp; valves")
    assert _posts(emulator) == 1  # the scan recognised it: no second POST
    _an_unrelated_edit_goes_through(synced, emulator)


def test_a_copy_mirrored_before_its_create_was_recognised_is_merged_not_doubled(
        synced: Device, emulator: Emulator) -> None:
    # The server rewrote the job's creation stamp to the distant past (an import),
    # so no scan can tell it is this device's create; the POST resent under its
    # key brings back its uuid, which the mirror already holds as another row.
    local_id = _lose_a_create(synced, emulator, "Imported later")
    (made,) = [j for j in emulator.all_jobs() if j["title"] == "Imported later"]
    emulator.restamp(made["uuid"], created_at="2001-01-01T00:00:00.000Z")
    report = synced.sync()
    assert report.status == "ok", report.message
    assert [r.method for r in emulator.requests if r.method == "POST"] == ["POST", "POST"]
    assert len([j for j in emulator.all_jobs() if j["title"] == "Imported later"]) == 1
    _assert_one_copy_each_side(synced, emulator, local_id, "Imported later")
    assert synced.store.count(JobQuery(search="Imported later")) == 1
    _an_unrelated_edit_goes_through(synced, emulator)


@pytest.mark.parametrize("paging", ["page_one", "echo_page"])
def test_a_server_that_ignores_page_is_not_paged_through(
        tmp_path: Path, paging: str) -> None:
    with Emulator(jobs=300, customers=20, seed=5) as emulator:
        device = Device(emulator, tmp_path / "laptop")
        try:
            emulator.variants.broken_paging = paging  # type: ignore[assignment]
            report = device.sync(full=True)
            gets = [r for r in emulator.requests if r.path == "/api/v1/jobs"]
            assert len(gets) == 2  # page 1, then page 2 that proved the list broken
            assert report.status == "error" and report.exit_code == 3
            assert report.scan_problem is not None
            assert "page" in report.scan_problem
            assert report.requests <= 3
            emulator.variants.broken_paging = ""
            assert device.sync(full=True).status == "ok"  # the next scan starts afresh
            assert device.live_count() == len(emulator.all_jobs(include_deleted=False))
        finally:
            device.close()


def test_items_repeated_beyond_shifting_stop_the_scan(tmp_path: Path) -> None:
    with Emulator(jobs=300, customers=20, seed=5) as emulator:
        device = Device(emulator, tmp_path / "laptop")
        try:
            emulator.variants.broken_paging = "echo_page"
            report = device.sync(full=True)
            assert report.scan_problem is not None
            assert f"repeats {100}" in report.scan_problem and MOST_SHIFTED < 100
        finally:
            device.close()


def test_an_empty_list_reply_removes_nothing_and_costs_little(tmp_path: Path) -> None:
    with Emulator(jobs=300, customers=20, seed=5) as emulator:
        device = Device(emulator, tmp_path / "laptop")
        try:
            assert device.sync(full=True).status == "ok"
            before = device.live_count()
            emulator.variants.empty_lists = True
            emulator.clear_requests()
            report = device.sync(full=True)
            assert emulator.requests[0].path == "/api/v1/jobs"  # served empty
            assert report.requests <= 3, report.requests
            assert report.status == "error" and report.exit_code == 3
            assert "not trusted" in (report.scan_problem or "")
            assert device.live_count() == before
        finally:
            device.close()


def test_a_real_mass_deletion_is_still_mirrored(synced: Device, emulator: Emulator) -> None:
    # The probe finds the first missing job gone, so the list is believed.
    doomed = [j["uuid"] for j in emulator.all_jobs(include_deleted=False)][:15]
    for uuid in doomed:
        emulator.colleague_delete(uuid)
    emulator.variants.empty_lists = False
    report = synced.sync(full=True)
    assert report.status == "ok", report.message
    assert all(synced.job(u).deleted for u in doomed)


def test_absence_checks_stop_at_the_cycles_budget(synced: Device, emulator: Emulator) -> None:
    # A small share of a half-spent month: the checks a quick scan leaves owe the
    # budget too, and what is left over waits for a later cycle.
    synced.settings.quota_share_percent = 1
    synced.close_engine()
    emulator.usage_count = emulator.usage_limit // 2
    assert synced.sync().status == "ok"  # learns the company's count
    engine = synced.engine()
    budget = engine.budget()
    # What the scan may spend: the bucket, and an hour of refill it may borrow.
    left = budget.tokens + budget.capacity
    # More checks than that; the scan's page fits.
    live = [j for j in emulator.all_jobs(include_deleted=False) if j["status"] in ACTIVE]
    done = live[:int(left) + 4]
    assert left > 1 and len(done) > left
    for job in done:
        emulator.colleague_update(job["uuid"], status="Complete")
    # Asked for: a timer's cycle would wait for its pace after the last scan.
    report = engine.run(explicit=True)
    assert report.requests <= left, (report.requests, left)
    assert any("left for a later cycle" in s for s in report.skipped), report.skipped
    moved = sum(1 for job in done if synced.job(job["uuid"]).values["status"] == "Complete")
    assert 0 < moved < len(done)


def test_a_push_the_server_keeps_failing_is_not_reported_as_success(
        synced: Device, emulator: Emulator) -> None:
    job = _an_active_job(emulator)
    synced.store.update_job(synced.job(job["uuid"]).local_id, {"title": "Waiting"})
    emulator.clear_requests()
    emulator.faults.fail_next(5, method="PUT")
    report = synced.sync()
    assert [r.status for r in emulator.requests if r.method == "PUT"] == [500]
    assert report.status == "error" and report.exit_code == 3
    assert report.push_failed == 1 and report.retry_after is not None
    assert synced.job(job["uuid"]).sync_state == "pending"
    emulator.faults.clear()
    assert synced.sync().status == "ok"
    assert emulator.job(job["uuid"])["title"] == "Waiting"  # type: ignore[index]


def test_after_the_month_is_spent_nothing_is_sent_until_the_reset(
        synced: Device, emulator: Emulator) -> None:
    job = _an_active_job(emulator)
    synced.store.update_job(synced.job(job["uuid"]).local_id, {"title": "After reset"})
    emulator.usage_count = emulator.usage_limit
    emulator.clear_requests()
    first = synced.sync()
    assert first.status == "quota" and first.exit_code == 5
    assert len(emulator.requests) == 1 and emulator.requests[0].status == 403
    assert first.resumes_at is not None and "resumes" in first.message
    emulator.clear_requests()
    again = synced.sync()
    assert again.status == "quota" and again.requests == 0 and emulator.requests == []
    probe = synced.engine().run(force=True)
    assert probe.status == "quota" and probe.requests == 1
    # The month turns over on the server and this device's clock alike.
    emulator.usage_count = 0
    emulator.clock.advance(timedelta(days=32))
    synced.engine().clock = emulator.clock
    resumed = synced.sync()
    assert resumed.status == "ok", resumed.message
    assert emulator.job(job["uuid"])["title"] == "After reset"  # type: ignore[index]


def test_a_busy_lock_has_its_own_exit_code(synced: Device) -> None:
    from desktop.core.sync import SyncLock

    with SyncLock(synced.paths.sync_lock):
        report = synced.sync()
    assert report.status == "busy" and report.exit_code == 6


def test_a_create_whose_two_copies_were_both_edited_is_set_aside_alone(
        synced: Device, emulator: Emulator) -> None:
    local_id = _lose_a_create(synced, emulator, "Edited on both rows")
    (made,) = [j for j in emulator.all_jobs() if j["title"] == "Edited on both rows"]
    emulator.restamp(made["uuid"], created_at="2001-01-01T00:00:00.000Z")
    emulator.faults.drop_before(1, method="POST")  # the scan runs, the resend does not
    assert synced.sync().status == "offline"
    copy = synced.job(made["uuid"])
    assert copy.local_id != local_id  # mirrored as another row: the trouble is set up
    # The copy's edit meets a colleague's and waits for the user in a conflict.
    synced.store.update_job(copy.local_id, {"description": "typed on the copy"})
    emulator.colleague_update(made["uuid"], description="typed at the office")
    synced.store.update_job(local_id, {"description": "typed on the original"})
    job = _an_active_job(emulator)
    synced.store.update_job(synced.job(job["uuid"]).local_id, {"title": "Not held up"})
    report = synced.sync()
    assert report.status == "ok", report.message
    assert emulator.job(job["uuid"])["title"] == "Not held up"  # type: ignore[index]
    mine = synced.store.get(local_id)
    assert mine is not None and mine.sync_state == "rejected"
    assert "keep one" in (mine.last_error or "")
    assert len([j for j in emulator.all_jobs() if j["title"] == "Edited on both rows"]) == 1
    assert synced.job(made["uuid"]).sync_state == "conflict"
    assert emulator.job(made["uuid"])["description"] == "typed at the office"  # type: ignore[index]


def test_status_says_when_sync_resumes_after_a_spent_month(
        tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli import main

    monkeypatch.setenv("JOBDESK_SERVER_URL", emulator.url)
    monkeypatch.setenv("JOBDESK_API_KEY", emulator.api_key)
    data = ["--data-dir", str(tmp_path / "data")]
    assert main([*data, "sync"]) == 0
    emulator.usage_count = emulator.usage_limit
    assert main([*data, "sync"]) == 5
    emulator.clear_requests()
    assert main([*data, "sync"]) == 5
    assert emulator.requests == []  # paused: nothing sent
    capsys.readouterr()
    assert main([*data, "status"]) == 0
    out = capsys.readouterr().out
    assert "sync:    paused until 20" in out and "--force" in out


def test_a_scan_the_server_refuses_is_reported_not_raised(
        emulator: Emulator, tmp_path: Path) -> None:
    """A technician id that is not one (typed by hand in Settings) makes the server
    refuse the technician's scan: the cycle says so, and the mirror is kept."""
    device = Device(emulator, tmp_path / "laptop", settings=Settings(my_user_id="tech-42"))
    try:
        report = device.sync()
        assert report.status == "error"
        assert "assigned_to_user_id" in report.message
        assert device.live_count() == len(emulator.all_jobs(include_deleted=False))
    finally:
        device.close()
