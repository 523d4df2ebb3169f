"""The governor's rules, one test each: pure values over a fixed clock, no HTTP."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.api import retry_after
from desktop.core.budget import (
    BALANCE_LIMIT,
    BURST_HOURS,
    FULL_EVERY,
    LEARN_HOURS,
    MIN_WAIT_S,
    OTHERS_SLACK_HOURS,
    OWN_ROUND_WAITS,
    PLAN_MARGIN_FRACTION,
    PROMISED_GAP_S,
    QUICK_SCANS_PER_HOUR,
    RESERVE_FRACTION,
    ROOMY,
    TIGHT,
    TRICKLE_FRACTION,
    WHOLE_EVERY,
    WORK_DAYS_PER_MONTH,
    WORK_HOURS_PER_DAY,
    Bucket,
    Governor,
    Quota,
    Spending,
    working_hours_left,
)

#: A Monday, at noon: a Monday on every calendar from UTC-11 to UTC+11.
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
#: A month ahead, to a Wednesday noon: exactly 242 spending hours left (11 a
#: weekday, half of today's and half of that Wednesday's, and 21 between).
MONTH = timedelta(days=30)
QUICK = 3.0
FULL = 110.0


def _quota(count: int = 0, limit: int = 50_000) -> Quota:
    return Quota(count=count, limit=limit, resets_at=NOW + MONTH)


def _plan(governor: Governor, *, tokens: float, quota: Quota | None = None,
          round_due: str | None = None, explicit: bool = False,
          onboarding_left: float | None = None, pot: float = 0.0,
          pace_left_s: float = 0.0, borrow: float = 0.0):  # type: ignore[no-untyped-def]
    return governor.plan(quota=quota or _quota(), bucket=Bucket(tokens, NOW, pot),
                         quick_cost=QUICK, round_cost=FULL, round_due=round_due,
                         explicit=explicit, onboarding_left=onboarding_left,
                         pace_left_s=pace_left_s, borrow=borrow)


def test_a_working_day_spends_eleven_hours_of_rate_twenty_two_days_a_month() -> None:
    """Ten worked, and the hour of burst the bucket refilled overnight."""
    assert working_hours_left(_quota(), NOW) == pytest.approx(
        (WORK_HOURS_PER_DAY + BURST_HOURS) * WORK_DAYS_PER_MONTH)
    # The month's last minutes still count as an hour: no rate divides by nothing.
    late = Quota(0, 50_000, NOW + timedelta(minutes=5))
    assert working_hours_left(late, NOW) == 1.0


def test_a_lone_device_may_spend_the_companys_whole_rate() -> None:
    governor = Governor()
    rate = governor.rate(_quota(), NOW, Spending(), QUICK)
    # The month less the 2% reserve and the 3% margin the rates plan to leave.
    assert rate == pytest.approx(47_500 / 242)
    assert governor.daily_allowance(_quota(), NOW, Spending(), QUICK) == pytest.approx(
        rate * (WORK_HOURS_PER_DAY + BURST_HOURS))


def test_the_first_sync_is_paid_by_the_onboarding_allowance_not_the_bucket() -> None:
    governor = Governor()
    assert governor.onboarding_allowance(_quota()) == 1_000
    plan = _plan(governor, tokens=0.0, onboarding_left=1_000)
    assert (plan.scan, plan.onboarding, plan.budget) == ("full", True, 1_000)
    # An empty bucket does not stop a first sync; a spent allowance goes on as the
    # bucket allows, and is never more than the company has left before its reserve.
    assert _plan(governor, tokens=40.0, onboarding_left=0.0).budget == 40.0
    assert _plan(governor, tokens=0.0, onboarding_left=0.0).scan is None
    assert governor.onboarding_allowance(_quota(count=48_500)) == pytest.approx(500)


def test_the_bucket_refills_continuously_and_holds_an_hour_at_most() -> None:
    rate = 60.0
    capacity = Governor().capacity(rate, QUICK)
    assert capacity == rate * BURST_HOURS
    empty = Bucket(0.0, NOW)
    after_ten_minutes = empty.refilled(NOW + timedelta(minutes=10), rate, capacity, FULL)
    assert after_ten_minutes.tokens == pytest.approx(10.0)
    # A night off buys one hour, not the night: a busy morning cannot spend the day.
    morning = empty.refilled(NOW + timedelta(hours=14), rate, capacity, 0.0)
    assert morning.tokens == capacity
    spent = morning.spend(capacity)
    assert spent.refilled(NOW + timedelta(hours=14, minutes=30), rate, capacity,
                          0.0).tokens == pytest.approx(30.0)


def test_a_weekend_spends_no_working_hours() -> None:
    """Only weekdays count, on this computer's calendar: a week of spending at the
    rate must not run ahead of the plan until the weekend gives it back."""
    quota = Quota(count=0, limit=50_000, resets_at=datetime(2026, 5, 1, tzinfo=UTC))
    saturday, monday, tuesday = (datetime(2026, 4, day).astimezone() for day in (11, 13, 14))
    assert working_hours_left(quota, saturday) == pytest.approx(
        working_hours_left(quota, monday))
    assert working_hours_left(quota, monday) - working_hours_left(quota, tuesday) == (
        pytest.approx(WORK_HOURS_PER_DAY + BURST_HOURS))


def test_a_clock_that_went_back_refills_nothing() -> None:
    bucket = Bucket(5.0, NOW)
    assert bucket.refilled(NOW - timedelta(hours=3), 60.0, 60.0, 0.0).tokens == 5.0


def test_what_the_bucket_cannot_hold_is_saved_for_a_full_reconciliation() -> None:
    rate = 11.0
    capacity = Governor().capacity(rate, QUICK)
    night = Bucket(capacity, NOW).refilled(NOW + timedelta(hours=14), rate, capacity, FULL)
    assert night.pot == FULL  # saved up to one full scan, no more
    plan = _plan(Governor(), tokens=night.tokens, pot=night.pot, round_due="full")
    assert plan.scan == "full"
    # The pot pays only for the reconciliation it was saved for.
    assert night.spend(5).pot == FULL and night.spend(5, from_pot=True).pot == FULL - 5


def _due(*, last_full: datetime | None, last_own: datetime | None = None,
         now: datetime = NOW, technician: bool = False,
         quota: Quota | None = None) -> str | None:
    return Governor.round_due(last_full=last_full, last_own=last_own, now=now,
                              technician=technician, quota=quota)


def test_the_office_reconciles_every_job_each_week() -> None:
    assert _due(last_full=None) == "full"
    assert _due(last_full=NOW - FULL_EVERY + timedelta(minutes=1)) is None
    assert _due(last_full=NOW - FULL_EVERY) == "full"


def test_a_technician_reconciles_its_own_jobs_weekly_and_the_whole_list_monthly() -> None:
    # The month that resets on April 2 began on March 2 (NOW); set up on March 10.
    month = Quota(count=0, limit=50_000, resets_at=datetime(2026, 4, 2, tzinfo=UTC))
    assert month.began_at == datetime(2026, 3, 2, tzinfo=UTC)
    set_up = datetime(2026, 3, 10, tzinfo=UTC)
    assert _due(last_full=None, technician=True, quota=month) == "full"
    week = set_up + FULL_EVERY
    assert _due(last_full=set_up, now=week - timedelta(minutes=1), technician=True,
                quota=month) is None
    assert _due(last_full=set_up, now=week, technician=True, quota=month) == "own"
    assert _due(last_full=set_up, last_own=week, now=week + timedelta(days=6),
                technician=True, quota=month) is None
    # A round of its own jobs since the whole one counts from its own date.
    assert _due(last_full=set_up, last_own=week, now=week + FULL_EVERY, technician=True,
                quota=month) == "own"
    # The whole list once the month that holds the last whole round is over.
    april = Quota(count=10, limit=50_000, resets_at=datetime(2026, 5, 2, tzinfo=UTC))
    assert _due(last_full=set_up, last_own=week, now=datetime(2026, 4, 2, 9, tzinfo=UTC),
                technician=True, quota=april) == "full"
    # An own round due in the month's last days waits for the whole round after the
    # reset, which covers its jobs too.
    late = datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert month.resets_at - late < OWN_ROUND_WAITS < month.resets_at - late + timedelta(days=1)
    assert _due(last_full=set_up, last_own=week, now=late, technician=True,
                quota=month) is None
    assert _due(last_full=set_up, last_own=week, now=late - timedelta(days=1),
                technician=True, quota=month) == "own"
    # No reply has said when the month resets: the whole list every WHOLE_EVERY.
    assert _due(last_full=set_up, last_own=set_up + WHOLE_EVERY, now=set_up + WHOLE_EVERY,
                technician=True) == "full"


def test_a_quota_month_began_a_calendar_month_before_its_reset() -> None:
    def began(resets_at: datetime) -> datetime:
        return Quota(count=0, limit=1, resets_at=resets_at).began_at

    assert began(datetime(2027, 1, 1, tzinfo=UTC)) == datetime(2026, 12, 1, tzinfo=UTC)
    assert began(datetime(2026, 3, 31, 5, tzinfo=UTC)) == datetime(2026, 2, 28, 5, tzinfo=UTC)


def test_the_quick_scan_is_reserved_before_discretionary_work() -> None:
    governor = Governor()
    # A full reconciliation that would leave no quick scan for the next cycle waits.
    plan = _plan(governor, tokens=FULL + QUICK - 1, round_due="full")
    assert plan.scan == "quick"
    assert any("full reconciliation deferred" in s for s in plan.skipped)
    assert _plan(governor, tokens=FULL + QUICK, round_due="full").scan == "full"
    # Detail refreshes and trickle get only what is left above one quick scan.
    assert governor.discretionary(10.0, QUICK) == 10.0 - QUICK
    assert governor.discretionary(QUICK - 1, QUICK) == 0.0
    # And the rate never falls below two quick scans an hour, whatever the share.
    starved = Spending(mine=0.0, others=10_000.0, count=1, at=NOW)
    assert governor.rate(_quota(), NOW, starved, QUICK) == QUICK_SCANS_PER_HOUR * QUICK


def test_the_floor_gives_way_as_the_planning_margin_is_spent() -> None:
    """Whole until the month's plan is spent, half with half the margin left, nothing
    at the reserve: twenty devices' floors must not carry the company into it."""
    limit = 50_000
    planned = limit * (1 - RESERVE_FRACTION - PLAN_MARGIN_FRACTION)
    margin = limit * PLAN_MARGIN_FRACTION
    most = QUICK_SCANS_PER_HOUR * QUICK
    assert Governor.floor(None, QUICK) == most
    assert Governor.floor(_quota(int(planned) - 100), QUICK) == most
    assert Governor.floor(_quota(int(planned + margin / 2)), QUICK) == pytest.approx(most / 2)
    assert Governor.floor(_quota(int(planned + margin) - 1), QUICK) == pytest.approx(
        most / margin, rel=0.01)
    spent = Spending(mine=0.0, others=10_000.0, count=1, at=NOW)
    assert Governor().rate(_quota(int(planned + margin / 2)), NOW, spent, QUICK) == (
        pytest.approx(most / 2))


def test_an_empty_bucket_defers_the_scan_of_a_timer_cycle() -> None:
    plan = _plan(Governor(), tokens=QUICK - 1)
    assert plan.scan is None
    assert any("quick scan deferred" in s for s in plan.skipped)


def test_an_explicit_sync_runs_the_quick_scan_whatever_the_bucket_holds() -> None:
    plan = _plan(Governor(), tokens=-20.0, explicit=True, round_due="full")
    assert plan.scan == "quick" and plan.budget == QUICK
    assert any("full reconciliation deferred" in s for s in plan.skipped)


def test_nothing_is_pulled_in_the_reserve_even_when_asked() -> None:
    governor = Governor()
    reserve = _quota(count=49_000)
    assert reserve.in_reserve and not _quota(count=48_999).in_reserve
    for explicit, onboarding in ((False, None), (True, None), (True, 1_000.0)):
        plan = _plan(governor, tokens=500.0, quota=reserve, explicit=explicit,
                     onboarding_left=onboarding)
        assert plan.scan is None
        assert any("last 2%" in s for s in plan.skipped)
    assert governor.rate(reserve, NOW, Spending(), QUICK) == 0.0


def _learn(counts: list[tuple[int, int]], step: timedelta = timedelta(minutes=5)) -> Spending:
    """Observe a usage sequence: (the company's count, this device's own requests)."""
    spending = Spending()
    for n, (count, own) in enumerate(counts):
        spending = spending.observe(count, own, NOW + n * step)
    return spending


#: A quick scan whose need is a twentieth of the company's rate (``Governor.need``).
TWENTIETH = 47_500 / 242 / 20 * PROMISED_GAP_S / 3600


def test_the_share_follows_what_the_other_devices_are_seen_to_spend() -> None:
    governor = Governor()
    alone = _learn([(100, 0)] + [(100 + 4 * n, 4) for n in range(1, 40)])
    assert alone.share == pytest.approx(1.0)
    # Nineteen colleagues spending as much as this device each: its share is a twentieth.
    crowd = _learn([(100, 0)] + [(100 + 80 * n, 4) for n in range(1, 40)])
    assert crowd.share == pytest.approx(1 / 20)
    # Twenty devices spending the company's rate together (80 requests a step).
    company = 47_500 / 242
    step = timedelta(hours=80 / company)
    steady = _learn([(100, 0)] + [(100 + 80 * n, 4) for n in range(1, 40)], step)
    assert steady.seen_rate == pytest.approx(company)
    # Every device's share of the same spending adds up to the company's rate: the
    # projected month lands at the limit less the reserve and margin, with 1 device or 20.
    assert 20 * governor.rate(_quota(), NOW, steady, TWENTIETH) * 242 == pytest.approx(47_500)


def test_near_the_companys_rate_each_share_is_held_to_its_need() -> None:
    governor = Governor()
    company = 47_500 / 242
    # The company spends its rate; this device was seen spending a fortieth of it.
    step = timedelta(hours=80 / company)
    short = _learn([(100, 0)] + [(100 + 80 * n, 2) for n in range(1, 40)], step)
    assert short.share == pytest.approx(1 / 40)
    assert governor.tightness(short, company) == 1.0
    # Its scans need a tenth: held to need, its share moves toward it at once (and
    # then its spending follows: the fleet test in test_governor_fleet.py).
    tenth = company / 10 * PROMISED_GAP_S / 3600
    held = governor.share(short, tenth, company)
    assert 1.5 / 40 < held < 1 / 10
    # The same spending seen with room to spare: the share is learned from it alone.
    roomy = _learn([(100, 0)] + [(100 + 80 * n, 2) for n in range(1, 40)],
                   timedelta(hours=80 / (company / ROOMY)))
    assert governor.tightness(roomy, company) == 0.0
    assert governor.share(roomy, tenth, company) == pytest.approx(1 / 40)
    halfway = _learn([(100, 0)] + [(100 + 80 * n, 2) for n in range(1, 40)],
                     timedelta(hours=80 / (company / ((ROOMY + TIGHT) / 2))))
    assert governor.tightness(halfway, company) == pytest.approx(0.5)


def test_after_its_first_sync_a_device_learns_its_share_from_its_need() -> None:
    company = 47_500 / 242
    need = Governor.need(QUICK)
    assert need == pytest.approx(QUICK * 3600 / PROMISED_GAP_S)
    start = Spending.started(1_000, NOW, company, need)
    assert start.share == pytest.approx(need / company)
    # The office's three pages start it with three times a technician's one.
    technician = Spending.started(1_000, NOW, company, Governor.need(1.0))
    assert start.share == pytest.approx(3 * technician.share)
    # A need beyond the company's rate is all of it, no more.
    assert Spending.started(1_000, NOW, company, 2 * company).share == 1.0
    # One cycle beside the others' first syncs does not make it a bystander.
    after = start.observe(1_500, 3, NOW + timedelta(minutes=5), company_rate=company)
    assert after.share > 0.8 * start.share
    # A working day of the others spending three times what it does brings it to 1/4.
    steady, count = after, 1_500
    for n in range(2, 12 * 10):
        count += 4 + 12
        steady = steady.observe(count, 4, NOW + timedelta(minutes=5 * n),
                                company_rate=company)
    assert steady.share == pytest.approx(1 / 4, abs=0.02)


def test_the_balance_scales_every_share_to_what_the_company_spends() -> None:
    governor = Governor()
    company = 47_500 / 242
    # Shares that add up to 1.2: the company is seen spending a fifth over its rate,
    # and this device's rate is its share of the rate scaled down alike, by the square.
    over = _learn([(100, 0)] + [(100 + 80 * n, 4) for n in range(1, 40)],
                  timedelta(hours=80 / (1.2 * company)))
    assert over.seen_rate == pytest.approx(1.2 * company)
    assert governor.rate(_quota(), NOW, over, TWENTIETH) == pytest.approx(
        company / 20 / 1.2 ** 2)
    # Half the rate left unspent: the devices that need it may spend more, within 1.5x.
    under = _learn([(100, 0)] + [(100 + 80 * n, 4) for n in range(1, 40)],
                   timedelta(hours=80 / (0.5 * company)))
    assert governor.rate(_quota(), NOW, under, QUICK) == pytest.approx(
        company / 20 * BALANCE_LIMIT)
    # A night between two observations is not working time the company spent nothing in.
    night = over.observe(over.count + 10, 0, over.at + timedelta(hours=14))  # type: ignore[operator]
    assert night.hours == pytest.approx(over.hours * math.exp(-14 / LEARN_HOURS))
    # An explicit share is the user's, as it is.
    assert Governor(share_percent=5).rate(_quota(), NOW, over, QUICK) == pytest.approx(
        0.05 * company)


def test_old_spending_fades_and_a_new_month_is_a_new_baseline() -> None:
    crowd = _learn([(100, 0)] + [(100 + 80 * n, 4) for n in range(1, 40)])
    # The colleagues went home for good: a week of this device alone wins it back.
    last = 100 + 80 * 39
    quiet = crowd
    for n in range(1, 7 * 24):
        quiet = quiet.observe(last + 4 * n, 4, NOW + timedelta(hours=3 + n))
    assert quiet.share > 0.95
    turned = crowd.observe(3, 3, NOW + timedelta(days=1))
    assert (turned.mine, turned.others, turned.count) == (crowd.mine, crowd.others, 3)


def test_the_first_syncs_requests_do_not_count_toward_the_share() -> None:
    spending = Spending().observe(100, 0, NOW).observe(700, 600, NOW + timedelta(minutes=5),
                                                        counted=0)
    assert (spending.mine, spending.others) == (0.0, 0.0)


def test_the_others_first_syncs_do_not_leave_this_device_a_bystanders_share() -> None:
    """Nineteen laptops set up in this device's first minutes (2,000 requests) count as
    no more than the company's rate could have spent, so an hour on, this device that
    scans every five minutes keeps most of the share it needs."""
    company = 49_000 / 242
    spending = Spending().observe(0, 0, NOW)
    spending = spending.observe(2_000, 1, NOW + timedelta(minutes=5), company_rate=company)
    assert spending.others == pytest.approx(company * (5 / 60 + OTHERS_SLACK_HOURS))
    count = 2_000
    for n in range(2, 14):
        count += 1 + 15  # this device's scan, and the others' steady spending
        spending = spending.observe(count, 1, NOW + timedelta(minutes=5 * n),
                                    company_rate=company)
    uncapped = Spending().observe(0, 0, NOW).observe(2_000, 1, NOW + timedelta(minutes=5))
    for n in range(2, 14):
        uncapped = uncapped.observe(2_000 + 16 * (n - 1), 1, NOW + timedelta(minutes=5 * n))
    assert spending.share > 2 * uncapped.share
    # The others' steady spending is below the cap and counts in full.
    assert spending.observe(count + 30, 0, NOW + timedelta(minutes=70),
                            company_rate=company).others == pytest.approx(
        spending.others * math.exp(-(5 / 60) / LEARN_HOURS) + 30)


@pytest.mark.parametrize(("tokens", "pot", "expected"), [
    (100.0, FULL, TRICKLE_FRACTION * 20),  # full bucket and pot: a tenth of the refill
    (90.0, FULL, TRICKLE_FRACTION * 20),   # spills 10, capped at 2
    (81.0, FULL, 1.0),                     # spills only 1
    (60.0, FULL, 0.0),                     # nothing would spill
    (100.0, FULL - 1, 0.0),                # the full reconciliation's pot comes first
])
def test_the_trickle_spends_only_a_tenth_of_what_would_spill(
        tokens: float, pot: float, expected: float) -> None:
    bucket = Bucket(tokens, NOW, pot)
    assert Governor.spill(bucket, capacity=100.0, pot_capacity=FULL, refill=20.0) \
        == pytest.approx(expected)


def test_a_deferred_quick_scan_says_when_the_bucket_holds_one() -> None:
    governor = Governor()
    assert governor.wait_for_quick(1.0, QUICK, rate=12.0) == pytest.approx(600.0)
    assert governor.wait_for_quick(QUICK - 1e-9, QUICK, rate=12.0) == MIN_WAIT_S, \
        "a hair short is not a call to come back at once"
    assert governor.wait_for_quick(QUICK, QUICK, rate=12.0) is None
    assert governor.wait_for_quick(0.0, QUICK, rate=0.0) is None


def test_quick_scans_are_paced_to_the_rate_and_may_borrow_an_hour() -> None:
    governor = Governor()
    # Three requests at twelve an hour: a scan every quarter of an hour.
    assert governor.pace(QUICK, 12.0) == pytest.approx(900.0)
    # Never longer than the floor's two scans an hour.
    assert governor.pace(QUICK, 0.1) == 3600 / QUICK_SCANS_PER_HOUR
    # Due one pace after the last scan, once the bucket is under half full.
    assert governor.pace_left(quick_cost=QUICK, rate=12.0, tokens=5.9, capacity=12.0,
                              since_s=600.0, interval_s=300.0,
                              least_s=300.0) == pytest.approx(300.0)
    assert governor.pace_left(quick_cost=QUICK, rate=12.0, tokens=6.0, capacity=12.0,
                              since_s=600.0, interval_s=300.0, least_s=300.0) == 0.0
    assert governor.pace_left(quick_cost=QUICK, rate=12.0, tokens=0.0, capacity=12.0,
                              since_s=None, interval_s=300.0, least_s=PROMISED_GAP_S) == 0.0
    # A rate that pays a scan every interval sets no pace.
    assert governor.pace_left(quick_cost=QUICK, rate=40.0, tokens=0.0, capacity=40.0,
                              since_s=10.0, interval_s=300.0, least_s=300.0) == 0.0
    waiting = _plan(governor, tokens=50.0, pace_left_s=120.0)
    assert waiting.scan is None and any("paced" in s for s in waiting.skipped)
    assert governor.wait_for_quick(50.0, QUICK, 12.0, pace_left_s=120.0) == 120.0
    # Once due, a bucket short of a scan borrows against the hour to come.
    due = _plan(governor, tokens=QUICK - 5, borrow=12.0)
    assert due.scan == "quick" and due.budget == QUICK - 5 + 12.0
    assert _plan(governor, tokens=QUICK - 13, borrow=12.0).scan is None
    assert governor.wait_for_quick(QUICK - 13, QUICK, 12.0, borrow=12.0) == 300.0
    # The user's sync does not wait for the pace.
    assert _plan(governor, tokens=50.0, pace_left_s=120.0, explicit=True).scan == "quick"


def test_near_the_companys_rate_no_timer_scan_comes_sooner_than_the_promised_gap() -> None:
    governor = Governor()
    company = 47_500 / 242

    def seen(rate: float) -> Spending:
        return Spending(spent=rate, hours=1.0)

    # Well within the rate: every sync interval, as the settings say.
    assert governor.least_gap(seen(company / ROOMY), company, 300.0) == 300.0
    assert governor.least_gap(seen(company / 3), company, 300.0) == 300.0
    # Near it: the promised gap, and in proportion between the two.
    assert governor.least_gap(seen(company / TIGHT), company, 300.0) == PROMISED_GAP_S
    assert governor.least_gap(seen(company), company, 300.0) == PROMISED_GAP_S
    # Not yet seen: the rate alone paces the scans.
    assert governor.least_gap(Spending(), company, 300.0) == 300.0
    halfway = seen(company / ((ROOMY + TIGHT) / 2))
    assert governor.least_gap(halfway, company, 300.0) == pytest.approx(
        (300.0 + PROMISED_GAP_S) / 2)
    # An interval longer than the promise, or the user's own share, is kept as it is.
    assert governor.least_gap(seen(company), company, 900.0) == 900.0
    assert Governor(share_percent=30).least_gap(seen(company), company, 300.0) == 300.0
    # A full bucket waits out the least gap; within the interval, a cycle may scan.
    assert governor.pace_left(quick_cost=1.0, rate=30.0, tokens=30.0, capacity=30.0,
                              since_s=300.0, interval_s=300.0,
                              least_s=PROMISED_GAP_S) == pytest.approx(PROMISED_GAP_S - 300)
    assert governor.pace_left(quick_cost=1.0, rate=30.0, tokens=30.0, capacity=30.0,
                              since_s=PROMISED_GAP_S, interval_s=300.0,
                              least_s=PROMISED_GAP_S) == 0.0
    # A pace longer than the least gap still sets the wait once the bucket runs low.
    assert governor.pace_left(quick_cost=3.0, rate=12.0, tokens=1.0, capacity=12.0,
                              since_s=300.0, interval_s=300.0,
                              least_s=PROMISED_GAP_S) == pytest.approx(600.0)


@settings(max_examples=60, deadline=None)
@given(costs=st.lists(st.integers(min_value=1, max_value=6), min_size=40, max_size=40),
       rate=st.floats(min_value=4.0, max_value=20.0))
def test_paced_scans_come_evenly_whatever_each_one_costs(costs: list[int], rate: float) -> None:
    """A device waking every five minutes, its scans costing one page and now and then
    a few checks: the gaps between scans stay within a wake-up of the pace the
    average cost sets, and it never spends more than its rate and an hour's borrowing."""
    governor = Governor()
    floor_rate = rate
    now, bucket = NOW, Bucket(governor.capacity(rate, 1.0), NOW)
    average, last, gaps = 1.0, None, []
    pending = list(costs)
    while pending:
        # The rate never falls below two average scans an hour (``Governor.rate``).
        rate = max(floor_rate, QUICK_SCANS_PER_HOUR * average)
        capacity = governor.capacity(rate, average)
        bucket = bucket.refilled(now, rate, capacity, FULL)
        pace = governor.pace(average, rate)
        due = governor.pace_left(
            quick_cost=average, rate=rate, tokens=bucket.tokens, capacity=capacity,
            since_s=None if last is None else (now - last).total_seconds(),
            interval_s=300.0, least_s=300.0)
        plan = governor.plan(quota=_quota(), bucket=bucket, quick_cost=average,
                             round_cost=FULL, round_due=None, explicit=False,
                             onboarding_left=None, pace_left_s=due, borrow=capacity)
        if plan.scan == "quick":
            cost = pending.pop(0)
            bucket = bucket.spend(cost)
            # In debt by at most the hour it may borrow and the scan's own cost.
            assert bucket.tokens >= -capacity - cost
            if last is not None:
                gaps.append(((now - last).total_seconds(), pace))
            last, average = now, average * 0.7 + cost * 0.3
        now += timedelta(minutes=5)
    late = [(gap, pace) for gap, pace in gaps if gap > max(pace, 300.0) + 300.0 + 1e-6]
    assert not late, late


def test_an_explicit_share_overrides_the_learned_one() -> None:
    crowd = _learn([(100, 0)] + [(100 + 80 * n, 4) for n in range(1, 40)])
    pinned = Governor(share_percent=30)
    assert pinned.share(crowd, QUICK, 47_500 / 242) == 0.3
    assert pinned.rate(_quota(), NOW, crowd, QUICK) == pytest.approx(0.3 * 47_500 / 242)


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0),
    ("Wed, 02 Dec 2026 10:02:00 GMT", 120.0),
    ("Wed, 02 Dec 2026 09:59:00 GMT", 0.0),
    ("soon", None),
    ("", None),
    ("999999999", 6 * 3600.0),
])
def test_retry_after_is_read_in_seconds_or_as_a_date(value: str, seconds: float | None) -> None:
    headers = httpx.Headers({"Retry-After": value, "Date": "Wed, 02 Dec 2026 10:00:00 GMT"})
    assert retry_after(headers) == seconds
