"""`jobdesk customers add|edit|show|list`: the contract scripts depend on, on a real file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from desktop.config import resolve_paths
from desktop.core.store import Store
from tests.conftest import make_customer


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> Any:
    code, out, err = run(capsys, data_dir, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_add_a_customer_then_a_job_for_them_by_local_id(
        capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    added = run_json(capsys, data_dir, "customers", "add", "--first-name", "Grace",
                     "--last-name", "Hopper", "--set", "phone=555 010 2030",
                     "--set", "customer_type=commercial", "--set", "is_vip=true")
    assert added["uuid"] is None and added["sync_state"] == "pending"
    assert (added["phone"], added["customer_type"], added["is_vip"]) == (
        "555-010-2030", "Commercial", True)
    assert added["jobs"] == []
    ref = str(added["local_id"])

    job = run_json(capsys, data_dir, "jobs", "add", "--customer", ref, "--title", "Survey")
    assert job["customer_uuid"] is None and job["customer_local_id"] == added["local_id"]

    shown = run_json(capsys, data_dir, "customers", "show", ref)
    assert [j["title"] for j in shown["jobs"]] == ["Survey"]
    assert shown["jobs"][0]["local_id"] == job["local_id"]
    assert shown["job_totals"]["count"] == 1 and shown["job_totals"]["open"] == 1

    edited = run_json(capsys, data_dir, "customers", "edit", ref, "--set",
                      "notes=Gate code 1234", "--set", "on_my_way_notify_via=SMS")
    assert edited["notes"] == "Gate code 1234" and edited["on_my_way_notify_via"] == "sms"
    code, out, _ = run(capsys, data_dir, "customers", "show", ref)
    assert code == 0 and "Gate code 1234" in out and "Survey" in out


def test_a_synced_customer_is_named_by_uuid_or_local_id(
        capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    store = Store.open(resolve_paths(data_dir).database)
    try:
        uuid = make_customer(store, "Ada", "Lovelace")
    finally:
        store.close()
    by_uuid = run_json(capsys, data_dir, "customers", "show", uuid.upper())
    by_local = run_json(capsys, data_dir, "customers", "show", str(by_uuid["local_id"]))
    assert by_uuid == by_local and by_uuid["uuid"] == uuid
    job = run_json(capsys, data_dir, "jobs", "add", "--customer", str(by_uuid["local_id"]),
                   "--title", "Tune-up")
    assert job["customer_uuid"] == uuid and "customer_local_id" not in job


@pytest.mark.parametrize(("argv", "fragment"), [
    (["customers", "add", "--first-name", "A", "--last-name", "B", "--set", "phone=12345"],
     "phone: must be a phone number written xxx-xxx-xxxx"),
    (["customers", "add", "--first-name", "A", "--last-name", "B", "--set",
      "customer_type=Industrial"], "customer_type: must be one of Residential, Commercial"),
    (["customers", "add", "--first-name", "A", "--last-name", "B", "--set",
      "on_my_way_notify_via=fax"], "on_my_way_notify_via: must be one of email, sms, both"),
    (["customers", "add", "--first-name", " ", "--last-name", "B"], "first_name: is required"),
    (["customers", "add", "--first-name", "A", "--last-name", "B", "--set", "uuid=x"],
     "uuid: is set by the server"),
    (["customers", "add", "--first-name", "A", "--last-name", "B", "--set", "shoe_size=9"],
     "shoe_size: is not a customer field"),
    (["customers", "edit", "1", "--set", "last_name="],
     "last_name: is required and cannot be cleared"),
    (["customers", "edit", "1", "--set", "email=nobody"], "email: must be an email address"),
    (["customers", "edit", "2", "--set", "customer_type="],
     "customer_type: cannot be cleared; choose Residential or Commercial"),
    (["customers", "edit", "1", "--set", "is_vip=maybe"], "is_vip: must be true or false"),
    (["customers", "edit", "99", "--set", "notes=x"], "customer: no customer"),
    (["customers", "show", "nope"], "customer: no customer with local id or uuid 'nope'"),
    (["jobs", "add", "--customer", "99", "--title", "x"], "customer: no customer with local id"),
])
def test_bad_input_exits_2_naming_the_field_and_changes_nothing(
        capsys: pytest.CaptureFixture[str], data_dir: Path, argv: list[str],
        fragment: str) -> None:
    run_json(capsys, data_dir, "customers", "add", "--first-name", "Keep", "--last-name", "Me")
    run_json(capsys, data_dir, "customers", "add", "--first-name", "Typed", "--last-name", "Too",
             "--set", "customer_type=Commercial")
    before = run(capsys, data_dir, "customers", "list", "--json")[1]
    jobs_before = run(capsys, data_dir, "jobs", "list", "--json")[1]
    code, _, err = run(capsys, data_dir, *argv)
    assert code == 2
    assert fragment in err and "Traceback" not in err
    assert run(capsys, data_dir, "customers", "list", "--json")[1] == before
    assert run(capsys, data_dir, "jobs", "list", "--json")[1] == jobs_before
