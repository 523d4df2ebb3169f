"""The packaged app: how big the Linux bundle is, and how its cold start compares with
running from source on the same machine in the same run.

Cold start is process start to the window drawn with its list loaded: the time until
``jobdesk --screenshot`` prints its ``Screenshot:`` line, on a data dir holding 2,000
synced jobs, with a CRM configured whose port is closed (so the first sync fails at
once, as it does offline). Runs alternate between the two so both see the same
machine. The bundle is built first when it is missing or older than the sources.

Targets: the bundle <= 250 MB; the packaged start no more than 1.25x the start from
source (the bundle adds unpacking nothing in one-folder mode, only its own loader).

Run: ``.venv/bin/python -m bench.bench_frozen``
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import print_machine_speed, report
from desktop.cli import main as cli_main
from desktop.config import Paths, Settings
from desktop.emulator import Emulator
from tests.packaging.scripts import load_script

REPO = Path(__file__).resolve().parents[1]
JOBS = 2_000
ROUNDS = 5
API_KEY = "ctc_test_" + "f" * 43


def synced_data_dir(root: Path) -> Paths:
    """A data dir after a first sync of ``JOBS`` jobs, whose server has since gone."""
    paths = Paths(root, root, root / "logs")
    with Emulator(jobs=JOBS, customers=JOBS // 10, seed=11, api_key=API_KEY) as emulator, \
            contextlib.redirect_stdout(io.StringIO()):
        os.environ["JOBDESK_API_KEY"] = API_KEY
        try:
            if cli_main(["--data-dir", str(root), "config", "set", "server-url",
                         emulator.url]) != 0 or cli_main(["--data-dir", str(root), "sync"]) != 0:
                raise RuntimeError("the first sync of the bench data failed")
        finally:
            del os.environ["JOBDESK_API_KEY"]
    assert Settings.load(paths).server_url
    return paths


def start_to_window_s(command: list[str], shot: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "JOBDESK_API_KEY": API_KEY,
           "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    with subprocess.Popen([*command, "--screenshot", str(shot)], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, env=env) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("Screenshot:"):
                elapsed = time.perf_counter() - started
                break
        else:
            raise RuntimeError(f"{command[0]} printed no screenshot line")
        process.wait(timeout=60)
    return elapsed


def main() -> int:
    print_machine_speed()
    build = load_script("build")
    started = time.perf_counter()
    built = subprocess.run([sys.executable, str(build.__file__), "--if-stale"],
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        print(built.stdout, built.stderr, sep="\n")
        return 1
    print(f"      build (or the check that it is fresh): {time.perf_counter() - started:.0f} s")
    folder = build.output(onefile=False)
    ok = report(f"Linux bundle size ({folder.relative_to(REPO)})", build.size_mb(folder),
                250.0, "MB")

    with tempfile.TemporaryDirectory() as tmp:
        paths = synced_data_dir(Path(tmp) / "data")
        shot = Path(tmp) / "shot.png"
        packaged = [str(build.executable("jobdesk")), "--data-dir", str(paths.data_dir)]
        source = [sys.executable, "-m", "desktop", "--data-dir", str(paths.data_dir)]
        frozen_s, source_s = [], []
        for _ in range(ROUNDS):
            frozen_s.append(start_to_window_s(packaged, shot))
            source_s.append(start_to_window_s(source, shot))
    frozen, from_source = statistics.median(frozen_s), statistics.median(source_s)
    print(f"      start to first window, median of {ROUNDS}: packaged {frozen:.2f} s, "
          f"from source {from_source:.2f} s")
    ok &= report("packaged / source cold start to first window", frozen / from_source,
                 1.25, "x")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
