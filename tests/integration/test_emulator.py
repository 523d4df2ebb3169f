"""The emulator's API surface against the vendor's Jobs page and API notes, over HTTP.

Endpoints, filters, paging, validation, customers, the company and the envelope.
Auth, usage, idempotency, variants, faults and the rest are in
test_emulator_controls.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from desktop.core.jobs import JOB_FIELDS
from desktop.emulator import Emulator

JOBS = 200
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
UNKNOWN_UUID = "123e4567-e89b-12d3-a456-426614174000"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(jobs=JOBS, customers=50, seed=1) as emulator:
        yield emulator


def data_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["success"] is True
    return body["data"]


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert isinstance(body["error"], str) and body["error"]
    return str(body["error"])


def live(emu: Emulator) -> list[dict[str, Any]]:
    return emu.all_jobs(include_deleted=False)


def all_listed(api: httpx.Client, **params: str) -> list[dict[str, Any]]:
    """Every job the list returns for ``params``, walking all pages."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        data = data_of(api.get("/jobs", params={**params, "limit": "100", "page": str(page)}))
        found.extend(data["jobs"])
        if page >= data["pagination"]["total_pages"]:
            return found
        page += 1


def a_customer(emu: Emulator) -> str:
    return str(emu.customers(include_deleted=False)[0]["uuid"])


# --- GET /jobs: envelope and paging -----------------------------------------------------


def test_list_defaults_to_page_1_of_50(api: httpx.Client, emu: Emulator) -> None:
    data = data_of(api.get("/jobs"))
    total = len(live(emu))
    assert len(data["jobs"]) == 50
    assert data["pagination"] == {
        "page": 1, "limit": 50, "total": total, "total_pages": math.ceil(total / 50),
    }


def test_limit_is_capped_at_100(api: httpx.Client) -> None:
    data = data_of(api.get("/jobs", params={"limit": 500}))
    assert len(data["jobs"]) == 100
    assert data["pagination"]["limit"] == 100


def test_pages_cover_every_live_job_exactly_once(api: httpx.Client, emu: Emulator) -> None:
    listed = [job["uuid"] for job in all_listed(api)]
    assert len(listed) == len(set(listed))
    assert set(listed) == {job["uuid"] for job in live(emu)}


def test_a_page_past_the_end_is_empty_but_keeps_the_total(
    api: httpx.Client, emu: Emulator
) -> None:
    data = data_of(api.get("/jobs", params={"page": 99, "limit": 100}))
    assert data["jobs"] == []
    assert data["pagination"]["page"] == 99
    assert data["pagination"]["total"] == len(live(emu))


@pytest.mark.parametrize(
    ("name", "value"),
    [("page", "0"), ("page", "-1"), ("page", "two"), ("page", ""), ("limit", "0"),
     ("limit", "1.5"), ("limit", "9" * 40)],
)
def test_bad_paging_values_are_refused(api: httpx.Client, name: str, value: str) -> None:
    assert name in error_of(api.get("/jobs", params={name: value}), 400)


# --- GET /jobs: filters -----------------------------------------------------------------


def test_status_filter_takes_a_comma_separated_list(api: httpx.Client, emu: Emulator) -> None:
    wanted = {"Scheduled", "In Progress"}
    expected = {j["uuid"] for j in live(emu) if j["status"] in wanted}
    assert expected
    for value in ("Scheduled,In Progress", "Scheduled, In Progress"):
        listed = all_listed(api, status=value)
        assert {j["uuid"] for j in listed} == expected
        assert {j["status"] for j in listed} == wanted


def test_priority_filter_takes_a_comma_separated_list(api: httpx.Client, emu: Emulator) -> None:
    expected = {j["uuid"] for j in live(emu) if j["priority"] in ("High", "Emergency")}
    assert {j["uuid"] for j in all_listed(api, priority="High,Emergency")} == expected


@pytest.mark.parametrize("name", ["status", "priority"])
def test_unknown_enum_values_in_filters_are_refused(api: httpx.Client, name: str) -> None:
    message = error_of(api.get("/jobs", params={name: "Normal,Bogus"}), 400)
    assert name in message and "Bogus" in message


@pytest.mark.parametrize("field", ["customer_uuid", "location_uuid", "assigned_to_user_id"])
def test_equality_filters(api: httpx.Client, emu: Emulator, field: str) -> None:
    value = next(j[field] for j in live(emu) if j[field])
    expected = {j["uuid"] for j in live(emu) if j[field] == value}
    assert {j["uuid"] for j in all_listed(api, **{field: value})} == expected
    assert {j["uuid"] for j in all_listed(api, **{field: value.upper()})} == expected
    assert data_of(api.get("/jobs", params={field: UNKNOWN_UUID}))["jobs"] == []


@pytest.mark.parametrize("field", ["customer_uuid", "location_uuid", "assigned_to_user_id"])
def test_malformed_uuid_filters_are_refused(api: httpx.Client, field: str) -> None:
    assert field in error_of(api.get("/jobs", params={field: "not-a-uuid"}), 400)


def test_search_is_a_case_insensitive_substring_of_title_description_or_number(
    api: httpx.Client, emu: Emulator
) -> None:
    jobs = live(emu)
    target = next(j for j in jobs if j["description"])

    def matching(term: str) -> set[str]:
        term = term.lower()
        return {
            j["uuid"] for j in jobs
            if any(term in (j[f] or "").lower() for f in ("title", "description", "job_number"))
        }

    for term in (target["job_number"].lower(), target["title"][3:12].upper(),
                 target["description"][10:25]):
        found = {j["uuid"] for j in all_listed(api, search=term)}
        assert target["uuid"] in found
        assert found == matching(term)
    assert all_listed(api, search="zzz-no-such-thing") == []


def test_deleted_jobs_are_listed_only_on_request(api: httpx.Client, emu: Emulator) -> None:
    deleted = {j["uuid"] for j in emu.all_jobs() if j["deleted_at"]}
    assert deleted, "the seed should include soft-deleted jobs"
    for value in (None, "false", "0"):
        params = {} if value is None else {"include_deleted": value}
        assert not deleted & {j["uuid"] for j in all_listed(api, **params)}
    for value in ("true", "1"):
        listed = all_listed(api, include_deleted=value)
        assert {j["uuid"] for j in listed} == {j["uuid"] for j in emu.all_jobs()}
        assert all(j["deleted_at"] for j in listed if j["uuid"] in deleted)
    assert "include_deleted" in error_of(api.get("/jobs", params={"include_deleted": "yes"}), 400)


def test_filters_combine(api: httpx.Client, emu: Emulator) -> None:
    expected = {
        j["uuid"] for j in emu.all_jobs()
        if j["status"] in ("Complete", "Invoiced") and j["priority"] == "Normal"
        and "e" in j["title"].lower() + (j["description"] or "").lower() + j["job_number"].lower()
    }
    listed = all_listed(
        api, status="Complete,Invoiced", priority="Normal", search="E", include_deleted="true"
    )
    assert {j["uuid"] for j in listed} == expected


# --- jobs carry their customer ----------------------------------------------------------


def test_every_job_in_list_and_get_has_its_nested_customer(
    api: httpx.Client, emu: Emulator
) -> None:
    for job in all_listed(api)[:120]:
        customer = emu.customer(job["customer_uuid"])
        assert customer is not None
        assert job["customer"] == {
            "uuid": customer["uuid"],
            "first_name": customer["first_name"],
            "last_name": customer["last_name"],
        }
    one = data_of(api.get(f"/jobs/{job['uuid']}"))
    assert one["customer"] == job["customer"]


# --- GET /jobs/{uuid} -------------------------------------------------------------------


def test_get_returns_the_full_job(api: httpx.Client, emu: Emulator) -> None:
    record = next(j for j in live(emu) if j["estimated_amount"])
    job = data_of(api.get(f"/jobs/{record['uuid']}"))
    assert set(job) == {*JOB_FIELDS, "customer"}
    for field in JOB_FIELDS:
        if field in ("estimated_amount", "actual_amount") and record[field] is not None:
            assert job[field] == pytest.approx(float(record[field]))
        else:
            assert job[field] == record[field], field


def test_get_unknown_deleted_or_malformed(api: httpx.Client, emu: Emulator) -> None:
    assert error_of(api.get(f"/jobs/{UNKNOWN_UUID}"), 404) == "Job not found"
    deleted = next(j for j in emu.all_jobs() if j["deleted_at"])
    assert error_of(api.get(f"/jobs/{deleted['uuid']}"), 404) == "Job not found"
    assert "uuid" in error_of(api.get("/jobs/not-a-uuid"), 400)


# --- POST /jobs -------------------------------------------------------------------------


def test_create_assigns_server_fields_and_defaults(api: httpx.Client, emu: Emulator) -> None:
    customer = a_customer(emu)
    first = data_of(api.post("/jobs", json={"customer_uuid": customer, "title": "Fix sink"}), 201)
    second = data_of(api.post("/jobs", json={"customer_uuid": customer, "title": "Fix tap"}), 201)
    assert UUID.match(first["uuid"]) and first["uuid"] != second["uuid"]
    assert first["job_number"] == f"JOB-{JOBS + 1:06d}"
    assert second["job_number"] == f"JOB-{JOBS + 2:06d}"
    assert TIMESTAMP.match(first["created_at"])
    assert first["created_at"] == first["updated_at"]
    assert second["created_at"] > first["created_at"]
    assert (first["status"], first["priority"]) == ("New", "Normal")
    assert first["is_urgent"] is False and first["is_emergency"] is False
    assert first["deleted_at"] is None
    assert first["customer"]["uuid"] == customer
    stored = emu.job(first["uuid"])
    assert stored is not None and stored["title"] == "Fix sink"


def test_create_takes_every_documented_field(api: httpx.Client, emu: Emulator) -> None:
    body = {
        "customer_uuid": a_customer(emu),
        "title": "Replace water heater",
        "location_uuid": emu.location_uuids[0],
        "assigned_to_user_id": emu.technician_ids[0],
        "description": "50 gal gas",
        "status": "Scheduled",
        "priority": "High",
        "is_urgent": "true",
        "is_emergency": False,
        "estimated_amount": "1850.5",
        "scheduled_date": "2025-01-20T10:00:00Z",
        "scheduled_time_start": "09:00",
        "scheduled_time_end": "11:30",
        "internal_notes": "Gate code 1234",
        "customer_notes": "Call first",
    }
    job = data_of(api.post("/jobs", json=body), 201)
    expected = {**body, "is_urgent": True, "estimated_amount": 1850.5}
    assert {k: job[k] for k in body} == expected
    stored = emu.job(job["uuid"])
    assert stored is not None and stored["estimated_amount"] == "1850.50"


@pytest.mark.parametrize(
    ("value", "stored"),
    [(150, "150.00"), (99.5, "99.50"), ("150.00", "150.00"), ("0", "0.00"), (0.005, "0.01"),
     (None, None)],
)
def test_amounts_may_be_numbers_or_numeric_strings(
    api: httpx.Client, emu: Emulator, value: object, stored: str | None
) -> None:
    body = {"customer_uuid": a_customer(emu), "title": "Quote", "estimated_amount": value}
    job = data_of(api.post("/jobs", json=body), 201)
    record = emu.job(job["uuid"])
    assert record is not None and record["estimated_amount"] == stored


@pytest.mark.parametrize(
    "value", ["2025-03-04", "2025-03-04T10:00:00Z", "2025-03-04T10:00:00.000Z"]
)
def test_scheduled_date_may_be_a_date_or_a_timestamp(
    api: httpx.Client, emu: Emulator, value: str
) -> None:
    body = {"customer_uuid": a_customer(emu), "title": "Visit", "scheduled_date": value}
    assert data_of(api.post("/jobs", json=body), 201)["scheduled_date"] == value


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer_uuid": None}, "customer_uuid"),
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"title": 42}, "title"),
        ({"status": "Done"}, "status"),
        ({"status": "scheduled"}, "status"),
        ({"priority": "Urgent"}, "priority"),
        ({"customer_uuid": "nope"}, "customer_uuid"),
        ({"customer_uuid": UNKNOWN_UUID}, "customer_uuid"),
        ({"location_uuid": "HQ"}, "location_uuid"),
        ({"assigned_to_user_id": 7}, "assigned_to_user_id"),
        ({"scheduled_time_start": "9:00"}, "scheduled_time_start"),
        ({"scheduled_time_end": "24:00"}, "scheduled_time_end"),
        ({"scheduled_date": "2025-13-01"}, "scheduled_date"),
        ({"scheduled_date": "tomorrow"}, "scheduled_date"),
        ({"estimated_amount": -1}, "estimated_amount"),
        ({"estimated_amount": "-1.00"}, "estimated_amount"),
        ({"estimated_amount": "abc"}, "estimated_amount"),
        ({"estimated_amount": True}, "estimated_amount"),
        ({"estimated_amount": 1e300}, "estimated_amount"),
        ({"actual_amount": [150]}, "actual_amount"),
        ({"is_urgent": "yes"}, "is_urgent"),
        ({"is_emergency": 1}, "is_emergency"),
        ({"is_emergency": None}, "is_emergency"),
        ({"description": 5}, "description"),
        ({"started_at": "noon"}, "started_at"),
    ],
)
def test_create_refuses_invalid_fields_naming_them(
    api: httpx.Client, emu: Emulator, changes: dict[str, Any], field: str
) -> None:
    before = len(emu.all_jobs())
    body = {"customer_uuid": a_customer(emu), "title": "Valid title", **changes}
    assert field in error_of(api.post("/jobs", json=body), 400)
    assert len(emu.all_jobs()) == before


@pytest.mark.parametrize("missing", ["customer_uuid", "title"])
def test_create_requires_customer_and_title(
    api: httpx.Client, emu: Emulator, missing: str
) -> None:
    body = {"customer_uuid": a_customer(emu), "title": "Valid"}
    del body[missing]
    assert f"{missing} is required" in error_of(api.post("/jobs", json=body), 400)


def test_create_reports_every_bad_field_at_once(api: httpx.Client) -> None:
    message = error_of(api.post("/jobs", json={"status": "Nope", "priority": "Nope"}), 400)
    for field in ("customer_uuid", "title", "status", "priority"):
        assert field in message


def test_create_refuses_a_deleted_customer(api: httpx.Client, emu: Emulator) -> None:
    deleted = next(c for c in emu.customers() if c["deleted_at"])
    body = {"customer_uuid": deleted["uuid"], "title": "Ghost"}
    assert "customer_uuid" in error_of(api.post("/jobs", json=body), 400)


@pytest.mark.parametrize(
    "body",
    [b"{bad json", b"[]", b"null", b'"text"', b"42", b"", b"\xff\xfe\x00", b"[" * 100_000,
     b'{"title": ' + b"9" * 5000 + b"}", b'{"title": NaN}'],
)
def test_malformed_or_non_object_bodies_are_400(
    api: httpx.Client, emu: Emulator, body: bytes
) -> None:
    before = len(emu.all_jobs())
    error_of(api.post("/jobs", content=body, headers={"Content-Type": "application/json"}), 400)
    target = live(emu)[0]["uuid"]
    error_of(api.put(f"/jobs/{target}", content=body), 400)
    assert len(emu.all_jobs()) == before


def test_unknown_and_server_assigned_body_fields_are_ignored(
    api: httpx.Client, emu: Emulator
) -> None:
    body = {
        "customer_uuid": a_customer(emu), "title": "Extra", "uuid": UNKNOWN_UUID,
        "job_number": "MINE-1", "created_at": "2000-01-01T00:00:00.000Z", "deleted_at": "x",
        "colour": "blue", "customer": {"first_name": "Nobody"},
    }
    job = data_of(api.post("/jobs", json=body), 201)
    assert job["uuid"] != UNKNOWN_UUID and job["job_number"].startswith("JOB-")
    assert job["created_at"] > "2020" and job["deleted_at"] is None
    assert "colour" not in job and job["customer"]["first_name"] != "Nobody"


# --- PUT /jobs/{uuid} -------------------------------------------------------------------


def test_update_changes_only_the_fields_sent(api: httpx.Client, emu: Emulator) -> None:
    before = live(emu)[10]
    job = data_of(api.put(f"/jobs/{before['uuid']}", json={"status": "In Progress",
                                                             "actual_amount": 150}))
    assert job["status"] == "In Progress" and job["actual_amount"] == 150
    after = emu.job(before["uuid"])
    assert after is not None
    assert after["updated_at"] > before["updated_at"]
    changed = {f for f in JOB_FIELDS if after[f] != before[f]}
    assert changed <= {"status", "actual_amount", "updated_at"}


def test_update_can_clear_optional_fields(api: httpx.Client, emu: Emulator) -> None:
    before = next(j for j in live(emu) if j["scheduled_date"] and j["assigned_to_user_id"])
    data_of(api.put(f"/jobs/{before['uuid']}",
                    json={"scheduled_date": None, "assigned_to_user_id": None}))
    after = emu.job(before["uuid"])
    assert after is not None
    assert after["scheduled_date"] is None and after["assigned_to_user_id"] is None


def test_updated_at_moves_strictly_even_within_one_millisecond() -> None:
    frozen = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
    with Emulator(jobs=5, customers=3, seed=2, clock=lambda: frozen) as emu, httpx.Client(
        base_url=emu.url, headers={"X-API-Key": emu.api_key}
    ) as api:
        target = live(emu)[0]["uuid"]
        stamps = [emu.job(target)["updated_at"]]  # type: ignore[index]
        for title in ("One", "Two", "Three", "Four"):
            stamps.append(data_of(api.put(f"/jobs/{target}", json={"title": title}))["updated_at"])
        assert stamps == sorted(set(stamps)), stamps
        assert all(TIMESTAMP.match(s) for s in stamps)


def test_an_empty_update_only_moves_updated_at(api: httpx.Client, emu: Emulator) -> None:
    before = live(emu)[3]
    data_of(api.put(f"/jobs/{before['uuid']}", json={}))
    after = emu.job(before["uuid"])
    assert after is not None
    assert {f for f in JOB_FIELDS if after[f] != before[f]} == {"updated_at"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"status": "Finished"}, "status"), ({"title": None}, "title"),
     ({"customer_uuid": None}, "customer_uuid"), ({"customer_uuid": UNKNOWN_UUID}, "customer_uuid"),
     ({"actual_amount": "lots"}, "actual_amount"), ({"is_urgent": "maybe"}, "is_urgent")],
)
def test_invalid_updates_change_nothing(
    api: httpx.Client, emu: Emulator, changes: dict[str, Any], field: str
) -> None:
    before = live(emu)[4]
    assert field in error_of(api.put(f"/jobs/{before['uuid']}", json=changes), 400)
    assert emu.job(before["uuid"]) == before


def test_update_of_unknown_deleted_or_malformed_job(api: httpx.Client, emu: Emulator) -> None:
    assert error_of(api.put(f"/jobs/{UNKNOWN_UUID}", json={"title": "x"}), 404) == "Job not found"
    deleted = next(j for j in emu.all_jobs() if j["deleted_at"])
    assert error_of(api.put(f"/jobs/{deleted['uuid']}", json={"title": "x"}), 404)
    assert "uuid" in error_of(api.put("/jobs/123", json={"title": "x"}), 400)


# --- DELETE /jobs/{uuid} ----------------------------------------------------------------


def test_delete_is_soft(api: httpx.Client, emu: Emulator) -> None:
    before = live(emu)[0]
    total = data_of(api.get("/jobs"))["pagination"]["total"]
    deleted = data_of(api.delete(f"/jobs/{before['uuid']}"))
    assert TIMESTAMP.match(deleted["deleted_at"])
    record = emu.job(before["uuid"])
    assert record is not None
    assert record["deleted_at"] == record["updated_at"] == deleted["deleted_at"]
    assert record["updated_at"] > before["updated_at"]
    assert error_of(api.get(f"/jobs/{before['uuid']}"), 404)
    assert error_of(api.put(f"/jobs/{before['uuid']}", json={"title": "back"}), 404)
    assert error_of(api.delete(f"/jobs/{before['uuid']}"), 404)
    assert data_of(api.get("/jobs"))["pagination"]["total"] == total - 1
    listed = {j["uuid"]: j for j in all_listed(api, include_deleted="true")}
    assert listed[before["uuid"]]["deleted_at"] == deleted["deleted_at"]


def test_delete_of_unknown_or_malformed_job(api: httpx.Client) -> None:
    assert error_of(api.delete(f"/jobs/{UNKNOWN_UUID}"), 404) == "Job not found"
    assert "uuid" in error_of(api.delete("/jobs/zzz"), 400)


# --- customers and the company ------------------------------------------------------------

CUSTOMER_FIELDS = {
    "uuid", "first_name", "last_name", "company_name", "email", "phone", "customer_type",
    "is_vip", "physical_address1", "physical_address2", "physical_city", "physical_state",
    "physical_zip", "billing_address1", "billing_address2", "billing_city", "billing_state",
    "billing_zip", "primary_service_location_uuid", "notes", "internal_flags",
    "on_my_way_notify_via", "created_at", "updated_at", "deleted_at",
}


def test_customer_list_pages_and_fields(api: httpx.Client, emu: Emulator) -> None:
    live_customers = emu.customers(include_deleted=False)
    data = data_of(api.get("/customers", params={"limit": 20}))
    assert data["pagination"] == {"page": 1, "limit": 20, "total": len(live_customers),
                                  "total_pages": math.ceil(len(live_customers) / 20)}
    assert all(set(c) == CUSTOMER_FIELDS for c in data["customers"])
    assert all(re.fullmatch(r"\d{3}-\d{3}-\d{4}", c["phone"]) for c in data["customers"])
    assert data_of(api.get("/customers", params={"limit": 1000}))["pagination"]["limit"] == 100
    second = data_of(api.get("/customers", params={"limit": 20, "page": 2}))["customers"]
    assert not {c["uuid"] for c in second} & {c["uuid"] for c in data["customers"]}


def test_customer_include_deleted(api: httpx.Client, emu: Emulator) -> None:
    everyone = emu.customers()
    listed = data_of(api.get("/customers", params={"limit": 100}))["customers"]
    with_deleted = data_of(api.get("/customers", params={"limit": 100,
                                                         "include_deleted": "true"}))
    assert len(listed) == sum(1 for c in everyone if not c["deleted_at"]) < len(everyone)
    assert len(with_deleted["customers"]) == len(everyone)


@pytest.mark.parametrize(
    ("kind", "keep"),
    [("all", lambda c: True), ("residential", lambda c: c["customer_type"] == "Residential"),
     ("commercial", lambda c: c["customer_type"] == "Commercial"), ("vip", lambda c: c["is_vip"])],
)
def test_customer_filter(api: httpx.Client, emu: Emulator, kind: str, keep: Any) -> None:
    expected = {c["uuid"] for c in emu.customers(include_deleted=False) if keep(c)}
    listed = data_of(api.get("/customers", params={"filter": kind, "limit": 100}))["customers"]
    assert {c["uuid"] for c in listed} == expected


def test_customer_search_over_name_email_phone_and_id(api: httpx.Client, emu: Emulator) -> None:
    target = emu.customers(include_deleted=False)[7]
    digits = target["phone"].replace("-", "")
    terms = (target["last_name"].upper(), f"{target['first_name']} {target['last_name']}",
             target["email"], target["phone"], digits[-7:], target["uuid"])
    for term in terms:
        found = data_of(api.get("/customers", params={"search": term, "limit": 100}))
        assert target["uuid"] in {c["uuid"] for c in found["customers"]}, term


def test_bad_customer_parameters_are_refused(api: httpx.Client) -> None:
    assert "filter" in error_of(api.get("/customers", params={"filter": "gold"}), 400)
    assert "limit" in error_of(api.get("/customers", params={"limit": "none"}), 400)


def test_get_customer(api: httpx.Client, emu: Emulator) -> None:
    target = emu.customers(include_deleted=False)[2]
    assert data_of(api.get(f"/customers/{target['uuid']}")) == target
    deleted = next(c for c in emu.customers() if c["deleted_at"])
    assert error_of(api.get(f"/customers/{deleted['uuid']}"), 404) == "Customer not found"
    assert error_of(api.get(f"/customers/{UNKNOWN_UUID}"), 404) == "Customer not found"
    assert "uuid" in error_of(api.get("/customers/42"), 400)


def test_company_me(api: httpx.Client, emu: Emulator) -> None:
    company = data_of(api.get("/companies/me"))
    assert company == emu.company
    assert UUID.match(company["uuid"]) and company["name"]


# --- the envelope for everything else ------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/jobs/1/2", "/companies/you", "/", ""])
def test_unknown_paths_are_404_envelopes(api: httpx.Client, path: str) -> None:
    assert "Not found" in error_of(api.get(path), 404)


def test_paths_outside_the_api_are_404_envelopes(emu: Emulator) -> None:
    root = emu.url.removesuffix("/api/v1")
    with httpx.Client() as plain:
        assert "Not found" in error_of(plain.get(f"{root}/index.html"), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("PATCH", "/jobs", "GET, POST"), ("DELETE", "/customers", "GET, POST"),
     ("POST", "/companies/me", "GET"), ("PATCH", f"/jobs/{UNKNOWN_UUID}", "GET, PUT, DELETE"),
     ("BREW", "/jobs", "GET, POST"), ("OPTIONS", "/customers/x", "GET, PUT")],
)
def test_unsupported_methods_are_405_envelopes(
    api: httpx.Client, method: str, path: str, allowed: str
) -> None:
    response = api.request(method, path)
    assert method in error_of(response, 405)
    assert response.headers["allow"] == allowed


def test_trailing_slashes_reach_the_same_endpoint(api: httpx.Client, emu: Emulator) -> None:
    assert data_of(api.get("/jobs/"))["pagination"]["total"] == len(live(emu))
    target = live(emu)[0]["uuid"]
    assert data_of(api.get(f"/jobs/{target}/"))["uuid"] == target
