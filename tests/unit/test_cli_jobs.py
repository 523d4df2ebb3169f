"""The headless CLI contract: commands, JSON shape, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop import __version__
from desktop.cli import main
from desktop.config import resolve_paths
from desktop.core.jobs import parse_server_job
from desktop.core.store import Store
from desktop.core.store.mirror import insert_server_jobs, upsert_nested_customers
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
        (["jobs", "edit", "1", "--set", "estimated_amount=1,5"],
         "estimated_amount: '1,5' is ambiguous"),
        (["jobs", "edit", "1", "--set", "actual_amount=1,50"],
         "actual_amount: '1,50' is ambiguous"),
        (["jobs", "edit", "1", "--set", "status="], "status: is required and cannot be cleared"),
        (["jobs", "edit", "1", "--set", "priority="],
         "priority: is required and cannot be cleared"),
        (["jobs", "edit", "1", "--set", "title= "], "title: is required and cannot be cleared"),
        (["jobs", "add", "--customer", "x", "--title", "t", "--set", "status="],
         "status: is required"),
        (["jobs", "edit", "1", "--set", "scheduled_date=2026-W01-1"],
         "scheduled_date: must be a date YYYY-MM-DD"),
        (["jobs", "edit", "1", "--set", "scheduled_date=20260101"],
         "scheduled_date: must be a date YYYY-MM-DD"),
        (["jobs", "edit", "1", "--set", "scheduled_date=0001-01-01"],
         "scheduled_date: '0001-01-01' is outside the years 2000 to 2100"),
        (["jobs", "edit", "1", "--set", "started_at=2025-01-20"],
         "started_at: must be a date and time"),
        (["jobs", "edit", "1", "--set", "title=Boiler\x1b]0;pwned\x07"],
         "title: must not contain control characters; found '\\x1b'"),
        (["jobs", "add", "--customer", "x", "--title", "Bell\x07"],
         "title: must not contain control characters"),
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
    # A command logs to a file of its own, apart from the window's.
    assert (tmp_path / "env-dir" / "logs" / "jobdesk-cli.log").exists()
    assert not (tmp_path / "env-dir" / "logs" / "jobdesk.log").exists()
    capsys.readouterr()


def test_amounts_with_thousands_separators_and_local_times_are_read_unambiguously(
    capsys: pytest.CaptureFixture[str], data_dir: Path, customer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "EST5EDT,M3.2.0,M11.1.0")
    time.tzset()
    try:
        code, out, err = run(capsys, data_dir, "jobs", "add", "--customer", customer,
                             "--title", "Boiler", "--set", "estimated_amount=1,234.50",
                             "--set", "started_at=2025-01-20T10:00", "--json")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert code == 0, err
    job = json.loads(out)
    assert job["estimated_amount"] == "1234.50"
    assert job["started_at"] == "2025-01-20T15:00:00.000Z"


def test_edit_help_says_how_values_are_read(capsys: pytest.CaptureFixture[str],
                                            data_dir: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--data-dir", str(data_dir), "jobs", "edit", "--help"])
    assert info.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    for fragment in ("local time", "stored in UTC", "1,234.50", "1,5 is refused",
                     "YYYY-MM-DD, years 2000 to 2100", "cannot be cleared"):
        assert fragment in help_text


def _mirror_server_job(data_dir: Path, payload: dict[str, object]) -> None:
    """Put a job in the mirror exactly as a sync would from this server reply."""
    store = Store.open(resolve_paths(data_dir).database)
    try:
        with store.write() as conn:
            job = parse_server_job(payload)
            upsert_nested_customers(conn, [job])
            insert_server_jobs(conn, [job])
    finally:
        store.close()


HOSTILE = "Boiler\x1b[2J\x1b]0;owned\x07 repair\x9b31m"


def test_list_and_show_strip_control_characters_even_from_the_server(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    _mirror_server_job(data_dir, {
        "uuid": "0b7e8b0e-8d2c-4c55-9d59-5c2f5a8a1f00", "job_number": "J-\x1b[1m7",
        "title": HOSTILE, "status": "New", "priority": "Normal",
        "description": "Kitchen\n\tsink\x1b[0m", "service_city": "Spring\rfield",
        "customer": {"uuid": "123e4567-e89b-12d3-a456-426614174000",
                     "first_name": "Eve\x1b[8m", "last_name": "Hidden"},
    })
    code, out, _ = run(capsys, data_dir, "jobs", "list")
    assert code == 0
    assert "Boiler[2J]0;owned repair31m" in out and "Eve[8m Hidden" in out
    code, out, _ = run(capsys, data_dir, "jobs", "show", "J-\x1b[1m7")
    assert code == 0
    assert "Boiler[2J]0;owned repair31m" in out and "Springfield" in out
    # Notes keep their lines, indented under their label.
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("description"))
    assert lines[at].endswith("Kitchen") and lines[at + 1].strip() == "sink[0m"
    for text in (out, run(capsys, data_dir, "customers", "list")[1]):
        assert not any((ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F
                       for c in text)
    # Machine output stays exact: JSON escapes what it carries.
    code, out, _ = run(capsys, data_dir, "jobs", "list", "--json")
    assert json.loads(out)[0]["title"] == HOSTILE


def test_show_marks_a_value_the_server_sent_out_of_range(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    _mirror_server_job(data_dir, {
        "uuid": "0b7e8b0e-8d2c-4c55-9d59-5c2f5a8a1f00", "job_number": "J-8",
        "title": "Refund", "status": 3, "priority": "Normal", "estimated_amount": -5,
        "actual_amount": 1e20, "scheduled_time_start": "9am",
    })
    code, out, _ = run(capsys, data_dir, "jobs", "show", "J-8")
    assert code == 0
    shown = {line.split()[0]: line for line in out.splitlines()}
    assert "-5.00  [flagged: the server sent -5: must be zero or more]" in shown[
        "estimated_amount"]
    assert "-  [flagged: the server sent 1e+20: must be at most 99999999.99]" in shown[
        "actual_amount"]
    assert '9am  [flagged: the server sent "9am": must be a time HH:MM' in shown[
        "scheduled_time_start"]
    assert "3  [flagged: the server sent 3: must be text]" in shown["status"]
    code, out, _ = run(capsys, data_dir, "jobs", "show", "J-8", "--json")
    job = json.loads(out)
    assert job["estimated_amount"] == "-5.00" and job["actual_amount"] is None
    assert job["flagged"]["actual_amount"] == {"sent": 1e20,
                                               "problem": "must be at most 99999999.99"}
    assert set(job["flagged"]) == {"status", "estimated_amount", "actual_amount",
                                   "scheduled_time_start"}
    # Still an ordinary job: another field can be edited, the odd ones stay as sent.
    code, out, err = run(capsys, data_dir, "jobs", "edit", "J-8", "--set",
                         "description=Refund the deposit", "--json")
    assert code == 0, err
    edited = json.loads(out)
    assert edited["sync_state"] == "pending" and edited["estimated_amount"] == "-5.00"
    assert set(edited["flagged"]) == set(job["flagged"])
    # A flag goes with the value: once the user sets the field, it is theirs.
    code, out, err = run(capsys, data_dir, "jobs", "edit", "J-8", "--set",
                         "estimated_amount=5", "--json")
    assert code == 0, err
    assert "estimated_amount" not in json.loads(out)["flagged"]
