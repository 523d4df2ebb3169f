"""The emulator's company, offices and the assigned user it nests in single-job replies."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from desktop.emulator import Emulator


def _get(emulator: Emulator, path: str, **params: Any) -> Any:
    reply = httpx.get(f"{emulator.url}{path}", params=params,
                      headers={"Authorization": f"Bearer {emulator.api_key}"})
    assert reply.status_code == 200, reply.text
    return reply.json()["data"]


def test_the_company_and_its_offices_carry_the_documented_fields(emulator: Emulator) -> None:
    company = _get(emulator, "/companies/me")
    assert set(company) >= {"uuid", "name", "email", "phone", "address_line_1",
                            "address_line_2", "city", "state", "postal_code", "country"}
    assert "timezone" not in company
    data = _get(emulator, "/locations", limit=1)
    assert data["pagination"]["total"] == len(emulator.locations)
    assert len(data["locations"]) == 1
    offices = _get(emulator, "/locations")["locations"]
    assert [o["is_primary"] for o in offices] == [True] + [False] * (len(offices) - 1)
    assert offices[0]["timezone"] and offices[0]["name"] == "Main office"


@pytest.mark.parametrize(("shape", "keys"), [
    ("assigned_user", {"id", "first_name", "last_name", "email"}),
    ("assigned_to", {"uuid", "name"}),
    ("user", {"email"}),
])
def test_a_single_job_nests_its_assigned_user_in_each_shape(
        emulator: Emulator, shape: str, keys: set[str]) -> None:
    job = next(j for j in emulator.all_jobs(include_deleted=False) if j["assigned_to_user_id"])
    assert shape not in _get(emulator, f"/jobs/{job['uuid']}"), "only as a variant"
    emulator.variants.nested_user = shape  # type: ignore[assignment]
    nested = _get(emulator, f"/jobs/{job['uuid']}")[shape]
    assert set(nested) == keys
    user = next(u for u in emulator.technicians if u["id"] == job["assigned_to_user_id"])
    assert nested.get("id", nested.get("uuid", user["id"])) == user["id"]
    listed = _get(emulator, "/jobs", limit=100)["jobs"]
    assert all(shape not in item for item in listed), "lists never nest it"


def test_an_unknown_shape_is_refused(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="nested_user"):
        emulator.variants.nested_user = "owner"  # type: ignore[assignment]
