"""Client: parse a 100-job page into domain objects; target median <= 5 ms.

Measures the whole client path of one list reply (JSON decoding, envelope, usage
headers, ``ServerJob`` normalising) with the network replaced by an in-memory
transport, so only our parsing is timed. Full records with amounts as strings and
booleans as strings are the slowest shape the API may send; summary items are the
seed page's shape.

Run: ``.venv/bin/python -m bench.bench_api_client``
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
import uuid
from typing import Any

import httpx

from bench.measure import print_machine_speed
from desktop.core.api import PAGE_LIMIT, ApiClient

TARGET_MS = 5.0
ROUNDS = 300
SUMMARY_FIELDS = ("uuid", "job_number", "title", "status", "priority", "customer",
                  "scheduled_date", "updated_at", "deleted_at")


def _job(rng: random.Random, n: int) -> dict[str, Any]:
    stamp = f"2025-02-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:30:00.000Z"
    return {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "job_number": f"JOB-{n:05d}",
        "customer_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "location_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "assigned_to_user_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "title": rng.choice(["Replace water heater", "Fix leaking tap", "Rewire kitchen"]),
        "description": "Customer reports the problem started last week. " * 3,
        "status": rng.choice(["New", "Scheduled", "In Progress", "Complete"]),
        "priority": rng.choice(["Low", "Normal", "High", "Emergency"]),
        "is_urgent": rng.choice(["true", "false"]),
        "is_emergency": False,
        "service_address1": f"{rng.randint(1, 999)} Oak Street",
        "service_address2": None,
        "service_city": "Springfield",
        "service_state": "IL",
        "service_zip": "62701",
        "estimated_amount": f"{rng.randint(50, 5000)}.00",
        "actual_amount": rng.randint(50, 5000) + 0.5,
        "scheduled_date": "2025-03-04T10:00:00Z",
        "scheduled_time_start": "09:00",
        "scheduled_time_end": "11:30",
        "started_at": stamp,
        "completed_at": None,
        "invoiced_at": None,
        "paid_at": None,
        "internal_notes": "Gate code 4411; dog in the yard.",
        "customer_notes": None,
        "created_at": stamp,
        "updated_at": stamp,
        "deleted_at": None,
        "customer": {"uuid": str(uuid.uuid4()), "first_name": "Ada", "last_name": "Lovelace"},
        "custom_field_from_a_newer_api": {"x": 1},
    }


def _page_body(summary: bool) -> bytes:
    rng = random.Random(1)
    jobs = [_job(rng, n) for n in range(PAGE_LIMIT)]
    if summary:
        jobs = [{k: job[k] for k in SUMMARY_FIELDS} for job in jobs]
    pagination = {"page": 1, "limit": PAGE_LIMIT, "total": 10_000, "total_pages": 100}
    return json.dumps({"success": True, "data": {"jobs": jobs, "pagination": pagination}}).encode()


def measure(summary: bool) -> float:
    """Median milliseconds for one ``list_jobs`` call over an in-memory transport."""
    body = _page_body(summary)
    headers = {"X-Usage-Count": "120", "X-Usage-Limit": "50000",
               "X-Usage-Resets": "2025-03-01T00:00:00.000Z",
               "Content-Type": "application/json"}
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, content=body,
                                                                    headers=headers))
    timings = []
    with ApiClient("http://127.0.0.1:9", "ctc_live_" + "b" * 43, transport=transport) as client:
        for _ in range(ROUNDS):
            started = time.perf_counter()
            page = client.list_jobs(1)
            timings.append((time.perf_counter() - started) * 1000)
            assert len(page.jobs) == PAGE_LIMIT and not page.invalid
    return statistics.median(timings)


def main() -> int:
    print_machine_speed()
    ok = True
    for label, summary in (("full items", False), ("summary items", True)):
        median = measure(summary)
        ok &= median <= TARGET_MS
        print(f"client: parse a 100-job page ({label}): median {median:.2f} ms "
              f"(target <= {TARGET_MS:.0f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
