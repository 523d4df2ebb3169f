"""The emulator's seeded demo data: deterministic, realistic and consistent.

How fast 100,000 jobs are generated is measured by bench/bench_emulator.py.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from desktop.core.jobs import JOB_FIELDS, Priority, Status
from desktop.emulator import DemoData, generate

NOW = datetime(2025, 6, 15, 14, 30, 12, 345_000, tzinfo=UTC)
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate(jobs=3000, customers=300, seed=11, now=NOW)


def test_the_same_seed_gives_the_same_data() -> None:
    assert generate(jobs=200, customers=20, seed=5, now=NOW) == generate(
        jobs=200, customers=20, seed=5, now=NOW
    )
    one = generate(jobs=50, customers=10, seed=5, now=NOW)
    other = generate(jobs=50, customers=10, seed=6, now=NOW)
    assert {j["uuid"] for j in one.jobs}.isdisjoint(j["uuid"] for j in other.jobs)


def test_company_offices_and_technicians(demo: DemoData) -> None:
    assert UUID.match(demo.company["uuid"]) and demo.company["name"]
    assert 1 <= len(demo.location_uuids) <= 3
    assert 4 <= len(demo.technician_ids) <= 8
    assert all(UUID.match(u) for u in [*demo.location_uuids, *demo.technician_ids])
    assert len(set(demo.technician_ids)) == len(demo.technician_ids)


def test_customers_look_like_us_households_and_businesses(demo: DemoData) -> None:
    customers = demo.customers
    assert len({c["uuid"] for c in customers}) == len(customers) == 300
    for customer in customers:
        assert customer["first_name"] and customer["last_name"]
        assert re.fullmatch(r"\d{3}-\d{3}-\d{4}", customer["phone"])
        assert re.fullmatch(r"[a-z]+\.[a-z]+\d*@example\.(com|net|org)", customer["email"])
        assert re.fullmatch(r"\d+ \w+ \w+", customer["physical_address1"])
        assert re.fullmatch(r"\d{5}", customer["physical_zip"])
        assert len(customer["physical_state"]) == 2
        assert (customer["company_name"] is not None) == (customer["customer_type"] == "Commercial")
        assert customer["on_my_way_notify_via"] in ("email", "sms", "both")
        assert TIMESTAMP.match(customer["created_at"]) and TIMESTAMP.match(customer["updated_at"])
    kinds = Counter(c["customer_type"] for c in customers)
    assert kinds["Residential"] > kinds["Commercial"] > 0
    assert any(c["is_vip"] for c in customers)
    assert sum(1 for c in customers if c["deleted_at"]) == 15


def test_jobs_are_full_api_records(demo: DemoData) -> None:
    customers = {c["uuid"]: c for c in demo.customers}
    for number, job in enumerate(demo.jobs, start=1):
        assert list(job) == [*JOB_FIELDS, "customer"]
        assert job["job_number"] == f"JOB-{number:06d}"
        assert UUID.match(job["uuid"])
        owner = customers[job["customer_uuid"]]
        assert job["customer"] == {k: owner[k] for k in ("uuid", "first_name", "last_name")}
        assert job["service_city"] == owner["physical_city"]
        assert job["location_uuid"] in demo.location_uuids
        assert job["assigned_to_user_id"] in (None, *demo.technician_ids)
        for field in ("estimated_amount", "actual_amount"):
            assert job[field] is None or re.fullmatch(r"\d+\.\d\d", job[field])
        assert job["is_emergency"] == (job["priority"] == "Emergency")
    assert len({j["uuid"] for j in demo.jobs}) == len(demo.jobs)


def test_jobs_spread_over_statuses_priorities_and_trades(demo: DemoData) -> None:
    statuses = Counter(j["status"] for j in demo.jobs)
    priorities = Counter(j["priority"] for j in demo.jobs)
    assert set(statuses) == {s.value for s in Status}
    assert set(priorities) == {p.value for p in Priority}
    assert priorities["Normal"] > priorities["Emergency"]
    titles = " ".join(j["title"] for j in demo.jobs)
    for word in ("faucet", "Water heater", "AC", "Furnace", "Breaker", "EV charger"):
        assert word in titles
    assert 20 < sum(1 for j in demo.jobs if j["deleted_at"]) < 120


def test_schedules_sit_around_today_and_history_is_consistent(demo: DemoData) -> None:
    today = NOW.date()
    scheduled = [j for j in demo.jobs if j["scheduled_date"]]
    offsets = [(date.fromisoformat(j["scheduled_date"]) - today).days for j in scheduled]
    assert min(offsets) < -30 and max(offsets) > 14
    assert any(o == 0 for o in offsets)
    assert 0 < len(demo.jobs) - len(scheduled) < len(demo.jobs) / 2
    windows = [j for j in scheduled if j["scheduled_time_start"]]
    assert 0 < len(windows) < len(scheduled)
    assert all(j["scheduled_time_start"] < j["scheduled_time_end"] for j in windows)
    now = "2025-06-15T14:30:12.345Z"
    stamps = ("created_at", "started_at", "completed_at", "invoiced_at", "paid_at")
    for job in demo.jobs:
        events = [job[f] for f in stamps if job[f]]
        assert all(TIMESTAMP.match(e) for e in events)
        assert events == sorted(events), job
        assert job["created_at"] <= job["updated_at"] <= now
        assert job["deleted_at"] in (None, job["updated_at"])
        if job["status"] == "Complete":
            assert job["paid_at"] and job["actual_amount"]
        if job["status"] in ("New", "Contacted", "Scheduled"):
            assert job["started_at"] is None
    created = [j["created_at"] for j in demo.jobs]
    assert created == sorted(created)


def test_a_hundred_thousand_jobs_are_distinct_and_numbered_in_order() -> None:
    data = generate(jobs=100_000, customers=2000, seed=1, now=NOW)
    assert len(data.jobs) == 100_000 and len(data.customers) == 2000
    assert len({job["uuid"] for job in data.jobs}) == 100_000
    assert [job["job_number"] for job in data.jobs] == [
        f"JOB-{n:06d}" for n in range(1, 100_001)]
