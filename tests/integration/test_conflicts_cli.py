"""`jobdesk conflicts resolve` refuses picks whose merged job breaks an edit rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.config import resolve_paths
from desktop.emulator import Emulator
from tests.integration.test_conflict_resolution import snapshot

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def cli(data_dir: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    monkeypatch.setenv("JOBDESK_SERVER_URL", emulator.url)
    monkeypatch.setenv("JOBDESK_API_KEY", emulator.api_key)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data_dir), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_a_resolution_that_ends_a_visit_before_it_starts_exits_2_and_changes_nothing(
        cli: Cli, emulator: Emulator, data_dir: Path) -> None:
    job = emulator.colleague_create(title="Boiler service", status="Scheduled",
                                    scheduled_date="2025-03-04", scheduled_time_start="09:00",
                                    scheduled_time_end="10:00")
    assert cli("sync")[0] == 0
    code, _, err = cli("jobs", "edit", job["uuid"], "--set", "scheduled_time_start=08:00",
                       "--set", "scheduled_time_end=11:00")
    assert code == 0, err
    emulator.clock.advance(timedelta(seconds=1))
    emulator.colleague_update(job["uuid"], scheduled_time_start="16:00",
                              scheduled_time_end="18:00")
    code, out, _ = cli("sync", "--json")
    assert code == 0 and json.loads(out)["conflicts"] == 1
    database = resolve_paths(data_dir).database
    before = snapshot(database)

    code, out, err = cli("conflicts", "resolve", job["uuid"],
                         "--field", "scheduled_time_start=theirs",
                         "--field", "scheduled_time_end=mine")
    assert code == 2 and out == ""
    assert "scheduled_time_end: must be after scheduled_time_start (16:00)" in err
    assert "nothing changed" in err and "Traceback" not in err
    assert snapshot(database) == before
    code, out, _ = cli("conflicts", "list", "--json")
    [conflict] = json.loads(out)
    assert {f["field"] for f in conflict["fields"]} == {"scheduled_time_start",
                                                        "scheduled_time_end"}
    # The server never hears of it.
    assert cli("sync")[0] == 0
    server = emulator.job(job["uuid"])
    assert server is not None
    assert (server["scheduled_time_start"], server["scheduled_time_end"]) == ("16:00", "18:00")

    code, out, err = cli("conflicts", "resolve", job["uuid"], "--keep", "theirs", "--json")
    assert code == 0, err
    resolved = json.loads(out)
    assert resolved["sync_state"] == "synced"
    assert (resolved["scheduled_time_start"], resolved["scheduled_time_end"]) == (
        "16:00", "18:00")
    code, out, _ = cli("conflicts", "list", "--json")
    assert json.loads(out) == []
