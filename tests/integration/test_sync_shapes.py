"""The three list shapes (docs/architecture.md, contract point 10): full items, summaries with
``updated_at``/``deleted_at``, and the seed's bare summary; the tiered mirror and
what each costs, over real HTTP against the emulator with a real SQLite file.

Scans, refreshes and trickle run on a ``Cycle`` of their own here, with no budget
but the one a test gives, so the figures are the pull's alone, not the governor's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.api import ApiClient, QuotaExceeded
from desktop.core.budget import PROMISED_GAP_S
from desktop.core.jobs import ACTIVE_STATUSES
from desktop.core.store import JobQuery
from desktop.core.sync import SyncReport
from desktop.core.sync.cycle import Cycle
from desktop.core.sync.details import (
    ACTIVE_BOUND_S,
    INACTIVE_BOUND_S,
    SCAN_GUESS_LEAST,
    SOON_BOUND_S,
    URGENT_BOUND_S,
    demote_stale,
    fetch_details,
    read_spare,
    refresh_details,
    trickle,
    worst_staleness,
)
from desktop.core.sync.pull import run_scan, start_scan
from desktop.emulator import Emulator, ListShape
from tests.integration.conftest import Device

SHAPES: tuple[ListShape, ...] = ("full", "summary", "bare")
ACTIVE = {s.value for s in ACTIVE_STATUSES}
#: Requests beyond the pages and the GETs of jobs wanted whole that a first sync may
#: send: under the bare shape, the first pages it listed with deletions.
HANDFUL = 5


@dataclass
class Clock:
    """The engine's clock, moved by the test."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(jobs=400, customers=40, seed=7) as emu:
        yield emu


@pytest.fixture
def clock() -> Clock:
    """Seven in the morning on this computer's calendar, today: tests move it by
    hours, and "today's jobs" must still be today's after them, whenever the suite
    runs (from real time, a test run after 19:38 crossed midnight)."""
    morning = datetime.now().astimezone().replace(hour=7, minute=0, second=0, microsecond=0)
    return Clock(morning.astimezone(UTC))


@contextmanager
def cycle_of(device: Device, clock: Clock, budget: float = math.inf,
             user: str | None = None) -> Iterator[Cycle]:
    with ApiClient(device.url, device.emulator.api_key) as client:
        cycle = Cycle(store=device.store, client=client, report=SyncReport(), clock=clock,
                      my_user_id=user, pull_budget=budget)
        yield cycle


def scan(device: Device, clock: Clock, kind: str, user: str | None = None) -> Cycle:
    with cycle_of(device, clock, user=user) as cycle:
        run_scan(cycle, start_scan(cycle, kind))
    return cycle


def wanted_whole(job: dict, today: datetime) -> bool:  # type: ignore[type-arg]
    """Active, or scheduled from yesterday (the company's day may lag UTC's) to two
    days on."""
    day = (job["scheduled_date"] or "")[:10]
    first = (today - timedelta(days=1)).date().isoformat()
    last = (today + timedelta(days=2)).date().isoformat()
    return job["status"] in ACTIVE or first <= day <= last


def gets(emulator: Emulator) -> list[str]:
    return [r.path.rsplit("/", 1)[1] for r in emulator.requests
            if r.method == "GET" and r.path.startswith("/api/v1/jobs/")]


def lists(emulator: Emulator) -> list[str]:
    return [r.query for r in emulator.requests
            if r.method == "GET" and r.path in ("/api/v1/jobs", "/api/v1/customers")]


def summary_only(device: Device) -> list[str]:
    with device.store.read() as conn:
        return [str(r[0]) for r in conn.exec_driver_sql(
            "SELECT uuid FROM jobs WHERE summary_only AND deleted_at IS NULL")]


def an_in_progress_job(emulator: Emulator) -> dict:  # type: ignore[type-arg]
    return next(j for j in emulator.all_jobs(include_deleted=False)
                if j["status"] == "In Progress")


def urgent(emulator: Emulator, now: datetime) -> set[str]:
    """Active jobs in progress or due today or tomorrow, by this computer's date."""
    today = now.astimezone().date()
    days = {(today + timedelta(days=n)).isoformat() for n in (0, 1)}
    return {j["uuid"] for j in emulator.all_jobs(include_deleted=False)
            if j["status"] in ACTIVE and (j["status"] == "In Progress" or (
                j["scheduled_date"] or "")[:10] in days)}


def synced_in(device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    emulator.variants.list_shape = shape
    scan(device, clock, "full")
    emulator.clear_requests()


# --- the first sync ----------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_first_sync_reads_whole_only_the_jobs_worked_on_soon(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    emulator.variants.list_shape = shape
    live = emulator.all_jobs(include_deleted=False)
    wanted = {j["uuid"] for j in live if wanted_whole(j, clock.now)}
    assert 0 < len(wanted) < len(live)
    scan(device, clock, "full")
    pages = len(lists(emulator))
    read = gets(emulator)
    # Jobs: live ones (with deletions too where the items show them); customers: 1.
    assert pages <= math.ceil(len(emulator.all_jobs()) / 100) + 1 + HANDFUL
    if shape == "full":
        assert read == [] and summary_only(device) == []
    else:
        assert len(read) == len(set(read)) and set(read) == wanted
        assert set(summary_only(device)) == {j["uuid"] for j in live} - wanted
    assert len(emulator.requests) <= pages + len(wanted) + HANDFUL
    assert device.live_count() == len(live)
    for job in [j for j in live if j["uuid"] not in wanted][:5]:
        found = device.store.page(JobQuery(search=job["job_number"]))
        assert [r.uuid for r in found] == [job["uuid"]], "listed and searchable"
        assert found[0].summary_only == (shape != "full")
        assert found[0]["title"] == job["title"] and found[0]["status"] == job["status"]


@pytest.mark.parametrize("shape", ["summary", "bare"])
def test_a_technicians_device_reads_whole_only_the_technicians_own_jobs(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    emulator.variants.list_shape = shape
    live = emulator.all_jobs(include_deleted=False)
    active = [j for j in live if j["status"] in ACTIVE]
    me = next(j["assigned_to_user_id"] for j in active if j["assigned_to_user_id"])
    mine = {j["uuid"] for j in active if j["assigned_to_user_id"] == me}
    assert 0 < len(mine) < len(active) // 2
    scan(device, clock, "full", user=me)
    # The items do not say whose a job is: the first sync reads none of them whole,
    # only the soon-scheduled jobs that are not active (no quick scan lists them).
    assert not set(gets(emulator)) & {j["uuid"] for j in active}
    assert device.live_count() == len(live), "every job listed and searchable"
    emulator.clear_requests()
    scan(device, clock, "quick", user=me)
    # The quick scan lists the technician's active jobs only, and reads them whole.
    assert sorted(gets(emulator)) == sorted(mine)
    assert len(emulator.requests) == len(mine) + 1
    assert not any(device.job(u).summary_only for u in mine)
    assert all(device.job(j["uuid"]).summary_only for j in active if j["uuid"] not in mine)
    emulator.clear_requests()
    scan(device, clock, "full", user=me)
    assert gets(emulator) == [], "a colleague's unchanged job is not read on a later scan"


@pytest.mark.parametrize("shape", SHAPES)
def test_a_quiet_quick_scan_costs_only_its_list_pages(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    synced_in(device, emulator, clock, shape)
    active = [j for j in emulator.all_jobs(include_deleted=False) if j["status"] in ACTIVE]
    scan(device, clock, "quick")
    assert gets(emulator) == []
    assert len(emulator.requests) == math.ceil(len(active) / 100)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_second_full_scan_with_nothing_changed_reads_no_job(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    synced_in(device, emulator, clock, shape)
    scan(device, clock, "full")
    assert gets(emulator) == []


# --- change detection --------------------------------------------------------------------


@pytest.mark.parametrize("field", ["status", "priority", "title", "scheduled_date", "customer"])
@pytest.mark.parametrize("shape", ["summary", "bare"])
def test_a_remote_change_of_a_summary_field_costs_one_get(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape,
        field: str) -> None:
    synced_in(device, emulator, clock, shape)
    job = an_in_progress_job(emulator)
    other = next(c["uuid"] for c in emulator.customers(include_deleted=False)
                 if c["uuid"] != job["customer_uuid"])
    change = {"status": {"status": "Needs Approval"}, "priority": {"priority": "Emergency"},
              "title": {"title": "Renamed by the office"},
              "scheduled_date": {"scheduled_date": "2031-05-06"},
              "customer": {"customer_uuid": other}}[field]
    emulator.colleague_update(job["uuid"], description="Seen with the change", **change)
    scan(device, clock, "quick")
    assert gets(emulator) == [job["uuid"]]
    local = device.job(job["uuid"])
    column = "customer_uuid" if field == "customer" else field
    assert local[column] == next(iter(change.values()))
    assert local["description"] == "Seen with the change", "the GET brought the rest"
    assert local.sync_state == "synced" and not local.summary_only


def test_a_summary_change_of_a_summary_only_job_costs_nothing(
        device: Device, emulator: Emulator, clock: Clock) -> None:
    synced_in(device, emulator, clock, "bare")
    uuid = summary_only(device)[0]
    emulator.colleague_update(uuid, title="Renamed, still finished")
    scan(device, clock, "full")
    assert gets(emulator) == []
    local = device.job(uuid)
    assert local["title"] == "Renamed, still finished" and local.summary_only


def test_a_summary_only_job_that_becomes_active_is_read_whole(
        device: Device, emulator: Emulator, clock: Clock) -> None:
    synced_in(device, emulator, clock, "bare")
    uuid = summary_only(device)[0]
    emulator.colleague_update(uuid, status="Needs Approval", internal_notes="Reopened")
    scan(device, clock, "full")
    assert gets(emulator) == [uuid]
    local = device.job(uuid)
    assert not local.summary_only and local["internal_notes"] == "Reopened"


@pytest.mark.parametrize("shape", SHAPES)
def test_deletions_are_found_with_one_get_each(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    synced_in(device, emulator, clock, shape)
    active = [j["uuid"] for j in emulator.all_jobs(include_deleted=False)
              if j["status"] in ACTIVE][:2]
    for uuid in active:
        emulator.colleague_delete(uuid)
    scan(device, clock, "quick")
    assert sorted(gets(emulator)) == sorted(active)
    assert all(device.job(uuid).deleted for uuid in active)
    if shape == "full":
        return
    finished = summary_only(device)[:2]
    for uuid in finished:
        emulator.colleague_delete(uuid)
    emulator.clear_requests()
    scan(device, clock, "full")
    # A stamped summary says it is deleted; a bare one is unlisted, then read (404).
    assert sorted(gets(emulator)) == (sorted(finished) if shape == "bare" else [])
    assert all(device.job(uuid).deleted for uuid in finished)
    assert device.live_count() == len(emulator.all_jobs(include_deleted=False))


@pytest.mark.parametrize("shape", ["summary", "bare"])
def test_a_change_to_a_job_worked_on_today_is_read_at_once_others_wait_for_spare(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    """A quick scan may borrow for the jobs someone is out at today, not for next
    week's: with nothing to spare, those are shown from their list items."""
    synced_in(device, emulator, clock, shape)
    today = clock.now.astimezone().date()
    active = [j for j in emulator.all_jobs(include_deleted=False)
              if j["status"] == "Scheduled" and not device.job(j["uuid"]).summary_only]
    due, later = active[0], active[1]
    for job, day in ((due, today), (later, today + timedelta(days=7))):
        emulator.colleague_update(job["uuid"], scheduled_date=day.isoformat())
    scan(device, clock, "quick")
    for job in (due, later):
        emulator.colleague_update(job["uuid"], title="Moved", internal_notes="Gate code 41")
    emulator.clear_requests()
    with cycle_of(device, clock, budget=50) as cycle:
        cycle.spare = 0
        run_scan(cycle, start_scan(cycle, "quick"))
    assert gets(emulator) == [due["uuid"]]
    assert device.job(due["uuid"])["internal_notes"] == "Gate code 41"
    shown = device.job(later["uuid"])
    assert shown["title"] == "Moved" and shown["internal_notes"] != "Gate code 41"
    assert shown.details_at is None, "its other fields of unknown age until read"
    emulator.clear_requests()
    with cycle_of(device, clock, budget=50) as cycle:
        # As the engine's cycle goes: the scan, then the refresh from what is left.
        cycle.spare = 1
        run_scan(cycle, start_scan(cycle, "quick"))
        refresh_details(cycle, 1)
    assert gets(emulator) == [later["uuid"]], "read once there is a request to spare"
    assert device.job(later["uuid"])["internal_notes"] == "Gate code 41"


@pytest.mark.parametrize("shape", ["summary", "bare"])
def test_changes_the_budget_cannot_read_whole_show_from_their_list_items_at_once(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    """A device whose cycle affords the pages and one GET still shows every change a
    summary carries in that cycle (it used to stop at the page, every cycle, and show
    none); the rest are read whole by later cycles."""
    synced_in(device, emulator, clock, shape)
    pages = scan(device, clock, "quick").client.requests_sent
    active = [j for j in emulator.all_jobs(include_deleted=False)
              if j["status"] in ACTIVE and device.job(j["uuid"]).summary_only is False]
    changed = active[:3]
    clock.now += timedelta(minutes=5)
    for n, job in enumerate(changed):
        emulator.colleague_update(job["uuid"], title=f"Moved {n}", internal_notes=f"Note {n}")
    created = emulator.colleague_create(title="Call-out", status="Scheduled",
                                        internal_notes="Side gate")
    emulator.clear_requests()
    with cycle_of(device, clock, budget=pages + 1) as cycle:
        run_scan(cycle, start_scan(cycle, "quick"))
    assert len(gets(emulator)) == 1
    assert device.job(created["uuid"])["title"] == "Call-out", "a new job shows at once too"
    assert [device.job(j["uuid"])["title"] for j in changed] == ["Moved 0", "Moved 1",
                                                                 "Moved 2"]
    read = gets(emulator)[0]
    unread = [j["uuid"] for j in changed if j["uuid"] != read]
    assert all(device.job(u)["internal_notes"] != emulator.job(u)["internal_notes"]
               and device.job(u).details_at is None for u in unread), \
        "shown from the summary, its other fields of unknown age until read"
    # Later cycles read them whole: stamped, because the scan sees them changed still;
    # bare, because details of unknown age are due.
    clock.now += timedelta(minutes=5)
    scan(device, clock, "quick")
    with cycle_of(device, clock) as cycle:
        refresh_details(cycle, 1000)
    assert all(device.job(u)["internal_notes"] == emulator.job(u)["internal_notes"]
               for u in unread)
    assert device.job(created["uuid"])["internal_notes"] == "Side gate"


# --- details -----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_a_hidden_change_of_a_job_in_progress_is_seen_by_the_refresh_within_its_bound(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    synced_in(device, emulator, clock, shape)
    job = an_in_progress_job(emulator)
    emulator.colleague_update(job["uuid"], internal_notes="Gate code 4321")
    clock.now += timedelta(minutes=5)
    quick = scan(device, clock, "quick")
    with cycle_of(device, clock) as cycle:
        assert refresh_details(cycle, 1000) == 0, "nothing is due yet"
    if shape == "bare":
        assert device.job(job["uuid"])["internal_notes"] != "Gate code 4321"
    else:
        assert device.job(job["uuid"])["internal_notes"] == "Gate code 4321"
        assert quick.client.requests_sent >= 1
    clock.now += timedelta(seconds=SOON_BOUND_S)
    # As the engine's cycles do: the quick scan, then the refresh (a job in progress
    # from spare requests).
    scan(device, clock, "quick")
    emulator.clear_requests()
    with cycle_of(device, clock) as cycle:
        sent = refresh_details(cycle, 1000, every_active=True)
    assert device.job(job["uuid"])["internal_notes"] == "Gate code 4321"
    if shape == "bare":
        urgent_jobs = urgent(emulator, clock.now)
        assert job["uuid"] in gets(emulator) and set(gets(emulator)) == urgent_jobs
        assert sent == len(gets(emulator)) == len(urgent_jobs)
        # The urgent jobs were just read; the others' details are younger than their
        # own bound, which is not yet due.
        worst = worst_staleness(device.store, clock.now)
        assert worst is not None and worst <= SOON_BOUND_S + 5 * 60
    else:
        assert sent == 0 and gets(emulator) == []


@pytest.mark.parametrize("shape", SHAPES)
def test_a_devices_need_counts_the_detail_refreshes_its_scans_bring(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    """The need a share is held to (``Governor.need``) is reckoned from a scan's
    upkeep: under bare summaries the scan and the reads of today's jobs due after
    it, which no scan cost shows; under the other shapes the scan alone, whose
    reads are its own."""
    today = clock.now.astimezone().date().isoformat()
    emulator.colleague_create(title="Today's visit", status="Scheduled", scheduled_date=today)
    emulator.variants.list_shape = shape
    device.clock = clock
    assert device.sync().kind == "full"
    assert device.store.get_meta("upkeep_cost") is None, "a first sync is no upkeep"
    clock.now += timedelta(seconds=URGENT_BOUND_S + 60)
    emulator.clear_requests()
    assert device.engine().run(explicit=True).kind == "quick"
    quick, upkeep = device.store.get_meta("quick_cost"), device.store.get_meta("upkeep_cost")
    if shape == "bare":
        todays = {j["uuid"] for j in emulator.all_jobs(include_deleted=False)
                  if j["status"] in ACTIVE and (j["scheduled_date"] or "")[:10] == today}
        assert todays and set(gets(emulator)) == todays
        assert upkeep == quick + len(todays)
    else:
        assert gets(emulator) == [] and upkeep == quick


@pytest.mark.parametrize("shape", SHAPES)
def test_before_any_upkeep_is_measured_it_is_guessed_from_the_mirror(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    """The share a device starts with after its first sync follows its need, so the
    guess must see what its scans will cost: the active set's pages and, under bare
    summaries, the reads of today's jobs that fall due between two promised scans."""
    today = clock.now.astimezone().date().isoformat()
    for n in range(3):
        emulator.colleague_create(title=f"Visit {n}", status="Scheduled", scheduled_date=today)
    emulator.variants.list_shape = shape
    device.clock = clock
    assert device.sync().kind == "full"
    live = [j for j in emulator.all_jobs(include_deleted=False) if j["status"] in ACTIVE]
    todays = [j for j in live if (j["scheduled_date"] or "")[:10] == today]
    engine = device.engine()
    # Its pages, or the least a scan is taken for: it reads what changed, too.
    scan_cost = max(SCAN_GUESS_LEAST, math.ceil(len(live) / 100))
    assert engine.scan_cost("quick") == scan_cost
    reads = len(todays) * PROMISED_GAP_S / URGENT_BOUND_S if shape == "bare" else 0
    assert engine.scan_cost("upkeep") == pytest.approx(scan_cost + reads)


def test_todays_jobs_are_read_first_and_other_active_jobs_only_from_spare_requests(
        device: Device, emulator: Emulator, clock: Clock) -> None:
    today = clock.now.astimezone().date().isoformat()
    emulator.colleague_create(title="Today's visit", status="Scheduled", scheduled_date=today)
    synced_in(device, emulator, clock, "bare")
    live = emulator.all_jobs(include_deleted=False)
    todays = {j["uuid"] for j in live
              if j["status"] in ACTIVE and (j["scheduled_date"] or "")[:10] == today}
    clock.now += timedelta(seconds=URGENT_BOUND_S + 60)
    with cycle_of(device, clock) as cycle:
        refresh_details(cycle, 1000)
    assert todays and set(gets(emulator)) == todays
    emulator.clear_requests()
    clock.now += timedelta(seconds=ACTIVE_BOUND_S)
    with cycle_of(device, clock) as cycle:
        refresh_details(cycle, 1000)
    assert set(gets(emulator)) == todays, "the others wait for spare requests"
    emulator.clear_requests()
    others = {j["uuid"] for j in live if j["status"] in ACTIVE} - todays
    soon = urgent(emulator, clock.now) - todays
    with cycle_of(device, clock) as cycle:
        assert read_spare(cycle, len(others)) == len(others)
    assert set(gets(emulator)) == others
    assert set(gets(emulator)[:len(soon)]) == soon, "in progress and tomorrow's first"


def test_the_refresh_stops_at_most_and_serves_the_urgent_first(
        device: Device, emulator: Emulator, clock: Clock) -> None:
    synced_in(device, emulator, clock, "bare")
    clock.now += timedelta(hours=5)
    with cycle_of(device, clock) as cycle:
        assert refresh_details(cycle, 3, every_active=True) == 3
    assert set(gets(emulator)) <= urgent(emulator, clock.now)
    with cycle_of(device, clock, budget=2) as cycle:
        assert refresh_details(cycle, 10, every_active=True) == 2, \
            "the cycle's budget binds too"


def test_todays_jobs_are_refreshed_before_details_of_unknown_age(
        device: Device, emulator: Emulator, clock: Clock) -> None:
    """A busy day's changes shown from their list items must not keep today's jobs
    from their bound."""
    synced_in(device, emulator, clock, "bare")
    today = clock.now.astimezone().date().isoformat()
    scheduled = [j for j in emulator.all_jobs(include_deleted=False)
                 if j["status"] == "Scheduled"]
    due, unknown = scheduled[0], scheduled[1:6]
    emulator.colleague_update(due["uuid"], scheduled_date=today)
    scan(device, clock, "quick")
    todays = {j["uuid"] for j in emulator.all_jobs(include_deleted=False)
              if j["status"] in ACTIVE and (j["scheduled_date"] or "")[:10] == today}
    with device.store.write() as conn:
        # As a change shown from its list item leaves them.
        conn.exec_driver_sql(
            f"UPDATE jobs SET details_at = NULL WHERE uuid IN ({', '.join('?' * len(unknown))})",
            tuple(j["uuid"] for j in unknown))
    clock.now += timedelta(seconds=URGENT_BOUND_S + 60)
    emulator.clear_requests()
    with cycle_of(device, clock) as cycle:
        assert refresh_details(cycle, len(todays) + 1) == len(todays) + 1
    read = gets(emulator)
    assert set(read[:-1]) == todays and due["uuid"] in todays
    assert read[-1] in {j["uuid"] for j in unknown}


@pytest.mark.parametrize("shape", SHAPES)
def test_trickle_reads_summary_only_jobs_most_recent_first_and_stops_at_most(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    synced_in(device, emulator, clock, shape)
    waiting = summary_only(device)
    with cycle_of(device, clock) as cycle:
        sent = trickle(cycle, 5)
    if shape == "full":
        assert sent == 0 and emulator.requests == []
        return
    dates = {u: emulator.job(u)["scheduled_date"] or "" for u in waiting}  # type: ignore[index]
    expected = sorted(waiting, key=lambda u: dates[u], reverse=True)[:5]
    # Latest schedule first (jobs on the same day in any order among themselves).
    assert sent == 5 and [dates[u] for u in gets(emulator)] == [dates[u] for u in expected]
    assert not any(device.job(u).summary_only for u in gets(emulator))
    assert len(summary_only(device)) == len(waiting) - 5
    with cycle_of(device, clock) as cycle:
        assert trickle(cycle, 0) == 0


def test_trickle_costs_nothing_once_every_job_is_whole(
        device: Device, emulator: Emulator, clock: Clock) -> None:
    synced_in(device, emulator, clock, "summary")
    with cycle_of(device, clock) as cycle:
        assert trickle(cycle, 10_000) == len(emulator.all_jobs(include_deleted=False)) - len(
            [j for j in emulator.all_jobs(include_deleted=False) if wanted_whole(j, clock.now)])
    emulator.clear_requests()
    with cycle_of(device, clock) as cycle:
        assert trickle(cycle, 10_000) == 0
    assert emulator.requests == []


@pytest.mark.parametrize("shape", ["summary", "bare"])
def test_a_summary_only_job_opened_online_is_read_with_one_get(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    synced_in(device, emulator, clock, shape)
    uuid = summary_only(device)[0]
    before = device.job(uuid)
    assert before.summary_only and before.details_at is None
    server = emulator.job(uuid)
    assert server is not None
    with ApiClient(device.url, emulator.api_key) as client:
        after = fetch_details(client, device.store, before.local_id, clock.now)
    assert gets(emulator) == [uuid]
    assert after is not None and not after.summary_only and after.details_at is not None
    for name in ("description", "service_address1", "internal_notes", "created_at"):
        assert after[name] == server[name], name


def test_a_job_opened_online_is_read_on_the_engines_books(
        device: Device, emulator: Emulator, clock: Clock) -> None:
    """The window's read of an opened job is paid from the device's bucket, and once
    the server says the month is spent the next one sends nothing."""
    device.clock = clock
    synced_in(device, emulator, clock, "summary")
    engine = device.engine()
    waiting = summary_only(device)
    before = engine.budget().tokens
    record = engine.read_details(device.job(waiting[0]).local_id)
    assert gets(emulator) == [waiting[0]]
    assert record is not None and not record.summary_only
    assert engine.budget().tokens == pytest.approx(before - 1)

    emulator.usage_count = emulator.usage_limit
    with pytest.raises(QuotaExceeded):
        engine.read_details(device.job(waiting[1]).local_id)
    refused = len(emulator.requests)
    assert refused == 2, "the refused GET went out and was counted"
    with pytest.raises(QuotaExceeded):
        engine.read_details(device.job(waiting[2]).local_id)
    assert len(emulator.requests) == refused, "a spent month sends nothing more"
    assert device.job(waiting[1]).summary_only


# --- local edits of a summary-only job ----------------------------------------------------


@pytest.mark.parametrize("shape", ["summary", "bare"])
def test_a_local_edit_of_a_summary_only_job_sends_only_its_field_and_merges(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    synced_in(device, emulator, clock, shape)
    uuid = summary_only(device)[0]
    local = device.job(uuid)
    device.store.update_job(local.local_id, {"priority": "Emergency"})
    # Meanwhile the office changes fields this device has never seen.
    office = emulator.colleague_update(uuid, description="Written in the office",
                                       customer_notes="Call first")
    report = device.sync()
    assert report.status == "ok", report.message
    puts = [r.path for r in emulator.requests if r.method == "PUT"]
    assert puts == [f"/api/v1/jobs/{uuid}"]
    server = emulator.job(uuid)
    assert server is not None
    # Only the field edited here changed: nothing this device never saw was sent.
    moved = {k for k in server if server[k] != office[k]}
    assert moved == {"priority", "updated_at"} and server["priority"] == "Emergency"
    after = device.job(uuid)
    assert after.sync_state == "synced" and not after.summary_only
    assert after["priority"] == "Emergency"
    assert after["description"] == "Written in the office"
    assert after["customer_notes"] == "Call first"


@pytest.mark.parametrize("shape", ["summary", "bare"])
def test_a_field_no_summary_shows_edited_here_is_sent_not_a_conflict(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    # Its value was never known here: the edit is the only change this device can
    # see, and the fields it did not edit are filled from the server, not cleared.
    synced_in(device, emulator, clock, shape)
    uuid = summary_only(device)[0]
    device.store.update_job(device.job(uuid).local_id, {"description": "Typed here"})
    office = emulator.colleague_update(uuid, internal_notes="Noted in the office")
    report = device.sync()
    assert report.status == "ok" and report.conflicts == 0, report.message
    server = emulator.job(uuid)
    assert server is not None and server["description"] == "Typed here"
    assert {k for k in server if server[k] != office[k]} == {"description", "updated_at"}
    after = device.job(uuid)
    assert after.sync_state == "synced" and not after.summary_only
    for name in ("description", "internal_notes", "service_address1", "created_at"):
        assert after[name] == server[name], name


def test_a_summary_field_changed_on_both_sides_is_a_conflict_on_that_field_only(
        device: Device, emulator: Emulator, clock: Clock) -> None:
    synced_in(device, emulator, clock, "bare")
    uuid = summary_only(device)[0]
    device.store.update_job(device.job(uuid).local_id, {"title": "Mine"})
    emulator.colleague_update(uuid, title="Theirs", description="Theirs alone")
    device.sync()
    after = device.job(uuid)
    assert after.sync_state == "conflict"
    assert [c.field for c in after.conflicts] == ["title"]
    assert after["description"] == "Theirs alone"
    assert not [r for r in emulator.requests if r.method == "PUT"]


# --- details past their bound (bare items) -----------------------------------------------


def an_inactive_job_read_whole(device: Device, emulator: Emulator, clock: Clock) -> str:
    """A finished job that the mirror holds whole, read at ``clock.now``."""
    uuid = next(j["uuid"] for j in emulator.all_jobs(include_deleted=False)
                if not wanted_whole(j, clock.now))
    with ApiClient(device.url, emulator.api_key) as client:
        fetch_details(client, device.store, device.job(uuid).local_id, clock.now)
    assert not device.job(uuid).summary_only
    emulator.clear_requests()
    return uuid


@pytest.mark.parametrize("shape", SHAPES)
def test_under_bare_items_details_past_their_bound_are_marked_then_trickled(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    synced_in(device, emulator, clock, shape)
    uuid = an_inactive_job_read_whole(device, emulator, clock)
    before = device.job(uuid)
    whole_inactive = {r.uuid for r in device.store.rows(device.store.ids(JobQuery())).values()
                      if not r.summary_only and r["status"] not in ACTIVE}
    assert uuid in whole_inactive
    emulator.colleague_update(uuid, internal_notes="Paid by cheque")
    clock.now += timedelta(seconds=INACTIVE_BOUND_S - 60)
    assert demote_stale(device.store, clock.now, None) == 0, "within the bound"
    assert not device.job(uuid).summary_only
    clock.now += timedelta(seconds=120)
    marked = demote_stale(device.store, clock.now, None)
    after = device.job(uuid)
    if shape != "bare":
        # A stamp shows any change, which the scan reads: nothing goes stale unseen.
        assert marked == 0 and not after.summary_only
        return
    # Every job held whole that the refresh does not look after: the inactive ones.
    assert marked == len(whole_inactive)
    assert after.summary_only, "past its bound: no longer shown as current"
    # What was last known is kept, with its age, not cleared.
    assert after["internal_notes"] == before["internal_notes"] != "Paid by cheque"
    assert after["created_at"] == before["created_at"] and after.details_at == before.details_at
    assert not any(device.job(j["uuid"]).summary_only
                   for j in emulator.all_jobs(include_deleted=False) if j["status"] in ACTIVE)
    assert emulator.requests == [], "marking costs no request"
    waiting = summary_only(device)
    with cycle_of(device, clock) as cycle:
        assert trickle(cycle, 10_000) == len(waiting)
    again = device.job(uuid)
    assert again["internal_notes"] == "Paid by cheque" and not again.summary_only
    assert again.details_at is not None
    assert datetime.fromisoformat(again.details_at) == clock.now


def test_a_technicians_device_marks_a_colleagues_active_job_not_its_own(
        device: Device, emulator: Emulator, clock: Clock) -> None:
    synced_in(device, emulator, clock, "bare")
    active = [j for j in emulator.all_jobs(include_deleted=False) if j["status"] in ACTIVE]
    me = next(j["assigned_to_user_id"] for j in active if j["assigned_to_user_id"])
    mine = {j["uuid"] for j in active if j["assigned_to_user_id"] == me}
    others = {j["uuid"] for j in active} - mine
    assert mine and any(emulator.job(u)["assigned_to_user_id"] is None  # type: ignore[index]
                        for u in others), "the seed has unassigned active jobs too"
    clock.now += timedelta(seconds=INACTIVE_BOUND_S + 60)
    demote_stale(device.store, clock.now, me)
    # Its own active jobs the refresh looks after; the rest are marked for their age.
    assert not any(device.job(u).summary_only for u in mine)
    assert all(device.job(u).summary_only for u in others)


@pytest.mark.parametrize("field", ["internal_notes", "description"])
def test_a_job_marked_for_its_age_then_edited_here_merges_three_way(
        device: Device, emulator: Emulator, clock: Clock, field: str) -> None:
    # Its base holds real values, read once: a field no summary shows, changed on
    # both sides, is a conflict, never the local value over a colleague's unseen.
    synced_in(device, emulator, clock, "bare")
    uuid = an_inactive_job_read_whole(device, emulator, clock)
    clock.now += timedelta(seconds=INACTIVE_BOUND_S + 60)
    demote_stale(device.store, clock.now, None)
    device.store.update_job(device.job(uuid).local_id, {"internal_notes": "Mine"})
    emulator.colleague_update(uuid, **{field: "Theirs"})
    device.clock = clock
    device.sync()
    after = device.job(uuid)
    server = emulator.job(uuid)
    assert server is not None and not after.summary_only
    if field == "internal_notes":
        assert after.sync_state == "conflict"
        assert [c.field for c in after.conflicts] == ["internal_notes"]
        assert after["internal_notes"] == "Mine" and server["internal_notes"] == "Theirs"
    else:
        assert after.sync_state == "synced"
        assert server["internal_notes"] == after["internal_notes"] == "Mine"
        assert server["description"] == after["description"] == "Theirs"


# --- what a push reads and what its reply says ----------------------------------------------


def test_the_read_before_a_put_dates_the_details_it_read(
        device: Device, emulator: Emulator, clock: Clock) -> None:
    synced_in(device, emulator, clock, "bare")
    uuid = an_inactive_job_read_whole(device, emulator, clock)
    emulator.colleague_update(uuid, customer_notes="Dog in the yard")
    clock.now += timedelta(days=1)
    device.store.update_job(device.job(uuid).local_id, {"priority": "High"})
    # The PUT fails: what remains is the read before it.
    emulator.faults.fail_next(2, method="PUT")
    device.clock = clock
    device.sync()
    assert gets(emulator).count(uuid) == 1
    assert [r.method for r in emulator.requests if r.path.endswith(uuid)] == ["GET", "PUT"]
    after = device.job(uuid)
    assert after.sync_state == "pending" and after["customer_notes"] == "Dog in the yard"
    assert after.details_at is not None
    assert datetime.fromisoformat(after.details_at) == clock.now


@pytest.mark.parametrize("shape", SHAPES)
def test_a_write_confirmed_by_the_whole_reply_is_whole_and_dated(
        device: Device, emulator: Emulator, clock: Clock, shape: ListShape) -> None:
    synced_in(device, emulator, clock, shape)
    customer = emulator.customers(include_deleted=False)[0]["uuid"]
    created = device.store.create_job({"customer_uuid": customer, "title": "New boiler"})
    clock.now += timedelta(hours=1)
    device.clock = clock
    assert device.sync().status == "ok"
    after = device.store.get(created.local_id)
    assert after is not None and after.uuid is not None and not after.summary_only
    assert after.details_at is not None
    assert datetime.fromisoformat(after.details_at) == clock.now
    assert after["created_at"] == emulator.job(after.uuid)["created_at"]  # type: ignore[index]
