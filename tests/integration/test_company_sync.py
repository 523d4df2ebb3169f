"""The company's details: read at most once a day over real HTTP, kept, and shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.core import company
from desktop.emulator import Emulator
from tests.integration.conftest import Device


def _reads(emulator: Emulator) -> tuple[int, int]:
    paths = [r.path for r in emulator.requests if r.method == "GET"]
    return (sum(p.endswith("/companies/me") for p in paths),
            sum(p.endswith("/locations") for p in paths))


def test_the_company_costs_two_requests_a_day(emulator: Emulator, tmp_path: Path) -> None:
    now = [datetime.now(UTC)]
    device = Device(emulator, tmp_path / "laptop", clock=lambda: now[0])
    try:
        for _ in range(3):
            assert device.sync().status == "ok"
            now[0] += timedelta(hours=7)
        assert _reads(emulator) == (1, 1)
        kept = company.load(device.store)
        assert kept is not None
        assert (kept.name, kept.phone) == (emulator.company["name"], emulator.company["phone"])
        assert kept.address[0] == emulator.company["address_line_1"]
        primary = emulator.locations[0]
        assert kept.timezone == primary["timezone"]
        assert kept.location_name(primary["uuid"]) == primary["name"]
        now[0] += timedelta(hours=4)  # a day since the first read
        assert device.sync().status == "ok"
        assert device.sync().status == "ok"
        assert _reads(emulator) == (2, 2)
    finally:
        device.close()


def test_a_cycle_without_spare_budget_leaves_the_company_for_later(
        emulator: Emulator, device: Device) -> None:
    # Within the last 2% of the month only pushes go out: no read of any kind (the
    # first sync learns the company's count from the server's headers).
    emulator.usage_count = emulator.usage_limit - 10
    device.sync()
    device.store.put_meta(company.COMPANY_META, None)
    before = _reads(emulator)
    device.sync()
    assert _reads(emulator) == before
    assert company.load(device.store) is None


def test_odd_company_values_are_tolerated() -> None:
    odd = company.from_server(
        {"name": "  Acme   Heating ", "phone": 5551234, "city": None, "state": "NY",
         "postal_code": 10001, "address_line_1": ["not", "text"]},
        [{"uuid": "a", "name": "Main", "timezone": "Mars/Olympus", "is_primary": True},
         {"uuid": "b", "name": "Gone", "deleted_at": "2025-01-01T00:00:00.000Z"},
         "not an office", {"name": "no uuid"}])
    assert (odd.name, odd.phone, odd.address) == ("Acme Heating", "5551234", ("NY 10001",))
    assert odd.timezone is None and dict(odd.locations) == {"a": "Main"}
