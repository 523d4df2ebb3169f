"""The headless CLI contract: commands, JSON shape, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__
from desktop.cli import main
from desktop.config import resolve_paths
from desktop.core.store import Store
from tests.conftest import make_customer

API_JOB_KEYS = {
    "uuid", "job_number", "customer_uuid", "location_uuid", "assigned_to_user_id", "title",
    "description", "status", "priority", "is_urgent", "is_emergency", "service_address1",
    "service_address2", "service_city", "service_state", "service_zip", "estimated_amount",
    "actual_amount", "scheduled_date", "scheduled_time_start", "scheduled_time_end",
    "started_at", "completed_at", "invoiced_at", "paid_at", "internal_notes",
    "customer_notes", "created_at", "updated_at", "deleted_at",
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def customer(data_dir: Path) -> str:
    store = Store.open(resolve_paths(data_dir).database)
    try:
        return make_customer(store, "Ada", "Lovelace")
    finally:
        store.close()


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_module_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "desktop", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"jobdesk {__version__}"


def test_add_show_edit_delete_restore_round_trip(
    capsys: pytest.CaptureFixture[str], data_dir: Path, customer: str
) -> None:
    code, out, _ = run(capsys, data_dir, "jobs", "add", "--customer", customer, "--title",
                       "Fix leak", "--set", "estimated_amount=150", "--set", "priority=high",
                       "--json")
    assert code == 0
    job = json.loads(out)
    assert set(job) >= API_JOB_KEYS
    assert job["estimated_amount"] == "150.00" and job["priority"] == "High"
    assert job["customer"] == {"uuid": customer, "first_name": "Ada", "last_name": "Lovelace"}
    assert job["sync_state"] == "pending" and job["sync_error"] is None
    ref = str(job["local_id"])

    code, out, _ = run(capsys, data_dir, "jobs", "edit", ref, "--set", "description=Kitchen",
                       "--set", "estimated_amount=", "--json")
    assert code == 0
    edited = json.loads(out)
    assert edited["description"] == "Kitchen" and edited["estimated_amount"] is None

    assert run(capsys, data_dir, "jobs", "delete", ref)[0] == 0
    code, out, _ = run(capsys, data_dir, "jobs", "list", "--json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, data_dir, "jobs", "list", "--include-deleted", "--json")
    assert [j["local_id"] for j in json.loads(out)] == [job["local_id"]]
    assert run(capsys, data_dir, "jobs", "restore", ref)[0] == 0
    code, out, _ = run(capsys, data_dir, "jobs", "show", ref, "--json")
    assert json.loads(out)["deleted_at"] is None

    code, out, _ = run(capsys, data_dir, "jobs", "show", ref)
    assert code == 0 and "Fix leak" in out


def test_list_filters_and_readable_table(
    capsys: pytest.CaptureFixture[str], data_dir: Path, customer: str
) -> None:
    for title, status in (("Boiler", "Scheduled"), ("Drain", "New"), ("Heat pump", "Scheduled")):
        run(capsys, data_dir, "jobs", "add", "--customer", customer, "--title", title,
            "--set", f"status={status}")
    code, out, _ = run(capsys, data_dir, "jobs", "list", "--status", "scheduled,new",
                       "--search", "boil", "--json")
    assert [j["title"] for j in json.loads(out)] == ["Boiler"]
    code, out, _ = run(capsys, data_dir, "jobs", "list", "--state", "pending")
    assert code == 0 and "Heat pump" in out and "TITLE" in out
    code, out, _ = run(capsys, data_dir, "customers", "list", "--search", "love", "--json")
    assert [c["uuid"] for c in json.loads(out)] == [customer]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["jobs", "edit", "1", "--set", "priority=Whenever"], "priority: must be one of"),
        (["jobs", "edit", "1", "--set", "scheduled_time_start=9am"], "scheduled_time_start"),
        (["jobs", "edit", "1", "--set", "novalue"], "--set: expected FIELD=VALUE"),
        (["jobs", "edit", "1", "--set", "job_number=J-1"], "job_number: is set by the server"),
        (["jobs", "show", "nope"], "no job with local id, uuid or job number 'nope'"),
        (["jobs", "list", "--status", "Done"], "--status: 'Done' is not one of"),
        (["jobs", "list", "--state", "weird"], "--state: must be one of"),
        (["jobs", "add", "--customer", "bad", "--title", "x"], "customer_uuid: must be a UUID"),
    ],
)
def test_invalid_input_exits_2_names_the_field_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], data_dir: Path, customer: str, argv: list[str],
    fragment: str,
) -> None:
    run(capsys, data_dir, "jobs", "add", "--customer", customer, "--title", "Keep me")
    before = run(capsys, data_dir, "jobs", "list", "--include-deleted", "--json")[1]
    code, _, err = run(capsys, data_dir, *argv)
    assert code == 2
    assert fragment in err and "Traceback" not in err
    assert run(capsys, data_dir, "jobs", "list", "--include-deleted", "--json")[1] == before


def test_usage_errors_from_argparse_exit_2(data_dir: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--data-dir", str(data_dir), "jobs", "add", "--title", "no customer"])
    assert info.value.code == 2


def test_data_dir_from_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOBDESK_DATA_DIR", str(tmp_path / "env-dir"))
    assert main(["jobs", "list", "--json"]) == 0
    assert (tmp_path / "env-dir" / "jobdesk.sqlite3").exists()
    assert (tmp_path / "env-dir" / "logs" / "jobdesk.log").exists()
    capsys.readouterr()
