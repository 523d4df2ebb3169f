"""Auth, usage, idempotency, variants, faults, colleagues, the clock and the lifecycle of
the emulator, over real HTTP (test_emulator.py covers the endpoints themselves)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from desktop.emulator import (
    BARE_FIELDS,
    LIMIT_MESSAGE,
    SUMMARY_FIELDS,
    Emulator,
    format_timestamp,
    generate_api_key,
)

KEY_FORMAT = re.compile(r"^ctc_live_[A-Za-z0-9_-]{43}$")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(jobs=120, customers=30, seed=3) as emulator:
        yield emulator


def usage(response: httpx.Response) -> int:
    return int(response.headers["x-usage-count"])


def create(api: httpx.Client, emu: Emulator, title: str, **headers: str) -> httpx.Response:
    customer = emu.customers(include_deleted=False)[0]["uuid"]
    return api.post("/jobs", json={"customer_uuid": customer, "title": title}, headers=headers)


def titled(emu: Emulator, title: str) -> list[dict[str, Any]]:
    return [j for j in emu.all_jobs() if j["title"] == title]


def live_uuid(emu: Emulator, index: int = 0) -> str:
    return str(emu.all_jobs(include_deleted=False)[index]["uuid"])


# --- auth -------------------------------------------------------------------------------


def test_keys_look_like_the_vendors() -> None:
    keys = {generate_api_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(KEY_FORMAT.match(key) for key in keys)


def test_bearer_and_x_api_key_both_authenticate(emu: Emulator) -> None:
    assert KEY_FORMAT.match(emu.api_key)
    with httpx.Client(base_url=emu.url) as plain:
        for headers in ({"Authorization": f"Bearer {emu.api_key}"},
                        {"authorization": f"bearer {emu.api_key}"},
                        {"X-API-Key": emu.api_key}):
            assert plain.get("/companies/me", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer ctc_live_" + "x" * 43}, {"Authorization": "Basic abc"},
     {"Authorization": "Bearer"}, {"X-API-Key": "wrong"}],
)
def test_missing_or_unknown_keys_are_401(emu: Emulator, headers: dict[str, str]) -> None:
    with httpx.Client(base_url=emu.url) as plain:
        response = plain.get("/jobs", headers=headers)
    assert response.status_code == 401
    assert response.json()["success"] is False and "API key" in response.json()["error"]
    assert usage(response) == emu.usage_count == 1


def test_revoked_keys_are_401_and_new_keys_work(api: httpx.Client, emu: Emulator) -> None:
    spare = emu.add_key()
    assert KEY_FORMAT.match(spare)
    emu.revoke_key(emu.api_key)
    assert "revoked" in api.get("/jobs").json()["error"]
    with httpx.Client(base_url=emu.url, headers={"X-API-Key": spare}) as other:
        assert other.get("/jobs").status_code == 200
    assert emu.add_key("my-demo-key") == "my-demo-key"


def test_a_company_has_at_most_five_live_keys(emu: Emulator) -> None:
    keys = [emu.add_key() for _ in range(4)]
    with pytest.raises(ValueError, match="at most 5"):
        emu.add_key()
    emu.revoke_key(keys[0])
    emu.add_key()


# --- usage --------------------------------------------------------------------------------


def test_every_response_carries_usage_headers_and_every_request_counts(
    api: httpx.Client, emu: Emulator
) -> None:
    resets = format_timestamp(datetime(2031, 3, 1, tzinfo=UTC))
    emu.clock.set(datetime(2031, 2, 14, 12, tzinfo=UTC))
    with httpx.Client(base_url=emu.url) as anonymous:
        responses = [
            api.get("/jobs"), api.post("/jobs", json={}), api.get("/jobs/not-a-uuid"),
            api.get("/nowhere"), api.request("PATCH", "/jobs"), anonymous.get("/jobs"),
        ]
    assert [r.status_code for r in responses] == [200, 400, 400, 404, 405, 401]
    assert [usage(r) for r in responses] == [1, 2, 3, 4, 5, 6]
    for response in responses:
        assert response.headers["x-usage-limit"] == "50000"
        assert response.headers["x-usage-resets"] == resets
    assert emu.usage_count == 6
    assert [r.counted for r in emu.requests] == [True] * 6


def test_requests_outside_the_api_are_not_counted(emu: Emulator) -> None:
    with httpx.Client() as plain:
        response = plain.get(emu.url.removesuffix("/api/v1") + "/favicon.ico")
    assert response.status_code == 404 and usage(response) == 0


def test_over_the_limit_nothing_is_processed(api: httpx.Client, emu: Emulator) -> None:
    emu.usage_limit = 10
    emu.usage_count = 9
    assert create(api, emu, "Last one").status_code == 201
    refused = create(api, emu, "One too many")
    assert refused.status_code == 403
    assert refused.json() == {"success": False, "error": LIMIT_MESSAGE}
    assert usage(refused) == 10 and refused.headers["x-usage-limit"] == "10"
    assert titled(emu, "One too many") == []
    assert api.get("/jobs").status_code == 403
    assert emu.usage_count == 10


def test_usage_resets_when_the_month_rolls_over(api: httpx.Client, emu: Emulator) -> None:
    emu.clock.set(datetime(2030, 12, 31, 23, 59, 58, tzinfo=UTC))
    emu.usage_limit = 3
    for _ in range(3):
        api.get("/companies/me")
    blocked = api.get("/companies/me")
    assert blocked.status_code == 403
    assert blocked.headers["x-usage-resets"] == "2031-01-01T00:00:00.000Z"
    emu.clock.advance(timedelta(seconds=2))
    fresh = api.get("/companies/me")
    assert fresh.status_code == 200 and usage(fresh) == 1
    assert fresh.headers["x-usage-resets"] == "2031-02-01T00:00:00.000Z"


def test_a_simulated_month_runs_fast(api: httpx.Client, emu: Emulator) -> None:
    emu.clock.set(datetime(2031, 4, 1, tzinfo=UTC))
    for day in range(30):
        assert usage(api.get("/companies/me")) == day + 1
        emu.clock.advance(timedelta(days=1))
    assert usage(api.get("/companies/me")) == 1


# --- idempotency --------------------------------------------------------------------------


def test_a_repeated_key_replays_without_executing_or_counting(
    api: httpx.Client, emu: Emulator
) -> None:
    first = create(api, emu, "Once", **{"Idempotency-Key": "key-1"})
    again = create(api, emu, "Once", **{"Idempotency-Key": "key-1"})
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["x-idempotency-key"] == "key-1"
    assert again.headers["x-idempotency-cached"] == "true"
    assert "x-idempotency-cached" not in first.headers
    assert usage(again) == usage(first) == emu.usage_count
    assert len(titled(emu, "Once")) == 1
    assert [(r.counted, r.replayed) for r in emu.requests] == [(True, False), (False, True)]


def test_a_body_cut_off_by_a_dying_client_is_not_answered_or_remembered(
    api: httpx.Client, emu: Emulator
) -> None:
    customer = emu.customers(include_deleted=False)[0]["uuid"]
    body = json.dumps({"customer_uuid": customer, "title": "Cut off"}).encode()
    host, port = urlsplit(emu.url).hostname, urlsplit(emu.url).port
    head = (f"POST {urlsplit(emu.url).path}/jobs HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {emu.api_key}\r\nIdempotency-Key: cut\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    with socket.create_connection((str(host), int(str(port)))) as dying:
        dying.sendall(head.encode() + body[:10])
        dying.shutdown(socket.SHUT_WR)  # killed: the rest of the body never comes
        assert dying.recv(1024) == b"", "nothing is answered"
    # Sent again whole, under the same key, it is created, not refused from memory.
    again = create(api, emu, "Cut off", **{"Idempotency-Key": "cut"})
    assert again.status_code == 201 and "x-idempotency-cached" not in again.headers
    assert len(titled(emu, "Cut off")) == 1


def test_keys_are_scoped_per_endpoint(api: httpx.Client, emu: Emulator) -> None:
    one, two = live_uuid(emu, 0), live_uuid(emu, 1)
    key = {"Idempotency-Key": "shared"}
    assert create(api, emu, "Scoped", **key).status_code == 201
    first = api.put(f"/jobs/{one}", json={"title": "A"}, headers=key)
    second = api.put(f"/jobs/{two}", json={"title": "B"}, headers=key)
    assert "x-idempotency-cached" not in first.headers
    assert "x-idempotency-cached" not in second.headers
    assert api.get("/jobs", headers=key).status_code == 200
    replay = api.put(f"/jobs/{one}", json={"title": "C"}, headers=key)
    assert replay.headers["x-idempotency-cached"] == "true"
    assert replay.json()["data"]["title"] == "A"
    assert emu.job(one)["title"] == "A"  # type: ignore[index]


def test_keys_are_forgotten_after_24_hours(api: httpx.Client, emu: Emulator) -> None:
    key = {"Idempotency-Key": "daily"}
    create(api, emu, "Daily", **key)
    emu.clock.advance(timedelta(hours=23, minutes=59))
    assert create(api, emu, "Daily", **key).headers.get("x-idempotency-cached") == "true"
    emu.clock.advance(timedelta(minutes=1))
    later = create(api, emu, "Daily", **key)
    assert later.status_code == 201 and "x-idempotency-cached" not in later.headers
    assert len(titled(emu, "Daily")) == 2


def test_refusals_are_replayed_but_injected_failures_are_not(
    api: httpx.Client, emu: Emulator
) -> None:
    refused = api.post("/jobs", json={"title": "No customer"}, headers={"Idempotency-Key": "r"})
    assert refused.status_code == 400
    replay = create(api, emu, "Now valid", **{"Idempotency-Key": "r"})
    assert replay.status_code == 400 and replay.headers["x-idempotency-cached"] == "true"
    emu.faults.fail_next(1)
    assert create(api, emu, "Retried", **{"Idempotency-Key": "f"}).status_code == 500
    assert create(api, emu, "Retried", **{"Idempotency-Key": "f"}).status_code == 201


def test_racing_requests_with_one_key_execute_once(emu: Emulator) -> None:
    statuses: list[int] = []

    def send() -> None:
        with httpx.Client(base_url=emu.url, headers={"X-API-Key": emu.api_key}) as client:
            statuses.append(create(client, emu, "Raced", **{"Idempotency-Key": "race"}).status_code)

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 10
    assert len(titled(emu, "Raced")) == 1


def test_overlong_or_odd_keys_are_refused(api: httpx.Client, emu: Emulator) -> None:
    body = {"customer_uuid": emu.customers(include_deleted=False)[0]["uuid"], "title": "Odd key"}
    for key in (b"k" * 256, "caf\u00e9".encode("latin-1"), b"tab\there"):
        response = api.post("/jobs", json=body, headers={b"Idempotency-Key": key})
        assert response.status_code == 400 and "Idempotency-Key" in response.json()["error"]
    assert titled(emu, "Odd key") == []
    assert create(api, emu, "Long key", **{"Idempotency-Key": "k" * 255}).status_code == 201


def test_the_ignoring_variant_executes_every_time(api: httpx.Client, emu: Emulator) -> None:
    emu.variants.honour_idempotency = False
    for _ in range(2):
        response = create(api, emu, "Twice", **{"Idempotency-Key": "same"})
        assert response.status_code == 201 and "x-idempotency-cached" not in response.headers
    assert len(titled(emu, "Twice")) == 2


# --- variants -------------------------------------------------------------------------------


def listed(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/jobs", params={"limit": 100, **params})
    assert response.status_code == 200
    return list(response.json()["data"]["jobs"])


def test_created_desc_is_the_default_order(api: httpx.Client) -> None:
    stamps = [j["created_at"] for j in listed(api)]
    assert stamps == sorted(stamps, reverse=True)


def test_updated_desc_puts_the_latest_change_first(api: httpx.Client, emu: Emulator) -> None:
    emu.variants.list_order = "updated_desc"
    stamps = [j["updated_at"] for j in listed(api)]
    assert stamps == sorted(stamps, reverse=True)
    oldest = emu.all_jobs(include_deleted=False)[0]["uuid"]
    emu.colleague_update(oldest, title="Touched")
    assert listed(api)[0]["uuid"] == oldest


def test_unordered_is_stable_but_unrelated_to_time(api: httpx.Client, emu: Emulator) -> None:
    emu.variants.list_order = "unordered"
    first = [j["uuid"] for j in listed(api)]
    assert first == [j["uuid"] for j in listed(api)]
    emu.colleague_update(first[-1], title="Edited")
    assert [j["uuid"] for j in listed(api)] == first
    created = [j["created_at"] for j in listed(api)]
    assert created not in (sorted(created), sorted(created, reverse=True))


def test_switches_refuse_typos_and_unknown_orders(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="list_order"):
        emu.variants.list_order = "newest"  # type: ignore[assignment]
    with pytest.raises(AttributeError):
        emu.variants.summary = True


def test_summary_items_carry_only_the_summary(api: httpx.Client, emu: Emulator) -> None:
    emu.variants.summary_items = True
    items = listed(api, include_deleted="true")
    assert all(set(item) == set(SUMMARY_FIELDS) for item in items)
    assert any(item["deleted_at"] for item in items)
    full = api.get(f"/jobs/{items[0]['uuid']}").json()["data"]
    assert set(SUMMARY_FIELDS) < set(full)


def test_bare_items_are_the_seed_example_item(api: httpx.Client, emu: Emulator) -> None:
    emu.variants.list_shape = "bare"
    assert emu.variants.summary_items, "the older switch reads any summary shape"
    items = listed(api, include_deleted="true")
    assert all(set(item) == set(BARE_FIELDS) for item in items)
    assert set(BARE_FIELDS) | {"updated_at", "deleted_at"} == set(SUMMARY_FIELDS)
    full = api.get(f"/jobs/{items[0]['uuid']}").json()["data"]
    assert set(SUMMARY_FIELDS) < set(full)
    with pytest.raises(ValueError, match="list_shape"):
        emu.variants.list_shape = "summaries"  # type: ignore[assignment]


def test_single_jobs_may_be_wrapped(api: httpx.Client, emu: Emulator) -> None:
    emu.variants.wrap_single_job = True
    target = live_uuid(emu)
    responses = [
        api.get(f"/jobs/{target}"),
        api.put(f"/jobs/{target}", json={"priority": "Low"}),
        create(api, emu, "Wrapped"),
        api.delete(f"/jobs/{target}"),
    ]
    for response in responses:
        data = response.json()["data"]
        assert list(data) == ["job"] and data["job"]["uuid"]
    assert listed(api)[0].get("job") is None


def test_amounts_as_numbers_or_strings(api: httpx.Client, emu: Emulator) -> None:
    target = next(j for j in emu.all_jobs(include_deleted=False) if j["estimated_amount"])
    api.put(f"/jobs/{target['uuid']}", json={"estimated_amount": 150, "actual_amount": "99.5"})
    as_numbers = api.get(f"/jobs/{target['uuid']}").json()["data"]
    assert (as_numbers["estimated_amount"], as_numbers["actual_amount"]) == (150, 99.5)
    emu.variants.amounts_as_strings = True
    as_text = api.get(f"/jobs/{target['uuid']}").json()["data"]
    assert (as_text["estimated_amount"], as_text["actual_amount"]) == ("150.00", "99.50")
    assert all(isinstance(j["estimated_amount"], str | None) for j in listed(api))


# --- faults -----------------------------------------------------------------------------------


def test_fail_next_by_method(api: httpx.Client, emu: Emulator) -> None:
    target = live_uuid(emu)
    emu.faults.fail_next(2, method="put")
    assert api.get(f"/jobs/{target}").status_code == 200
    for _ in range(2):
        failed = api.put(f"/jobs/{target}", json={"title": "Never"})
        assert failed.status_code == 500 and failed.json()["success"] is False
    assert emu.job(target)["title"] != "Never"  # type: ignore[index]
    assert api.put(f"/jobs/{target}", json={"title": "Finally"}).status_code == 200
    assert [r.status for r in emu.requests] == [200, 500, 500, 200]
    assert emu.usage_count == 4 and emu.faults.pending() == 0


def test_fail_next_by_path_prefix(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.fail_next(1, path="/api/v1/customers")
    assert api.get("/jobs").status_code == 200
    assert api.get("/customers").status_code == 500
    assert api.get("/customers").status_code == 200


def test_drop_before_loses_the_request(api: httpx.Client, emu: Emulator) -> None:
    emu.faults.drop_before(1, method="POST")
    with pytest.raises(httpx.TransportError):
        create(api, emu, "Dropped before")
    assert titled(emu, "Dropped before") == []
    assert emu.usage_count == 0
    last = emu.requests[-1]
    assert (last.status, last.counted, last.dropped) == (None, False, True)
    assert create(api, emu, "After the drop").status_code == 201


def test_drop_after_applies_the_change_but_loses_the_answer(
    api: httpx.Client, emu: Emulator
) -> None:
    emu.faults.drop_after(1, method="POST", path="/jobs")
    with pytest.raises(httpx.TransportError):
        create(api, emu, "Dropped after")
    assert len(titled(emu, "Dropped after")) == 1
    assert emu.usage_count == 1
    last = emu.requests[-1]
    assert (last.status, last.counted, last.dropped) == (201, True, True)


def test_latency_delays_every_request(emu: Emulator) -> None:
    emu.faults.latency = 0.2
    with httpx.Client(base_url=emu.url, headers={"X-API-Key": emu.api_key}) as api:
        started = time.perf_counter()
        assert api.get("/companies/me").status_code == 200
        assert time.perf_counter() - started >= 0.2
        with pytest.raises(httpx.ReadTimeout):
            api.get("/companies/me", timeout=0.05)
    assert emu.requests[0].server_seconds < 0.2
    emu.faults.clear()
    assert emu.faults.latency == 0


@pytest.mark.parametrize("headers", [False, True], ids=["body", "headers-and-body"])
def test_trickle_sends_the_whole_answer_a_byte_at_a_time(emu: Emulator, headers: bool) -> None:
    expected = emu.company
    emu.faults.trickle(1, interval=0.002, headers=headers, method="GET", path="/companies")
    chunks: list[bytes] = []
    with httpx.Client(base_url=emu.url, headers={"X-API-Key": emu.api_key}) as api:
        with api.stream("GET", "/companies/me") as response:
            assert response.status_code == 200
            chunks.extend(response.iter_raw())
        assert json.loads(b"".join(chunks))["data"]["name"] == expected["name"]
        # Byte by byte: the client saw the body arrive in many small reads.
        assert len(chunks) > 10
        assert api.get("/companies/me").status_code == 200  # the connection stays usable
    assert [r.trickled for r in emu.requests] == [True, False]
    assert emu.faults.pending() == 0 and emu.faults.trickles_cut_off == 0


def test_trickle_matches_method_and_path_and_refuses_odd_intervals(
    api: httpx.Client, emu: Emulator
) -> None:
    with pytest.raises(ValueError, match="interval"):
        emu.faults.trickle(1, interval=0)
    emu.faults.trickle(1, interval=0.001, method="PUT", path="/api/v1/jobs")
    api.get("/jobs")
    api.get("/customers")
    assert emu.faults.pending() == 1
    target = live_uuid(emu)
    assert api.put(f"/jobs/{target}", json={"title": "Slowly"}).status_code == 200
    assert [r.trickled for r in emu.requests] == [False, False, True]
    assert emu.job(target)["title"] == "Slowly"  # type: ignore[index]


def test_a_client_hanging_up_on_a_trickle_is_counted(emu: Emulator) -> None:
    emu.faults.trickle(1, interval=0.05)
    with (
        httpx.Client(base_url=emu.url, headers={"X-API-Key": emu.api_key}) as api,
        api.stream("GET", "/jobs") as response,
    ):
        assert response.status_code == 200
        next(response.iter_raw())
    # Leaving the block mid-body closes the connection.
    until = time.monotonic() + 10
    while emu.faults.trickles_cut_off == 0 and time.monotonic() < until:
        time.sleep(0.01)
    assert emu.faults.trickles_cut_off == 1


def test_stopping_the_emulator_ends_a_trickle_at_once() -> None:
    emu = Emulator(jobs=5, customers=2, seed=4).start()
    # An hour between bytes: were stop() to wait for the trickle, the test would hang.
    emu.faults.trickle(1, interval=3600)
    with (
        httpx.Client(base_url=emu.url, headers={"X-API-Key": emu.api_key}) as api,
        api.stream("GET", "/companies/me") as response,
    ):
        assert response.status_code == 200 and emu.requests[-1].trickled
        emu.stop()
        with pytest.raises(httpx.TransportError):
            response.read()
    assert emu.faults.trickles_cut_off == 0  # stopping is not a client hanging up


def test_faults_are_thread_safe(emu: Emulator) -> None:
    emu.faults.fail_next(10, method="GET")
    statuses: list[int] = []

    def hit() -> None:
        with httpx.Client(base_url=emu.url, headers={"X-API-Key": emu.api_key}) as client:
            statuses.extend(client.get("/companies/me").status_code for _ in range(2))

    threads = [threading.Thread(target=hit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 10 + [500] * 10


# --- a colleague in the office ----------------------------------------------------------------


def test_colleague_update_is_seen_by_the_api(api: httpx.Client, emu: Emulator) -> None:
    target = emu.all_jobs(include_deleted=False)[5]
    changed = emu.colleague_update(target["uuid"], status="Complete", actual_amount=320)
    assert changed["updated_at"] > target["updated_at"]
    assert changed["actual_amount"] == "320.00"
    seen = api.get(f"/jobs/{target['uuid']}").json()["data"]
    assert (seen["status"], seen["updated_at"]) == ("Complete", changed["updated_at"])
    with pytest.raises(ValueError, match="status"):
        emu.colleague_update(target["uuid"], status="Whatever")
    with pytest.raises(KeyError):
        emu.colleague_update("123e4567-e89b-12d3-a456-426614174000", title="x")
    assert emu.usage_count == 1 and len(emu.requests) == 1


def test_colleague_create_and_delete(api: httpx.Client, emu: Emulator) -> None:
    made = emu.colleague_create(title="Walk-in request", priority="High")
    assert made["job_number"] == "JOB-000121" and made["status"] == "New"
    assert api.get("/jobs").json()["data"]["jobs"][0]["uuid"] == made["uuid"]
    gone = emu.colleague_delete(made["uuid"])
    assert gone["deleted_at"] == gone["updated_at"]
    assert api.get(f"/jobs/{made['uuid']}").status_code == 404
    with pytest.raises(KeyError):
        emu.colleague_delete(made["uuid"])


# --- clock and introspection --------------------------------------------------------------------


def test_timestamps_follow_the_emulator_clock(api: httpx.Client, emu: Emulator) -> None:
    emu.clock.set(datetime(2032, 5, 6, 7, 8, 9, 123_000, tzinfo=UTC))
    made = create(api, emu, "In the future").json()["data"]
    assert made["created_at"].startswith("2032-05-06T07:08:")
    emu.clock.advance(timedelta(days=1))
    assert emu.clock().date().isoformat() == "2032-05-07"


def test_an_injected_clock_drives_the_seed_and_the_server() -> None:
    moment = datetime(2024, 2, 29, 15, tzinfo=UTC)
    with Emulator(jobs=30, customers=5, seed=9, clock=lambda: moment) as emu:
        assert all(j["created_at"] < "2024-02-29T15:00:00.000Z" for j in emu.all_jobs())
        assert emu.colleague_create()["created_at"] == "2024-02-29T15:00:00.000Z"


def test_request_log_and_records_are_plain_copies(api: httpx.Client, emu: Emulator) -> None:
    target = live_uuid(emu)
    api.get("/jobs", params={"status": "New"})
    entry = emu.requests[-1]
    assert (entry.method, entry.path, entry.query, entry.status) == (
        "GET", "/api/v1/jobs", "status=New", 200)
    assert entry.server_seconds > 0 and not entry.replayed
    record = emu.job(target)
    assert record is not None and "customer" not in record
    record["title"] = "Mutated locally"
    assert emu.job(target)["title"] != "Mutated locally"  # type: ignore[index]
    emu.clear_requests()
    assert emu.requests == []


# --- lifecycle ----------------------------------------------------------------------------------


def test_start_and_stop_are_fast_and_leave_no_threads() -> None:
    before = threading.active_count()
    emu = Emulator(jobs=50, customers=10, seed=4)
    started = time.perf_counter()
    emu.start()
    assert time.perf_counter() - started < 0.2
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", emu.url)
    with pytest.raises(RuntimeError):
        emu.start()
    client = httpx.Client(base_url=emu.url, headers={"X-API-Key": emu.api_key})
    assert client.get("/jobs").status_code == 200  # leaves an idle keep-alive connection
    stopping = time.perf_counter()
    emu.stop()
    assert time.perf_counter() - stopping < 0.5
    client.close()
    assert threading.active_count() == before
    with pytest.raises(RuntimeError):
        _ = emu.url
    emu.stop()


def test_fifty_concurrent_clients_are_all_served(emu: Emulator) -> None:
    errors: list[str] = []
    served: list[int] = []
    barrier = threading.Barrier(50)

    def client(number: int) -> None:
        with httpx.Client(base_url=emu.url, headers={"X-API-Key": emu.api_key}) as http:
            barrier.wait()
            for page in range(1, 4):
                try:
                    response = http.get("/jobs", params={"page": page, "limit": 100})
                    response.raise_for_status()
                    served.append(number)
                except httpx.HTTPError as exc:
                    errors.append(repr(exc))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(served) == 150 == emu.usage_count


def _serve_in_subprocess(command: list[str], cwd: Path) -> tuple[int, str]:
    """Start a serving command, use it, interrupt it; its exit code and output."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        url = next(line.split()[-1] for line in lines if "URL:" in line)
        key = next(line.split()[-1] for line in lines if "API key:" in line)
        with httpx.Client(headers={"Authorization": f"Bearer {key}"}) as http:
            assert http.get(f"{url}/jobs").json()["data"]["pagination"]["total"] > 0
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=10)
        return process.returncode, "".join(lines) + rest


def test_run_standalone_serves_until_interrupted(tmp_path: Path) -> None:
    code = (
        "from desktop.emulator import run_standalone; "
        "raise SystemExit(run_standalone(0, 25, None, 5))"
    )
    status, output = _serve_in_subprocess([sys.executable, "-c", code], tmp_path)
    assert status == 0, output
    assert "API key: ctc_live_" in output


def test_jobdesk_emulator_command(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "desktop", "--data-dir", str(tmp_path), "emulator",
               "--port", "0", "--jobs", "40", "--api-key", "demo-key", "--seed", "2"]
    status, output = _serve_in_subprocess(command, tmp_path)
    assert status == 0, output
    assert "API key: demo-key" in output and "40 jobs" in output


def test_emulator_command_arguments_and_defaults() -> None:
    from desktop.cli import build_parser
    from desktop.cli import emulator as command

    args = build_parser().parse_args(["emulator"])
    assert (args.port, args.jobs, args.api_key, args.seed) == (8765, 500, None, 1)
    assert args.handler is command.handler
    args = build_parser().parse_args(
        ["emulator", "--port", "9001", "--jobs", "7", "--api-key", "k", "--seed", "3"]
    )
    assert (args.port, args.jobs, args.api_key, args.seed) == (9001, 7, "k", 3)
