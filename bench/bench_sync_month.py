"""A simulated working month for one company, on a simulated clock.

10,000 jobs (300 active), one office device showing every job and four
technicians showing their own, 22 working days of 10 hours, colleagues changing
200 jobs a day. Every device syncs on its own schedule through the real engine and
the emulator's real usage counter. Prints requests per device per day, the
company's total, and the worst time any device took to see a colleague's change to
an active job it shows.

Run: ``.venv/bin/python -m bench.bench_sync_month [DAYS]`` (default 22).
"""

from __future__ import annotations

import random
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.measure import report
from desktop.config import Settings, resolve_paths
from desktop.core.jobs import ACTIVE_STATUSES
from desktop.core.store import Store
from desktop.core.sync import SyncEngine
from desktop.emulator import Emulator

ACTIVE = [s.value for s in ACTIVE_STATUSES]
ACTIVE_JOBS = 300
CHANGES_PER_DAY = 200
SYNC_EVERY = timedelta(minutes=9)
DAY_START_HOUR, DAY_HOURS = 8, 10


@dataclass
class SimDevice:
    name: str
    store: Store
    engine: SyncEngine
    user: str | None
    next_sync: datetime
    requests: int = 0
    #: Colleague changes this device must still see: (uuid, field) -> (value, when).
    waiting: dict[tuple[str, str], tuple[object, datetime]] = field(default_factory=dict)


class Simulation:
    def __init__(self, root: Path, seed: int = 3) -> None:
        self.now = datetime(2026, 12, 1, DAY_START_HOUR, tzinfo=UTC)
        self.rng = random.Random(seed)
        self.emulator = Emulator(jobs=10_000, customers=500, seed=seed,
                                 clock=lambda: self.now).start()
        self.techs = self.emulator.technician_ids[:4]
        self._shape_workload()
        self.devices = [self._device(root, "office", None, 0)] + [
            self._device(root, f"tech{n + 1}", tech, n + 1) for n, tech in enumerate(self.techs)]
        self.worst_staleness = timedelta(0)
        self.changes = 0

    def _shape_workload(self) -> None:
        live = self.emulator.all_jobs(include_deleted=False)
        active = [j for j in live if j["status"] in ACTIVE]
        for job in active[ACTIVE_JOBS:]:
            self.emulator.colleague_update(job["uuid"], status="Complete")
        for n, job in enumerate(active[:ACTIVE_JOBS]):
            self.emulator.colleague_update(job["uuid"],
                                           assigned_to_user_id=self.techs[n % len(self.techs)])

    def _device(self, root: Path, name: str, user: str | None, offset: int) -> SimDevice:
        paths = resolve_paths(root / name)
        paths.ensure()
        store = Store.open(paths.database)
        # The office laptop shows every job, so its share is set higher, as an
        # administrator would in Settings; technicians keep the default.
        settings = Settings(my_user_id=user or "", quota_share_percent=20 if user else 30)
        engine = SyncEngine(store, paths, settings, self.emulator.url, self.emulator.api_key,
                            clock=lambda: self.now)
        return SimDevice(name, store, engine, user, self.now + timedelta(minutes=offset * 2))

    def active_jobs(self) -> list[dict[str, object]]:
        return [j for j in self.emulator.all_jobs(include_deleted=False)
                if j["status"] in ACTIVE]

    def colleague_change(self) -> None:
        active = self.active_jobs()
        job = self.rng.choice(active)
        uuid = str(job["uuid"])
        roll = self.rng.random()
        if roll < 0.1:
            self.emulator.colleague_update(uuid, status="Complete")
            created = self.emulator.colleague_create(
                title=f"Call-out {self.changes}", status="Scheduled",
                assigned_to_user_id=self.rng.choice(self.techs))
            self._expect(str(created["uuid"]), "title", created["title"], created)
            self._expect(uuid, "status", "Complete", job, leaving=True)
        else:
            text = f"Update {self.changes} from the office"
            self.emulator.colleague_update(uuid, description=text)
            self._expect(uuid, "description", text, job)
        self.changes += 1

    def _expect(self, uuid: str, name: str, value: object, job: dict[str, object],
                leaving: bool = False) -> None:
        for device in self.devices:
            shown = device.user is None or job.get("assigned_to_user_id") == device.user
            if shown:
                device.waiting[(uuid, name)] = (value, self.now)
            if leaving and device.user is not None and not shown:
                device.waiting.pop((uuid, name), None)

    def sync(self, device: SimDevice) -> None:
        result = device.engine.run()
        device.requests += result.requests
        for (uuid, name), (value, when) in list(device.waiting.items()):
            record = device.store.get_by_uuid(uuid)
            if record is not None and record[name] == value:
                self.worst_staleness = max(self.worst_staleness, self.now - when)
                del device.waiting[(uuid, name)]

    def run(self, days: int) -> None:
        working = 0
        while working < days:
            if self.now.weekday() >= 5:
                self.now += timedelta(days=1)
                continue
            end = self.now + timedelta(hours=DAY_HOURS)
            minute = 0
            # Laptops stay on a few minutes past the office's last change of the day.
            while self.now < end + SYNC_EVERY:
                if self.now < end and minute % (DAY_HOURS * 60 // CHANGES_PER_DAY) == 0:
                    self.colleague_change()
                for device in self.devices:
                    if self.now >= device.next_sync:
                        self.sync(device)
                        device.next_sync = self.now + SYNC_EVERY
                self.now += timedelta(minutes=1)
                minute += 1
            working += 1
            self.now = self.now.replace(hour=DAY_START_HOUR) + timedelta(days=1)
            for device in self.devices:
                device.next_sync = self.now
            total = self.emulator.usage_count
            print(f"      day {working:2d}: company usage {total:6d}", flush=True)

    def close(self) -> None:
        for device in self.devices:
            device.engine.close()
            device.store.close()
        self.emulator.stop()


def main() -> int:
    days = int(sys.argv[1]) if len(sys.argv) > 1 else 22
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulation(Path(tmp))
        try:
            sim.run(days)
            for device in sim.devices:
                print(f"      {device.name:<7} {device.requests / days:7.1f} requests/day, "
                      f"{len(device.waiting)} changes still unseen")
            projected = sim.emulator.usage_count * 22 / days
            ok = report(f"company requests over {days} working days, projected to 22",
                        projected, 50_000, "req")
            ok &= report("worst staleness of a colleague's change on any device",
                         sim.worst_staleness.total_seconds() / 60, 10, "min")
        finally:
            sim.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
