"""A company's devices sharing its rate, each through its own governor.

Each simulated device does what the engine does with the governor in a timer's
cycle (refill, least gap, pace, plan, pay, observe the company's count), on one
clock, against one shared count. No HTTP: the month bench runs the real engine;
this checks the allocation itself, in seconds, for fleets and costs hypothesis picks.
"""

from __future__ import annotations

import heapq
import random
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.budget import HOURS_PER_MONTH, PROMISED_GAP_S, Bucket, Governor, Quota, Spending

NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)
INTERVAL_S = 300.0
FULL = 110.0
#: Hours simulated, and the first ones left out of the figures: the shares settle.
HOURS, SETTLING_HOURS = 8, 2


@dataclass
class _Device:
    cost: float
    spending: Spending
    bucket: Bucket
    last: datetime | None = None
    gaps: list[float] = field(default_factory=list)
    spent: float = 0.0


def _run(costs: list[float], seed: int) -> tuple[list[_Device], float, float]:
    """The devices, the company's requests an hour after settling, and its rate."""
    governor, rng = Governor(), random.Random(seed)
    resets = NOW + timedelta(hours=HOURS_PER_MONTH)
    count = 0

    def quota() -> Quota:
        return Quota(count=count, limit=50_000, resets_at=resets)

    rate0 = governor.company_rate(quota(), NOW)
    devices = [_Device(cost, Spending.started(0, NOW, rate0, Governor.need(cost)),
                       Bucket(0.0, NOW)) for cost in costs]
    wakes = [(NOW + timedelta(seconds=rng.uniform(0, INTERVAL_S)), n)
             for n in range(len(devices))]
    heapq.heapify(wakes)
    settled, end = NOW + timedelta(hours=SETTLING_HOURS), NOW + timedelta(hours=HOURS)
    settled_count = None
    while wakes[0][0] < end:
        now, n = heapq.heappop(wakes)
        if settled_count is None and now >= settled:
            settled_count = count
        device = devices[n]
        company = governor.company_rate(quota(), now)
        rate = governor.rate(quota(), now, device.spending, device.cost)
        capacity = governor.capacity(rate, device.cost)
        device.bucket = device.bucket.refilled(now, rate, capacity, FULL)
        since = None if device.last is None else (now - device.last).total_seconds()
        due = governor.pace_left(
            quick_cost=device.cost, rate=rate, tokens=device.bucket.tokens,
            capacity=capacity, since_s=since, interval_s=INTERVAL_S,
            least_s=governor.least_gap(device.spending, company, INTERVAL_S))
        plan = governor.plan(quota=quota(), bucket=device.bucket, quick_cost=device.cost,
                             full_cost=FULL, full_wanted=False, explicit=False,
                             onboarding_left=None, pace_left_s=due, borrow=capacity)
        retry = None
        if plan.scan == "quick":
            count += round(device.cost)
            device.bucket = device.bucket.spend(round(device.cost))
            device.spending = device.spending.observe(count, round(device.cost), now,
                                                      company_rate=company)
            if device.last is not None and now >= settled:
                device.gaps.append((now - device.last).total_seconds())
            device.last = now
        else:
            retry = governor.wait_for_quick(device.bucket.tokens, device.cost, rate,
                                            pace_left_s=due, borrow=capacity)
        wait = INTERVAL_S * rng.uniform(0.9, 1.1)
        heapq.heappush(wakes, (now + timedelta(seconds=min(wait, retry or wait)), n))
    assert settled_count is not None
    spent_per_hour = (count - settled_count) / (HOURS - SETTLING_HOURS)
    return devices, spent_per_hour, governor.company_rate(quota(), end)


@settings(max_examples=12, deadline=None)
@given(technicians=st.integers(min_value=4, max_value=19),
       office_pages=st.integers(min_value=2, max_value=5),
       seed=st.integers(min_value=0, max_value=1_000))
def test_every_device_scans_at_alike_gaps_whatever_its_scans_cost(
        technicians: int, office_pages: int, seed: int) -> None:
    """The office's scans cost several pages, a technician's one. When the company's
    rate pays every device's scans at the promised gap, each scans at least that
    often; and however the rate falls, the office waits no longer than the others:
    shares follow need, not what each device happened to be given first."""
    costs = [float(office_pages)] + [1.0] * technicians
    devices, spent, company = _run(costs, seed)
    means = [statistics.fmean(d.gaps) for d in devices]
    office, technicians_mean = means[0], statistics.fmean(means[1:])
    assert office <= 1.25 * technicians_mean, (office, technicians_mean)
    needs = sum(Governor.need(cost) for cost in costs)
    if needs <= 0.9 * company:
        worst = max(max(d.gaps) for d in devices)
        assert worst <= PROMISED_GAP_S + INTERVAL_S * 0.1 + 1, worst / 60
    # The company spends within its rate (plus the rounding of a scan in flight).
    assert spent <= company * 1.03, (spent, company)
