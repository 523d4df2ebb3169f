"""Serving the emulator from a terminal until Ctrl+C (``jobdesk emulator``)."""

from __future__ import annotations

import sys
import time

from .emulator import Emulator


def run_standalone(port: int, jobs: int, api_key: str | None, seed: int) -> int:
    """Serve ``jobs`` seeded jobs on ``127.0.0.1:port``; print the URL and key; 0 on Ctrl+C."""
    emulator = Emulator(jobs=jobs, customers=max(10, jobs // 10), seed=seed, api_key=api_key,
                        port=port)
    try:
        emulator.start()
    except OSError as exc:
        print(f"jobdesk emulator: cannot listen on port {port}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        print(f"Custom Trades CRM emulator: {jobs} jobs for {emulator.company['name']}")
        print(f"  URL:     {emulator.url}")
        print(f"  API key: {emulator.api_key}")
        print("Press Ctrl+C to stop.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("Stopped.")
        return 0
    finally:
        emulator.stop()
