"""`jobdesk sync`, `conflicts` and `jobs discard` as scripts use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.emulator import Emulator

REPORT_KEYS = {"status", "pushed", "pulled", "conflicts", "rejected", "requests", "usage",
               "message"}


@pytest.fixture
def cli(tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JOBDESK_SERVER_URL", emulator.url)
    monkeypatch.setenv("JOBDESK_API_KEY", emulator.api_key)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(tmp_path / "data"), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_sync_json_report_and_exit_codes(cli, emulator: Emulator,  # type: ignore[no-untyped-def]
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = cli("sync", "--json")
    report = json.loads(out)
    assert code == 0 and set(report) >= REPORT_KEYS and report["status"] == "ok"
    assert set(report["usage"]) == {"count", "limit", "resets_at"}
    assert report["pulled"] == len(emulator.all_jobs(include_deleted=False))

    emulator.faults.fail_next(5)
    code, out, _ = cli("sync", "--json")
    assert (code, json.loads(out)["status"]) == (3, "error")
    emulator.faults.clear()

    monkeypatch.setenv("JOBDESK_API_KEY", "ctc_live_" + "x" * 43)
    code, out, _ = cli("sync", "--json")
    assert (code, json.loads(out)["status"]) == (4, "auth")

    monkeypatch.setenv("JOBDESK_API_KEY", emulator.api_key)
    emulator.usage_count = emulator.usage_limit
    code, out, _ = cli("sync", "--json")
    assert (code, json.loads(out)["status"]) == (5, "quota")


def test_sync_with_no_key_says_how_to_sign_in(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import keyring
    from keyring.backends import fail

    monkeypatch.delenv("JOBDESK_API_KEY")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # a machine with no keyring and no key
    try:
        code, _, err = cli("sync")
    finally:
        keyring.set_keyring(previous)
    assert code == 4 and "jobdesk login" in err


def test_conflicts_list_and_resolve(cli, emulator: Emulator) -> None:  # type: ignore[no-untyped-def]
    cli("sync")
    job = next(j for j in emulator.all_jobs(include_deleted=False) if j["status"] == "New")
    cli("jobs", "edit", job["uuid"], "--set", "title=Mine")
    emulator.colleague_update(job["uuid"], title="Theirs")
    code, out, _ = cli("sync", "--json")
    assert code == 0 and json.loads(out)["conflicts"] == 1
    code, out, _ = cli("conflicts", "list", "--json")
    [conflict] = json.loads(out)
    assert conflict["uuid"] == job["uuid"]
    assert conflict["fields"] == [{"field": "title", "base": job["title"], "mine": "Mine",
                                   "theirs": "Theirs"}]
    code, _, err = cli("conflicts", "resolve", job["uuid"], "--field", "title=maybe")
    assert code == 2 and "--field title" in err
    code, out, _ = cli("conflicts", "resolve", job["uuid"], "--keep", "mine", "--json")
    assert code == 0 and json.loads(out)["sync_state"] == "pending"
    cli("sync")
    assert emulator.job(job["uuid"])["title"] == "Mine"  # type: ignore[index]


def test_discard_drops_unsent_changes(cli, emulator: Emulator) -> None:  # type: ignore[no-untyped-def]
    cli("sync")
    job = emulator.all_jobs(include_deleted=False)[0]
    cli("jobs", "edit", job["uuid"], "--set", "title=Oops")
    code, out, _ = cli("jobs", "discard", job["uuid"], "--json")
    assert code == 0
    after = json.loads(out)
    assert after["title"] == job["title"] and after["sync_state"] == "synced"
