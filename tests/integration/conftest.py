"""Sync fixtures: a real emulator on loopback and a real store on a real file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from desktop.config import Settings, resolve_paths
from desktop.core.store import JobQuery, Store
from desktop.core.sync import SyncEngine, SyncReport
from desktop.emulator import Emulator


@dataclass
class Device:
    """One laptop: its own data dir, store and engine, against a shared emulator."""

    emulator: Emulator
    root: Path
    settings: Settings = field(default_factory=Settings)
    #: The engine's clock (a test moves it to reach a bound without waiting for it).
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    store: Store = field(init=False)

    def __post_init__(self) -> None:
        self.paths = resolve_paths(self.root)
        self.paths.ensure()
        self.store = Store.open(self.paths.database)
        self.url = self.emulator.url
        self._engine: SyncEngine | None = None

    def engine(self, api_key: str | None = None) -> SyncEngine:
        """The device's engine; rebuilt when the server, key or store changed."""
        key = api_key or self.emulator.api_key
        current = self._engine
        if current is None or (current.server_url, current.api_key, current.store) != (
                self.url, key, self.store):
            self.close_engine()
            current = self._engine = SyncEngine(self.store, self.paths, self.settings,
                                                self.url, key, clock=self.clock,
                                                read_timeout=3.0)
        return current

    def close_engine(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def close(self) -> None:
        self.close_engine()
        self.store.close()

    def sync(self, full: bool = False, api_key: str | None = None) -> SyncReport:
        return self.engine(api_key).run(full=full)

    def reopen(self) -> None:
        """As after a crash: a fresh store and engine on the same file."""
        self.close_engine()
        self.store.close()
        self.store = Store.open(self.paths.database)

    def job(self, uuid: str):  # type: ignore[no-untyped-def]
        record = self.store.get_by_uuid(uuid)
        assert record is not None, uuid
        return record

    def live_count(self) -> int:
        return self.store.count(JobQuery())


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(jobs=60, customers=15, seed=3) as emu:
        yield emu


@pytest.fixture
def device(emulator: Emulator, tmp_path: Path) -> Iterator[Device]:
    laptop = Device(emulator, tmp_path / "laptop")
    yield laptop
    laptop.close()


@pytest.fixture
def synced(device: Device) -> Device:
    report = device.sync()
    assert report.status == "ok", report.message
    return device


@pytest.fixture
def api(emu: Emulator) -> Iterator[httpx.Client]:
    """A bare HTTP client on the module's ``emu``: the emulator seen as any client sees it."""
    auth = {"Authorization": f"Bearer {emu.api_key}"}
    with httpx.Client(base_url=emu.url, headers=auth) as client:
        yield client
