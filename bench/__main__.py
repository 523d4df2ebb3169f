"""Run every benchmark in turn: ``python -m bench``. Exit 1 if any figure misses."""

from __future__ import annotations

import importlib
import sys

BENCHES = ("bench_store", "bench_api_client", "bench_emulator", "bench_sync", "bench_gui",
           "bench_sync_month", "bench_sync_stateful", "bench_schedule", "bench_board",
           "bench_customers", "bench_export", "bench_frozen")


def main() -> int:
    failed = []
    for name in BENCHES:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        sys.argv = [name]
        if module.main() != 0:
            failed.append(name)
    if failed:
        print(f"targets missed in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
