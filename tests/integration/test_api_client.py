"""The CRM client against the emulator over real HTTP on loopback.

Replies the emulator cannot produce on purpose (malformed bodies, other 403s, odd
statuses, tolerant value shapes, one broken job in a page) come from ``canned``, a
tiny HTTP server that answers whatever a test scripts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.api import (
    PAGE_LIMIT,
    REQUEST_DEADLINE,
    ApiClient,
    ApiError,
    AuthError,
    Forbidden,
    NetworkError,
    NotFound,
    QuotaExceeded,
    ServerError,
    ServerUrlError,
    Usage,
    ValidationError,
    normalise_base_url,
    parse_customer_page,
    parse_job_page,
)
from desktop.core.jobs import JOB_FIELDS, ServerJob, parse_server_job
from desktop.emulator import LIMIT_MESSAGE, SUMMARY_FIELDS, Emulator, LoggedRequest
from desktop.logs import setup_logging

JOBS = 250
CUSTOMERS = 120


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(jobs=JOBS, customers=CUSTOMERS, seed=1) as emulator:
        yield emulator


@pytest.fixture
def usages() -> list[Usage]:
    return []


@pytest.fixture
def client(emu: Emulator, usages: list[Usage]) -> Iterator[ApiClient]:
    with ApiClient(emu.url, emu.api_key, on_usage=usages.append) as api:
        yield api


def live_uuids(emu: Emulator) -> set[str]:
    return {j["uuid"] for j in emu.all_jobs(include_deleted=False)}


def scan(client: ApiClient, **filters: Any) -> list[ServerJob]:
    return [job for page in client.iter_jobs(**filters) for job in page.jobs]


def logged(emu: Emulator, count: int) -> list[LoggedRequest]:
    """The emulator's request log once it holds ``count`` entries.

    The server logs a request just after writing its reply, so the client can see
    the reply a moment before the entry exists.
    """
    deadline = time.monotonic() + 2
    while len(emu.requests) < count and time.monotonic() < deadline:
        time.sleep(0.005)
    return emu.requests


def a_customer(emu: Emulator) -> str:
    return next(c["uuid"] for c in emu.customers(include_deleted=False))


# --- base URL -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("https://crm.example.com", "https://crm.example.com/api/v1"),
        ("https://crm.example.com/", "https://crm.example.com/api/v1"),
        ("  https://crm.example.com/api/v1/ ", "https://crm.example.com/api/v1"),
        ("HTTPS://crm.example.com:8443/api/v1", "https://crm.example.com:8443/api/v1"),
        ("https://example.com/crm", "https://example.com/crm/api/v1"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/api/v1"),
        ("http://127.8.9.10:8000/api/v1", "http://127.8.9.10:8000/api/v1"),
        ("http://localhost:8000", "http://localhost:8000/api/v1"),
        ("http://[::1]:8000", "http://[::1]:8000/api/v1"),
    ],
)
def test_base_url_is_normalised(given_url: str, expected: str) -> None:
    assert normalise_base_url(given_url) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "http://crm.example.com",
        "http://10.0.0.5:8000",
        "http://128.0.0.1",
        "http://localhost.example.com",
        "ftp://crm.example.com",
        "crm.example.com",
        "",
        "https://user:secret@crm.example.com",
        "https://crm.example.com/?x=1",
    ],
)
def test_unusable_base_url_is_refused_naming_the_setting(bad: str) -> None:
    with pytest.raises(ServerUrlError, match="server-url"):
        ApiClient(bad, "ctc_live_" + "a" * 43)


def test_plain_http_refusal_states_the_rule() -> None:
    with pytest.raises(ServerUrlError) as caught:
        normalise_base_url("http://crm.example.com")
    assert "https://" in str(caught.value)
    assert "localhost, 127.0.0.0/8, ::1" in str(caught.value)


def test_url_with_or_without_api_prefix_reaches_the_same_api(emu: Emulator) -> None:
    root = emu.url.removesuffix("/api/v1")
    for url in (root, emu.url, emu.url + "/"):
        with ApiClient(url, emu.api_key) as api:
            assert api.company()["uuid"] == emu.company["uuid"]


# --- endpoints and parameters ---------------------------------------------------------


def test_company(client: ApiClient, emu: Emulator) -> None:
    company = client.company()
    assert company["name"] == emu.company["name"]
    assert client.requests_sent == 1


def test_list_jobs_pages_always_ask_for_100(client: ApiClient, emu: Emulator) -> None:
    pages = list(client.iter_jobs())
    live = live_uuids(emu)
    assert [p.page for p in pages] == [1, 2, 3]
    assert all(p.limit == PAGE_LIMIT and p.total == len(live) for p in pages)
    assert [len(p.jobs) for p in pages] == [100, 100, len(live) - 200]
    assert {j.uuid for p in pages for j in p.jobs} == live
    assert client.requests_sent == 3
    queries = [parse_qs(r.query) for r in logged(emu, 3)]
    assert [q["limit"] for q in queries] == [["100"]] * 3


def test_iter_jobs_can_resume_from_a_page(client: ApiClient) -> None:
    assert [p.page for p in client.iter_jobs(start=2)] == [2, 3]


def test_include_deleted(client: ApiClient, emu: Emulator) -> None:
    everything = {j["uuid"] for j in emu.all_jobs(include_deleted=True)}
    deleted = everything - live_uuids(emu)
    assert deleted, "the demo data should hold some deleted jobs"
    scanned = scan(client, include_deleted=True)
    assert {j.uuid for j in scanned} == everything
    assert all(j.fields["deleted_at"] for j in scanned if j.uuid in deleted)
    assert not deleted & {j.uuid for j in scan(client)}


def test_status_filter_sends_a_comma_separated_list(client: ApiClient, emu: Emulator) -> None:
    wanted = ("Scheduled", "In Progress")
    expected = {j["uuid"] for j in emu.all_jobs(include_deleted=False) if j["status"] in wanted}
    got = scan(client, statuses=wanted)
    assert {j.uuid for j in got} == expected
    last = logged(emu, client.requests_sent)[-1]
    assert parse_qs(last.query)["status"] == ["Scheduled,In Progress"]


def test_empty_status_list_is_a_caller_error(client: ApiClient) -> None:
    with pytest.raises(ValueError, match="statuses"):
        client.list_jobs(1, statuses=[])
    assert client.requests_sent == 0


@pytest.mark.parametrize(
    "field", ["priority", "customer_uuid", "location_uuid", "assigned_to_user_id"]
)
def test_equality_filters(client: ApiClient, emu: Emulator, field: str) -> None:
    live = emu.all_jobs(include_deleted=False)
    value = next(j[field] for j in live if j[field])
    expected = {j["uuid"] for j in live if j[field] == value}
    got = scan(client, **{field: value})
    assert {j.uuid for j in got} == expected
    assert all(j.fields[field] == value for j in got)


def test_search(client: ApiClient, emu: Emulator) -> None:
    target = emu.all_jobs(include_deleted=False)[5]
    got = scan(client, search=target["job_number"])
    assert target["uuid"] in {j.uuid for j in got}


def test_filters_combine(client: ApiClient, emu: Emulator) -> None:
    live = emu.all_jobs(include_deleted=False)
    customer = live[0]["customer_uuid"]
    status = live[0]["status"]
    expected = {j["uuid"] for j in live if (j["customer_uuid"], j["status"]) == (customer, status)}
    got = scan(client, customer_uuid=customer, statuses=[status])
    assert {j.uuid for j in got} == expected


def test_get_job_matches_the_server_record(client: ApiClient, emu: Emulator) -> None:
    record = emu.all_jobs(include_deleted=False)[3]
    job = client.get_job(record["uuid"])
    assert job.fields == parse_server_job(record).fields
    assert job.customer is not None and job.customer["uuid"] == record["customer_uuid"]


def test_create_job_sends_canonical_values(client: ApiClient, emu: Emulator) -> None:
    body = {
        "customer_uuid": a_customer(emu),
        "title": "Replace water heater",
        "estimated_amount": Decimal("150.00"),
        "is_urgent": True,
        "scheduled_date": "2025-01-20T10:00:00Z",
        "scheduled_time_start": "09:00",
    }
    job = client.create_job(body, idempotency_key=str(uuid.uuid4()))
    stored = emu.job(job.uuid)
    assert stored is not None and stored["estimated_amount"] == "150.00"
    assert job.fields["estimated_amount"] == Decimal("150.00")
    assert job.fields["is_urgent"] is True
    assert job.fields["job_number"] and job.fields["created_at"].endswith("Z")
    assert job.fields["status"] == "New"


def test_update_job_changes_only_the_fields_sent(client: ApiClient, emu: Emulator) -> None:
    before = emu.all_jobs(include_deleted=False)[7]
    job = client.update_job(
        before["uuid"], {"title": "Renamed", "actual_amount": Decimal("99.50")}, str(uuid.uuid4())
    )
    assert job.fields["title"] == "Renamed"
    assert job.fields["actual_amount"] == Decimal("99.50")
    assert job.fields["updated_at"] > before["updated_at"]
    unchanged = set(JOB_FIELDS) - {"title", "actual_amount", "updated_at"}
    expected = parse_server_job(before).fields
    assert {f: job.fields.get(f) for f in unchanged} == {f: expected.get(f) for f in unchanged}


def test_delete_job_then_not_found(client: ApiClient, emu: Emulator) -> None:
    target = emu.all_jobs(include_deleted=False)[0]["uuid"]
    assert client.delete_job(target) is None
    stored = emu.job(target)
    assert stored is not None and stored["deleted_at"]
    with pytest.raises(NotFound):
        client.get_job(target)
    with pytest.raises(NotFound):
        client.delete_job(target)


def test_customers_pages_and_parameters(client: ApiClient, emu: Emulator) -> None:
    pages = list(client.iter_customers())
    live = {c["uuid"] for c in emu.customers(include_deleted=False)}
    assert {c["uuid"] for p in pages for c in p.customers} == live
    assert all(p.limit == PAGE_LIMIT for p in pages)
    pages = list(client.iter_customers(include_deleted=True))
    everything = {c["uuid"] for c in emu.customers(include_deleted=True)}
    assert {c["uuid"] for p in pages for c in p.customers} == everything

    vip = client.list_customers(1, filter="vip")
    assert vip.customers and all(c["is_vip"] for c in vip.customers)
    commercial = client.list_customers(1, filter="commercial", include_deleted=True)
    assert all(c["customer_type"] == "Commercial" for c in commercial.customers)

    someone = emu.customers(include_deleted=False)[4]
    found = client.list_customers(1, search=someone["email"])
    assert someone["uuid"] in {c["uuid"] for c in found.customers}
    last = logged(emu, client.requests_sent)[-1]
    assert parse_qs(last.query)["search"] == [someone["email"]]


def test_get_customer_is_a_normalised_dict(client: ApiClient, emu: Emulator) -> None:
    raw = emu.customers(include_deleted=False)[2]
    customer = client.get_customer(raw["uuid"])
    assert customer["uuid"] == raw["uuid"]
    for key in ("first_name", "last_name", "company_name", "phone", "email",
                "physical_address1", "physical_address2", "physical_city",
                "physical_state", "physical_zip", "deleted_at"):
        assert key in customer
    assert customer["billing_city"] == raw["billing_city"]  # unknown-to-us fields kept
    with pytest.raises(NotFound):
        client.get_customer(str(uuid.uuid4()))


# --- variants -----------------------------------------------------------------------

VARIANTS = [
    {},
    {"list_order": "updated_desc"},
    {"list_order": "unordered"},
    {"summary_items": True},
    {"wrap_single_job": True},
    {"amounts_as_strings": True},
    {"list_order": "unordered", "summary_items": True, "wrap_single_job": True,
     "amounts_as_strings": True},
]


@pytest.mark.parametrize("switches", VARIANTS, ids=lambda s: ",".join(s) or "default")
def test_every_variant_gives_the_same_domain_values(
    client: ApiClient, emu: Emulator, switches: dict[str, Any]
) -> None:
    for name, value in switches.items():
        setattr(emu.variants, name, value)
    records = {j["uuid"]: j for j in emu.all_jobs(include_deleted=False)}
    listed = scan(client)
    assert {j.uuid for j in listed} == set(records)
    for job in listed:
        expected = parse_server_job(records[job.uuid]).fields
        assert job.fields == {k: expected.get(k) for k in job.fields}
        if switches.get("summary_items"):
            assert set(job.fields) <= set(SUMMARY_FIELDS) | {"customer_uuid"}
    some = listed[10].uuid
    assert client.get_job(some).fields == parse_server_job(records[some]).fields
    body = {"customer_uuid": a_customer(emu), "title": "V", "estimated_amount": Decimal("12.3")}
    created = client.create_job(body, str(uuid.uuid4()))
    assert created.fields["estimated_amount"] == Decimal("12.30")
    updated = client.update_job(some, {"actual_amount": Decimal("7")}, str(uuid.uuid4()))
    assert updated.fields["actual_amount"] == Decimal("7.00")


# --- idempotency ----------------------------------------------------------------------


def test_idempotent_replay_returns_the_same_job_without_spending_usage(
    client: ApiClient, emu: Emulator
) -> None:
    body = {"customer_uuid": a_customer(emu), "title": "Once only"}
    key = str(uuid.uuid4())
    first = client.create_job(body, key)
    assert client.last_replayed is False
    count = emu.usage_count
    again = client.create_job(body, key)
    assert client.last_replayed is True
    assert again.uuid == first.uuid
    assert emu.usage_count == count
    assert client.usage is not None and client.usage.count == count
    assert sum(j["title"] == "Once only" for j in emu.all_jobs()) == 1
    client.company()
    assert client.last_replayed is False


def test_update_and_delete_replay_under_their_keys(client: ApiClient, emu: Emulator) -> None:
    target = emu.all_jobs(include_deleted=False)[1]["uuid"]
    key = str(uuid.uuid4())
    first = client.update_job(target, {"title": "Edited"}, key)
    emu.colleague_update(target, title="Colleague edit")
    replay = client.update_job(target, {"title": "Edited"}, key)
    assert client.last_replayed and replay.fields == first.fields
    delete_key = str(uuid.uuid4())
    client.delete_job(target, idempotency_key=delete_key)
    client.delete_job(target, idempotency_key=delete_key)  # the stored 200, not a 404
    assert client.last_replayed


def test_server_ignoring_idempotency_creates_twice(client: ApiClient, emu: Emulator) -> None:
    emu.variants.honour_idempotency = False
    body = {"customer_uuid": a_customer(emu), "title": "Twice"}
    key = str(uuid.uuid4())
    first, second = client.create_job(body, key), client.create_job(body, key)
    assert first.uuid != second.uuid
    assert client.last_replayed is False


def test_idempotency_key_is_checked_before_sending(client: ApiClient) -> None:
    for bad in ("", "x" * 256, "has space", "ünïcode"):
        with pytest.raises(ValueError, match="idempotency key"):
            client.delete_job(str(uuid.uuid4()), idempotency_key=bad)
    assert client.requests_sent == 0


# --- errors -----------------------------------------------------------------------------


def test_unknown_key_is_auth_error_with_usage(emu: Emulator, usages: list[Usage]) -> None:
    api = ApiClient(emu.url, "ctc_live_" + "z" * 43, on_usage=usages.append)
    with api, pytest.raises(AuthError) as caught:
        api.company()
    assert caught.value.status == 401
    assert caught.value.message == "Invalid API key."
    assert usages and usages[-1].count == emu.usage_count


def test_revoked_key_is_auth_error(client: ApiClient, emu: Emulator) -> None:
    client.company()
    emu.revoke_key(emu.api_key)
    with pytest.raises(AuthError, match="revoked"):
        client.list_jobs(1)


def test_quota_exceeded_carries_the_reset_time(
    client: ApiClient, emu: Emulator, usages: list[Usage]
) -> None:
    emu.usage_count = emu.usage_limit
    with pytest.raises(QuotaExceeded) as caught:
        client.list_jobs(1)
    error = caught.value
    assert error.status == 403 and error.message == LIMIT_MESSAGE
    assert error.resets_at and error.resets_at.endswith("Z")
    assert usages[-1] == Usage(emu.usage_limit, emu.usage_limit, error.resets_at)
    assert not isinstance(error, Forbidden)


def test_validation_error_carries_the_server_text(client: ApiClient, emu: Emulator) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_job({"customer_uuid": a_customer(emu)}, str(uuid.uuid4()))
    assert caught.value.status == 400
    assert "title" in caught.value.message
    with pytest.raises(ValidationError, match="customer_uuid"):
        client.create_job({"customer_uuid": str(uuid.uuid4()), "title": "x"}, str(uuid.uuid4()))


def test_not_found(client: ApiClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.get_job(str(uuid.uuid4()))
    assert caught.value.status == 404 and caught.value.message == "Job not found"


def test_server_error_then_recovery(client: ApiClient, emu: Emulator, usages: list[Usage]) -> None:
    emu.faults.fail_next(1, method="GET", path="/jobs")
    with pytest.raises(ServerError) as caught:
        client.list_jobs(1)
    assert caught.value.status == 500
    assert usages[-1].count == emu.usage_count
    assert len(client.list_jobs(1).jobs) == 100


def test_connection_refused_was_never_delivered() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = ApiClient(f"http://127.0.0.1:{port}", "ctc_live_" + "a" * 43)
    with api, pytest.raises(NetworkError) as caught:
        api.company()
    assert caught.value.maybe_delivered is False
    assert caught.value.status is None
    assert api.requests_sent == 1 and api.usage is None


def test_drop_before_processing_is_an_unknown_outcome(client: ApiClient, emu: Emulator) -> None:
    # The client cannot tell a drop before processing from one after it: both are a
    # closed connection with no reply, so the outcome must be treated as unknown.
    emu.faults.drop_before(1, method="POST")
    body = {"customer_uuid": a_customer(emu), "title": "Dropped before"}
    with pytest.raises(NetworkError) as caught:
        client.create_job(body, str(uuid.uuid4()))
    assert caught.value.maybe_delivered is True
    assert not any(j["title"] == "Dropped before" for j in emu.all_jobs())


def test_drop_after_processing_then_retry_with_the_same_key(
    client: ApiClient, emu: Emulator
) -> None:
    emu.faults.drop_after(1, method="POST")
    body = {"customer_uuid": a_customer(emu), "title": "Dropped after"}
    key = str(uuid.uuid4())
    with pytest.raises(NetworkError) as caught:
        client.create_job(body, key)
    assert caught.value.maybe_delivered is True
    made = [j for j in emu.all_jobs() if j["title"] == "Dropped after"]
    assert len(made) == 1
    retried = client.create_job(body, key)
    assert client.last_replayed and retried.uuid == made[0]["uuid"]


def test_read_timeout_is_an_unknown_outcome(emu: Emulator) -> None:
    emu.faults.latency = 0.5
    api = ApiClient(emu.url, emu.api_key, read_timeout=0.1)
    with api, pytest.raises(NetworkError) as caught:
        api.create_job({"customer_uuid": a_customer(emu), "title": "Slow"}, "slow-1")
    assert caught.value.maybe_delivered is True
    assert "may have processed" in caught.value.message


# A deadline the test can wait out, and a trickle interval far inside every per-read
# timeout: only the deadline can end these requests (the full replies would take hours).
DEADLINE = 1.5
TRICKLE = 0.3


def trickles_cut_off(emu: Emulator, count: int) -> int:
    """The emulator's count of abandoned trickles once it reaches ``count``.

    The server notices a hang-up only at its next write, an interval or two later.
    """
    until = time.monotonic() + 10
    while emu.faults.trickles_cut_off < count and time.monotonic() < until:
        time.sleep(0.01)
    return emu.faults.trickles_cut_off


@pytest.mark.parametrize("headers", [False, True], ids=["body", "headers-and-body"])
def test_a_trickled_reply_fails_at_the_deadline(emu: Emulator, headers: bool) -> None:
    emu.faults.trickle(1, interval=TRICKLE, headers=headers, method="GET", path="/jobs")
    with ApiClient(emu.url, emu.api_key, deadline=DEADLINE) as api:
        started = time.monotonic()
        with pytest.raises(NetworkError) as caught:
            api.list_jobs(1)
        assert time.monotonic() - started >= DEADLINE
        assert f"within {DEADLINE:g} s" in caught.value.message
        # The server answered and began to trickle: the fault landed.
        [entry] = emu.requests
        assert (entry.path, entry.status, entry.trickled, entry.dropped) == (
            "/api/v1/jobs", 200, True, False)
        # Headers that arrived still told the client the company's request count.
        assert (api.usage is not None) is (not headers)
        if api.usage is not None:
            assert api.usage.count == emu.usage_count == 1
        # The client hung up rather than leaving the server writing to a pooled socket.
        assert trickles_cut_off(emu, 1) == 1
        # The same client goes on working once the server does.
        assert len(api.list_jobs(1).jobs) == PAGE_LIMIT
    assert not emu.requests[-1].trickled


def test_a_trickled_reply_to_a_write_is_an_unknown_outcome(emu: Emulator) -> None:
    emu.faults.trickle(1, interval=TRICKLE, method="POST")
    body = {"customer_uuid": a_customer(emu), "title": "Trickled"}
    with ApiClient(emu.url, emu.api_key, deadline=DEADLINE) as api:
        with pytest.raises(NetworkError) as caught:
            api.create_job(body, "k-trickled")
        assert caught.value.maybe_delivered is True
        assert "may have processed" in caught.value.message
        made = [j for j in emu.all_jobs() if j["title"] == "Trickled"]
        assert len(made) == 1  # it was processed: only the reply was lost
        retried = api.create_job(body, "k-trickled")
    assert retried.uuid == made[0]["uuid"]


def test_the_deadline_defaults_to_the_named_constant(emu: Emulator) -> None:
    with ApiClient(emu.url, emu.api_key) as api:
        assert api.deadline == REQUEST_DEADLINE
    with pytest.raises(ValueError, match="deadline"):
        ApiClient(emu.url, emu.api_key, deadline=0)


def test_usage_is_captured_on_every_response(
    client: ApiClient, emu: Emulator, usages: list[Usage]
) -> None:
    calls = [
        client.company,
        lambda: client.list_jobs(1),
        lambda: client.get_job(str(uuid.uuid4())),  # 404
        lambda: client.create_job({"title": "no customer"}, "k-400"),  # 400
        lambda: client.list_customers(1),
    ]
    for number, call in enumerate(calls, start=1):
        with contextlib.suppress(ApiError):
            call()
        assert len(usages) == number
        assert usages[-1].count == emu.usage_count == client.usage.count  # type: ignore[union-attr]
        assert usages[-1].limit == emu.usage_limit
    assert client.requests_sent == len(calls)


def test_a_failing_usage_callback_never_costs_the_reply(emu: Emulator) -> None:
    def broken(_usage: Usage) -> None:
        raise RuntimeError("database is locked")

    with ApiClient(emu.url, emu.api_key, on_usage=broken) as api:
        job = api.create_job({"customer_uuid": a_customer(emu), "title": "Kept"}, "k-kept")
    assert emu.job(job.uuid) is not None
    assert api.usage is not None


def test_key_with_spaces_is_refused_without_naming_it() -> None:
    key = "ctc_live_abc def" + "x" * 30
    with pytest.raises(AuthError) as caught:
        ApiClient("https://crm.example.com", key)
    assert key not in str(caught.value)


def test_key_never_reaches_the_log(emu: Emulator, tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "jobdesk.log"
    root = logging.getLogger()
    level = root.level
    setup_logging(log_file, level=logging.DEBUG)
    errors: list[ApiError] = []
    try:
        with ApiClient(emu.url, emu.api_key) as api:
            api.company()
            for arm in (emu.faults.fail_next, emu.faults.drop_after):
                arm(1)
                try:
                    api.company()
                except ApiError as exc:
                    errors.append(exc)
                    logging.getLogger("test").exception("request failed")
        emu.revoke_key(emu.api_key)
        with ApiClient(emu.url, emu.api_key) as api, pytest.raises(AuthError) as caught:
            api.company()
        errors.append(caught.value)
    finally:
        for handler in [h for h in root.handlers if getattr(h, "_jobdesk", False)]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
    assert len(errors) == 3
    assert all(emu.api_key not in f"{e} {e!r} {e.message}" for e in errors)
    assert log_file.read_text(encoding="utf-8").strip()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert emu.api_key.encode() not in path.read_bytes(), path


# --- replies the emulator does not make: a scripted server ---------------------------


class _Scripted(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ScriptedServer

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, headers, body = self.server.reply
        self.close_connection = True
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


class _ScriptedServer(ThreadingHTTPServer):
    reply: tuple[int, dict[str, str], bytes] = (200, {}, b"")


USAGE_HEADERS = {"X-Usage-Count": "41", "X-Usage-Limit": "50000",
                 "X-Usage-Resets": "2025-03-01T00:00:00.000Z"}


@pytest.fixture
def canned() -> Iterator[_ScriptedServer]:
    server = _ScriptedServer(("127.0.0.1", 0), _Scripted)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,))
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def canned_client(canned: _ScriptedServer) -> Iterator[ApiClient]:
    with ApiClient(f"http://127.0.0.1:{canned.server_address[1]}", "ctc_live_" + "c" * 43) as api:
        yield api


def envelope(data: Any) -> bytes:
    return json.dumps({"success": True, "data": data}).encode()


def full_job(**overrides: Any) -> dict[str, Any]:
    job: dict[str, Any] = dict.fromkeys(JOB_FIELDS)
    job.update(
        uuid=str(uuid.uuid4()), title="Fix tap", status="New", priority="Normal",
        customer_uuid=str(uuid.uuid4()), created_at="2025-02-18T14:30:00.000Z",
        updated_at="2025-02-18T14:30:00.000Z",
    )
    job.update(overrides)
    return job


MALFORMED = [
    (200, b"<html>Gateway</html>"),
    (200, b'{"success": true, "data": '),
    (200, b'["not", "an", "envelope"]'),
    (200, b'{"success": true}'),
    (200, b'{"success": false, "error": "odd"}'),
    (200, b"[" * 100_000 + b"]" * 100_000),
    (200, b"\xff\xfe garbage"),
    (502, b"<html>Bad gateway</html>"),
    (500, b""),
]


@pytest.mark.parametrize(("status", "body"), MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_reply_is_a_server_error(
    canned: _ScriptedServer, canned_client: ApiClient, status: int, body: bytes
) -> None:
    canned.reply = (status, {"Content-Type": "application/json", **USAGE_HEADERS}, body)
    with pytest.raises(ServerError) as caught:
        canned_client.company()
    assert caught.value.message
    assert canned_client.usage == Usage(41, 50000, "2025-03-01T00:00:00.000Z")


@pytest.mark.parametrize(
    ("status", "error", "kind"),
    [
        (403, "The Jobs API add-on is not enabled for this company", Forbidden),
        (403, "Request from IP 203.0.113.9 is not allowed", Forbidden),
        (403, "Monthly usage limit reached. Usage resets on the first of next month.",
         QuotaExceeded),
        (401, "Invalid API key", AuthError),
        (400, "title is required", ValidationError),
        (422, "Unprocessable", ValidationError),
        (404, "Job not found", NotFound),
        (429, "Slow down", ServerError),
        (503, "Maintenance", ServerError),
        (301, "Moved", ServerError),
    ],
)
def test_status_codes_map_to_types(
    canned: _ScriptedServer, canned_client: ApiClient, status: int, error: str,
    kind: type[ApiError],
) -> None:
    canned.reply = (status, {"Location": "https://elsewhere.example.com/"},
                    json.dumps({"success": False, "error": error}).encode())
    with pytest.raises(kind) as caught:
        canned_client.company()
    assert caught.value.status == status
    if status != 301:
        assert caught.value.message == error
    assert canned_client.usage is None  # no usage headers: nothing is invented


def test_quota_is_recognised_by_the_headers_when_the_text_differs(
    canned: _ScriptedServer, canned_client: ApiClient
) -> None:
    spent = {**USAGE_HEADERS, "X-Usage-Count": "50000"}
    canned.reply = (403, spent, json.dumps({"success": False, "error": "Quota gone"}).encode())
    with pytest.raises(QuotaExceeded) as caught:
        canned_client.company()
    assert caught.value.resets_at == "2025-03-01T00:00:00.000Z"
    assert caught.value.message == "Quota gone"


def test_server_text_that_echoes_the_key_is_redacted(
    canned: _ScriptedServer, canned_client: ApiClient
) -> None:
    key = "ctc_live_" + "c" * 43
    canned.reply = (401, {}, json.dumps({"success": False, "error": f"Bad key {key}"}).encode())
    with pytest.raises(AuthError) as caught:
        canned_client.company()
    assert key not in str(caught.value)


def test_page_with_a_broken_job_keeps_the_rest(
    canned: _ScriptedServer, canned_client: ApiClient
) -> None:
    good = [
        full_job(estimated_amount="150", is_urgent="true", is_emergency="false",
                 scheduled_date="2025-01-20T10:00:00Z"),
        full_job(estimated_amount=99.5, is_urgent=False, scheduled_date="2025-01-21",
                 brand_new_field={"kept": True}),
    ]
    # Only a job with no usable uuid is lost; an odd value is kept and flagged.
    broken = full_job(uuid="job-17")
    jobs = [good[0], broken, "not a job", good[1]]
    pagination = {"page": "2", "limit": 100, "total": 104, "total_pages": 2}
    canned.reply = (200, {}, envelope({"jobs": jobs, "pagination": pagination}))
    page = canned_client.list_jobs(2)
    assert [j.uuid for j in page.jobs] == [good[0]["uuid"], good[1]["uuid"]]
    assert len(page.invalid) == 2
    assert broken["uuid"] in page.invalid[0] and "uuid" in page.invalid[0]
    assert "#3 of page 2" in page.invalid[1]
    first, second = page.jobs
    assert first.fields["estimated_amount"] == Decimal("150.00")
    assert first.fields["is_urgent"] is True and first.fields["is_emergency"] is False
    assert first.fields["scheduled_date"] == "2025-01-20T10:00:00Z"
    assert second.fields["estimated_amount"] == Decimal("99.50")
    assert second.fields["scheduled_date"] == "2025-01-21"
    assert second.extras == {"brand_new_field": {"kept": True}}
    assert (page.page, page.limit, page.total, page.total_pages) == (2, 100, 104, 2)


def test_unreadable_single_job_names_the_field(
    canned: _ScriptedServer, canned_client: ApiClient
) -> None:
    canned.reply = (200, {}, envelope({"job": full_job(uuid="job-17")}))
    with pytest.raises(ServerError, match="uuid"):
        canned_client.get_job(str(uuid.uuid4()))


def test_empty_delete_reply_is_fine(canned: _ScriptedServer, canned_client: ApiClient) -> None:
    canned.reply = (204, {}, b"")
    assert canned_client.delete_job(str(uuid.uuid4())) is None


# --- parsing never crashes, whatever the server sends --------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)


@st.composite
def job_items(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(json_values)
    job = full_job()
    for field in draw(st.lists(st.sampled_from([*JOB_FIELDS, "customer", "extra"]),
                               max_size=3)):
        job[field] = draw(json_values)
    return job


@settings(max_examples=150, deadline=None)
@given(items=st.lists(job_items(), max_size=6))
def test_every_item_is_either_parsed_or_reported(items: list[Any]) -> None:
    data = {"jobs": items, "pagination": {"page": 1, "limit": 100, "total": 6, "total_pages": 1}}
    page = parse_job_page(data)
    assert len(page.jobs) + len(page.invalid) == len(items)


@settings(max_examples=150, deadline=None)
@given(data=json_values)
def test_any_list_reply_is_parsed_or_a_server_error(data: Any) -> None:
    for parse in (parse_job_page, parse_customer_page):
        with contextlib.suppress(ServerError):
            parse(data)
