"""The stateful sync test at length: many more random interleavings than CI runs.

Run: ``.venv/bin/python -m bench.bench_sync_stateful [EXAMPLES] [STEPS]``
(default 200 examples of 40 steps).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.measure import report


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "200"
    steps = sys.argv[2] if len(sys.argv) > 2 else "40"
    env = {**os.environ, "JOBDESK_STATEFUL_EXAMPLES": examples,
           "JOBDESK_STATEFUL_STEPS": steps, "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/integration/test_sync_stateful.py"], env=env, check=False)
    print(f"      {examples} examples x {steps} steps in {time.perf_counter() - start:.0f} s")
    report("stateful sync invariants violated", float(result.returncode != 0), 0, "")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
