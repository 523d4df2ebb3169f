"""A server that trickles its replies ends a sync at the request deadline, not never.

Over real HTTP against the emulator's ``trickle`` fault: the reply's headers come at
once, then a byte every 0.3 s, far inside every per-read timeout, so only the
deadline can end the request.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.config import Settings
from desktop.core.sync import SyncEngine
from desktop.emulator import Emulator
from tests.integration.conftest import Device

DEADLINE = 1.5
TRICKLE = 0.3


def test_the_engine_gives_up_at_the_deadline_and_backs_off(
    emulator: Emulator, device: Device
) -> None:
    emulator.faults.trickle(1, interval=TRICKLE)
    with SyncEngine(device.store, device.paths, Settings(), emulator.url, emulator.api_key,
                    deadline=DEADLINE) as engine:
        report = engine.run()
        assert report.status == "offline", report.message
        assert f"within {DEADLINE:g} s" in report.message
        assert report.retry_after is not None and report.retry_after > 0
        assert emulator.requests[0].trickled and emulator.faults.pending() == 0
        # The lock was let go with the failed cycle: the next one runs.
        assert engine.run().status == "ok"
    assert device.live_count() == len(emulator.all_jobs(include_deleted=False))


@pytest.fixture
def cli(tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JOBDESK_SERVER_URL", emulator.url)
    monkeypatch.setenv("JOBDESK_API_KEY", emulator.api_key)
    # `jobdesk sync` has no option for the deadline; the client reads the constant
    # when it is built, so a shorter one spares the test a minute of waiting.
    monkeypatch.setattr("desktop.core.api.REQUEST_DEADLINE", DEADLINE)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(tmp_path / "data"), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_jobdesk_sync_exits_3_against_a_trickling_server(  # type: ignore[no-untyped-def]
    cli, emulator: Emulator
) -> None:
    emulator.faults.trickle(1, interval=TRICKLE)
    code, out, _ = cli("sync", "--json")
    report = json.loads(out)
    assert (code, report["status"]) == (3, "offline")
    assert f"within {DEADLINE:g} s" in report["message"]
    assert emulator.requests[0].trickled and emulator.faults.pending() == 0

    code, out, err = cli("sync", "--json")
    assert (code, json.loads(out)["status"]) == (0, "ok"), err  # not "busy": the lock is free
