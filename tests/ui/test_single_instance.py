"""One window per data dir, proven with real launches in their own processes: two
started at the same moment, and one after a holder killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from filelock import FileLock

from desktop.config import resolve_paths
from desktop.ui.single_instance import AlreadyRunning, SingleInstance, holder_file, lock_path
from tests.conftest import wait_until

REPO = Path(__file__).resolve().parents[2]
ON_CUE = Path(__file__).with_name("launch_on_cue.py")
#: What the app logs each time another launch hands it the user's request.
ASKED = "another launch asked for this window"
#: Launches cued together in each round, and rounds. Against a start that looks for
#: a window and then claims the data dir in two steps, about half the rounds opened
#: two windows; five rounds let that through about once in thirty runs.
AT_ONCE = 3
ROUNDS = 5


class Launch:
    """``jobdesk`` in a process of its own, imported and waiting for its cue."""

    def __init__(self, data_dir: Path, err: IO[str]) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen",
               # A CRM nobody listens on: the real window, not the demo, and its
               # sync finds itself offline without a request leaving the machine.
               "JOBDESK_SERVER_URL": "http://127.0.0.1:9",
               "JOBDESK_API_KEY": "ctc_test_" + "k" * 40}
        self.process = subprocess.Popen(
            [sys.executable, str(ON_CUE), "--data-dir", str(data_dir)], cwd=REPO, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)
        assert self.process.stdout is not None and self.process.stdin is not None
        assert self.process.stdout.readline().strip() == "ready"

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.read()

    def stop(self) -> None:
        if self.running:
            self.process.terminate()
        self.process.wait(timeout=60)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def launches(tmp_path: Path) -> Iterator[list[Launch]]:
    started: list[Launch] = []
    yield started
    for launch in started:
        launch.stop()


def asked(data_dir: Path) -> int:
    log = resolve_paths(data_dir).log_file
    return log.read_text(encoding="utf-8").count(ASKED) if log.exists() else 0


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_launches_at_once_open_one_window_and_the_others_hand_it_their_request(
        tmp_path: Path, launches: list[Launch], round_: int) -> None:
    data_dir = tmp_path / "data"
    with (tmp_path / "stderr.txt").open("w") as err:
        launches += [Launch(data_dir, err) for _ in range(AT_ONCE)]
        for launch in launches:
            launch.go()
        assert wait_until(lambda: sum(launch.running for launch in launches) <= 1,
                          timeout=60), "more than one launch kept running: two windows"
        (window,) = [launch for launch in launches if launch.running]
        for left in launches:
            if left is not window:
                assert left.process.returncode == 0, (tmp_path / "stderr.txt").read_text()
                assert "already open for this data folder" in left.output()
        assert wait_until(lambda: asked(data_dir) >= AT_ONCE - 1, timeout=60), \
            "the window never heard from every launch that left"
        assert window.running, "the window closed when the others left"
        assert asked(data_dir) == AT_ONCE - 1
        assert holder_file(lock_path(data_dir)).read_text() == str(window.process.pid)
        window.stop()
        assert window.process.returncode == -signal.SIGTERM
        assert "Traceback" not in (tmp_path / "stderr.txt").read_text()


def test_a_window_killed_outright_leaves_nothing_that_stops_the_next_start(
        tmp_path: Path, launches: list[Launch]) -> None:
    data_dir = tmp_path / "data"
    with (tmp_path / "stderr.txt").open("w") as err:
        crashed = Launch(data_dir, err)
        launches.append(crashed)
        crashed.go()
        # Answering, so it leaves its socket file behind as well as the lock.
        assert wait_until(lambda: SingleInstance(data_dir).notify_running(), timeout=60)
        assert wait_until(lambda: asked(data_dir) == 1, timeout=60)
        assert holder_file(lock_path(data_dir)).read_text() == str(crashed.process.pid)
        crashed.process.send_signal(signal.SIGKILL)
        assert crashed.process.wait(timeout=60) == -signal.SIGKILL
        # Everything the killed window had is still on disk, the pid naming it too.
        assert lock_path(data_dir).exists()
        assert holder_file(lock_path(data_dir)).read_text() == str(crashed.process.pid)

        after = Launch(data_dir, err)
        launches.append(after)
        after.go()
        assert wait_until(lambda: holder_file(lock_path(data_dir)).read_text()
                          == str(after.process.pid) or not after.running, timeout=60)
        assert after.running, after.output()
        # A launch after it finds it, so it is the window, and listening.
        again = Launch(data_dir, err)
        launches.append(again)
        again.go()
        assert again.process.wait(timeout=60) == 0
        assert "already open for this data folder" in again.output()
        assert wait_until(lambda: asked(data_dir) >= 2, timeout=60)
        assert after.running
        assert asked(data_dir) == 2


def test_a_holder_that_never_answers_is_named_rather_than_joined(tmp_path: Path) -> None:
    # The lock taken, as by an app stuck before it listens: nobody will answer.
    stuck = FileLock(lock_path(tmp_path), timeout=0, is_singleton=False)
    stuck.acquire()
    holder_file(lock_path(tmp_path)).write_text("4242")
    try:
        with pytest.raises(AlreadyRunning, match="pid 4242"):
            SingleInstance(tmp_path).start(wait_s=0)
    finally:
        stuck.release()
    claimed = SingleInstance(tmp_path)
    assert claimed.start(wait_s=0)
    try:
        assert holder_file(lock_path(tmp_path)).read_text() == str(os.getpid())
        assert not SingleInstance(tmp_path).listen(), "a second claim is refused"
    finally:
        claimed.close()
    assert holder_file(lock_path(tmp_path)).read_text() == ""
