"""Demo mode: the CRM emulator in this process, seeded with a believable company,
and a fresh temporary data dir pointed at it, so a newcomer sees everything at once."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from desktop.config import Paths, Settings
from desktop.core.store import Store
from desktop.core.store import team as team_store
from desktop.emulator import Emulator
from desktop.ui.session import Demo

DEMO_JOBS = 800
DEMO_CUSTOMERS = 160
DEMO_SEED = 42


@dataclass
class DemoServer:
    emulator: Emulator
    paths: Paths
    demo: Demo

    def close(self) -> None:
        self.emulator.stop()
        shutil.rmtree(self.paths.data_dir, ignore_errors=True)


def start_demo(user_paths: Paths, *, jobs: int = DEMO_JOBS,
               customers: int = DEMO_CUSTOMERS) -> DemoServer:
    emulator = Emulator(jobs=jobs, customers=customers, seed=DEMO_SEED).start()
    root = Path(tempfile.mkdtemp(prefix="jobdesk-demo-"))
    paths = Paths(data_dir=root, config_dir=root, log_dir=root / "logs")
    paths.ensure()
    # "My jobs" needs a user id; the demo plays the company's first technician.
    Settings(my_user_id=emulator.technician_ids[0]).save(paths)
    # The demo server names a job's technician when it sends the job alone, and this
    # laptop has the office's team file, from before the newest technician joined:
    # the newest shows by a short id, to be named in place.
    emulator.variants.nested_user = "assigned_user"
    store = Store.open(paths.database)
    try:
        team_store.name(store, [(u["id"], f"{u['first_name']} {u['last_name']}")
                                for u in emulator.technicians[:-1]])
    finally:
        store.close()
    demo = Demo(url=emulator.url, api_key=emulator.api_key, user_paths=user_paths)
    return DemoServer(emulator, paths, demo)
