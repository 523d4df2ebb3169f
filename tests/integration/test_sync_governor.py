"""The governor over real HTTP: a device is never left blind, and never overspends."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.budget import PLAN_MARGIN_FRACTION, RESERVE_FRACTION
from desktop.emulator import Emulator
from tests.integration.conftest import Device


def _nearly_spent_month(emulator: Emulator) -> None:
    """A company that has spent its month's plan, its margin before the reserve still
    whole: this device's rate is its floor."""
    emulator.usage_count = int(emulator.usage_limit * (
        1 - RESERVE_FRACTION - PLAN_MARGIN_FRACTION))


def _spend_the_bucket(device: Device) -> None:
    """Syncs the user asked for until the bucket holds less than a quick scan even with
    the hour it may borrow; then a timer cycle defers its scan."""
    engine = device.engine()
    for _ in range(40):
        budget = engine.budget()
        if budget.tokens + budget.capacity < budget.quick_cost:
            report = device.sync()
            assert report.status == "ok", report.message
            assert any("quick scan deferred" in s for s in report.skipped), report.skipped
            assert report.requests == 0
            return
        assert engine.run(explicit=True).status == "ok"
    pytest.fail("the bucket never ran dry")


def test_an_explicit_sync_after_a_spent_bucket_still_runs_the_quick_scan(
        synced: Device, emulator: Emulator) -> None:
    _nearly_spent_month(emulator)
    _spend_the_bucket(synced)
    job = next(j for j in emulator.all_jobs(include_deleted=False) if j["status"] == "Scheduled")
    emulator.colleague_update(job["uuid"], title="Seen on F5")
    emulator.clear_requests()
    report = synced.engine().run(explicit=True)
    assert report.status == "ok", report.message
    assert report.kind == "quick" and report.requests >= 1
    assert not any("quick scan deferred" in s for s in report.skipped), report.skipped
    assert emulator.requests[0].path == "/api/v1/jobs"
    assert synced.job(job["uuid"]).values["title"] == "Seen on F5"


def test_a_deferred_scan_asks_to_come_back_when_the_bucket_holds_one(
        synced: Device, emulator: Emulator) -> None:
    """Not a whole interval later: the floor of a spent month's rate (two quick scans an
    hour) refills one scan in at most half an hour, and the report says how soon."""
    _nearly_spent_month(emulator)
    _spend_the_bucket(synced)
    report = synced.engine().run()
    assert any("quick scan deferred" in s for s in report.skipped), report.skipped
    assert report.retry_after is not None
    assert 0 < report.retry_after <= 1800


def test_near_the_reserve_the_floor_gives_way(synced: Device, emulator: Emulator) -> None:
    """Forty requests short of the reserve, two quick scans an hour from every device
    would cross it before the reset: a timer cycle waits far longer than the floor's
    half hour."""
    emulator.usage_count = int(emulator.usage_limit * (1 - RESERVE_FRACTION)) - 40
    _spend_the_bucket(synced)
    report = synced.engine().run()
    assert report.requests == 0
    assert report.retry_after is not None and report.retry_after > 10 * 1800


def test_the_users_force_is_an_explicit_sync_too(synced: Device, emulator: Emulator) -> None:
    _nearly_spent_month(emulator)
    _spend_the_bucket(synced)
    report = synced.engine().run(force=True)
    assert report.status == "ok" and report.requests >= 1, report.skipped


def test_a_full_sync_asked_for_on_a_short_budget_says_what_it_deferred(
        synced: Device, emulator: Emulator) -> None:
    _nearly_spent_month(emulator)
    _spend_the_bucket(synced)
    report = synced.engine().run(full=True, explicit=True)
    assert report.status == "ok", report.message
    assert report.kind == "quick"
    assert any("full reconciliation deferred" in s for s in report.skipped), report.skipped


def test_in_the_reserve_an_explicit_sync_pushes_but_does_not_pull(
        synced: Device, emulator: Emulator) -> None:
    job = next(iter(emulator.all_jobs(include_deleted=False)))
    synced.store.update_job(synced.job(job["uuid"]).local_id, {"title": "Kept for the reserve"})
    emulator.usage_count = int(emulator.usage_limit * (1 - RESERVE_FRACTION)) + 10
    assert synced.sync().status == "ok"  # learns the count (pushing its change)
    emulator.clear_requests()
    report = synced.engine().run(explicit=True)
    assert report.status == "ok", report.message
    assert all(r.path != "/api/v1/jobs" or r.method != "GET" for r in emulator.requests)
    assert any("last 2%" in s for s in report.skipped), report.skipped
    assert emulator.job(job["uuid"])["title"] == "Kept for the reserve"  # type: ignore[index]


def test_a_devices_first_sync_is_not_charged_to_its_bucket(tmp_path: Path) -> None:
    # Summary list items: the first sync reads many jobs one by one, more than an
    # hour of this device's rate would pay for.
    with Emulator(jobs=400, customers=20, seed=7) as emulator:
        emulator.variants.list_shape = "summary"
        device = Device(emulator, tmp_path / "laptop")
        try:
            before = device.engine().budget()
            assert before.onboarding_left == 1_000
            first = device.sync()
            assert first.status == "ok", first.message
            assert first.kind == "full"
            assert first.requests > before.capacity  # more than the bucket ever holds
            after = device.engine().budget()
            assert after.onboarding_left is None  # the first full scan is done
            # Had the bucket paid for the scan it would be deep in debt; it still holds
            # the next quick scan (what it spent went to trickling in spare budget).
            assert after.tokens >= 1, after
            assert device.live_count() == len(emulator.all_jobs(include_deleted=False))
            # The next scan is an ordinary quick scan, paid from the bucket (asked for:
            # a timer's would wait for its pace after the first sync's scan).
            quick = device.engine().run(explicit=True)
            assert quick.status == "ok" and quick.kind == "quick"
            assert device.engine().budget().tokens < after.tokens
        finally:
            device.close()


def test_other_devices_spending_shrinks_this_devices_allowance(
        synced: Device, emulator: Emulator) -> None:
    # After its first sync: what its scans need, of the company's rate.
    start = synced.engine().budget()
    for _ in range(3):
        assert synced.sync().status == "ok"
    alone = synced.engine().budget()
    # Nobody else seen spending: its share grows from there.
    assert alone.share > start.share, (start, alone)
    for _ in range(10):
        # Colleagues' laptops spend 30 requests between two of this device's cycles.
        emulator.usage_count = emulator.usage_count + 30
        assert synced.sync().status == "ok"
    crowded = synced.engine().budget()
    assert crowded.share < alone.share / 2, (alone, crowded)
    assert crowded.rate < alone.rate / 2, (alone, crowded)
    assert crowded.capacity < alone.capacity


def test_an_explicit_share_setting_is_honoured(
        device: Device, emulator: Emulator) -> None:
    device.settings.quota_share_percent = 50
    assert device.sync().status == "ok"
    emulator.usage_count = emulator.usage_count + 500
    assert device.sync().status == "ok"
    budget = device.engine().budget()
    assert budget.share == 0.5


@pytest.mark.parametrize(("status", "header", "seconds"), [
    (503, "120", 120.0),
    (429, "90", 90.0),
])
def test_retry_after_is_honoured(synced: Device, emulator: Emulator, status: int,
                                 header: str, seconds: float) -> None:
    emulator.faults.busy_next(1, status=status, retry_after=header, path="/jobs")
    emulator.clear_requests()
    report = synced.engine().run(explicit=True)
    assert [r.status for r in emulator.requests] == [status]
    assert report.status == "error"
    assert report.retry_after == pytest.approx(seconds)
    # A timer cycle before then sends nothing; one the user asks for goes out.
    emulator.clear_requests()
    held = synced.sync()
    assert held.requests == 0 and emulator.requests == []
    assert held.retry_after is not None and 0 < held.retry_after <= seconds
    asked = synced.engine().run(explicit=True)
    assert asked.status == "ok", asked.message
    assert synced.sync().status == "ok"  # and the wait is over once a cycle succeeds


def test_retry_after_on_a_push_is_honoured(synced: Device, emulator: Emulator) -> None:
    job = next(iter(emulator.all_jobs(include_deleted=False)))
    synced.store.update_job(synced.job(job["uuid"]).local_id, {"title": "After the wait"})
    emulator.faults.busy_next(1, status=503, retry_after="300", method="PUT")
    report = synced.engine().run(explicit=True)
    assert report.push_failed == 1
    assert report.retry_after == pytest.approx(300)
    assert synced.job(job["uuid"]).sync_state == "pending"


def test_on_a_short_budget_local_changes_go_out_before_the_scan(
        synced: Device, emulator: Emulator) -> None:
    _nearly_spent_month(emulator)
    _spend_the_bucket(synced)
    job = next(iter(emulator.all_jobs(include_deleted=False)))
    synced.store.update_job(synced.job(job["uuid"]).local_id, {"title": "Sent first"})
    emulator.clear_requests()
    report = synced.engine().run(explicit=True)
    assert report.status == "ok" and report.pushed == 1, report.message
    methods = [(r.method, r.path) for r in emulator.requests]
    put = methods.index(("PUT", f"/api/v1/jobs/{job['uuid']}"))
    assert put < methods.index(("GET", "/api/v1/jobs")), methods
