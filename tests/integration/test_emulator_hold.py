"""The emulator's ``hold`` fault: a request kept in flight until the test lets it go.

Sync tests lean on it to act while a request is provably in flight, so it is tested
on its own here, over HTTP, as any client sees it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from desktop.emulator import Emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(jobs=20, customers=5, seed=2) as emulator:
        yield emulator


class _Call:
    """One request on its own thread, so the test can look while it is in flight."""

    def __init__(self, client: httpx.Client, method: str, path: str, **kwargs: object) -> None:
        self.response: httpx.Response | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(client, method, path, kwargs))
        self._thread.start()

    def _run(self, client: httpx.Client, method: str, path: str,
             kwargs: dict[str, object]) -> None:
        try:
            self.response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the test thread by join()
            self.error = exc

    def join(self) -> httpx.Response:
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "the request never finished"
        if self.error is not None:
            raise self.error
        assert self.response is not None
        return self.response

    @property
    def answered(self) -> bool:
        return self.response is not None or self.error is not None


def test_a_held_request_has_run_but_is_not_answered_until_released(
    api: httpx.Client, emu: Emulator
) -> None:
    target = emu.all_jobs(include_deleted=False)[0]["uuid"]
    hold = emu.faults.hold(method="put", path="/api/v1/jobs")
    call = _Call(api, "PUT", f"/jobs/{target}", json={"title": "Held"})
    try:
        assert hold.wait_arrived(10)
        # The endpoint has run: the server holds the change, the client no answer.
        job = emu.job(target)
        assert job is not None and job["title"] == "Held"
        assert not call.answered
        assert [r.method for r in emu.requests] == []
    finally:
        hold.release()
    assert call.join().status_code == 200
    assert [(r.method, r.status) for r in emu.requests] == [("PUT", 200)]
    assert emu.faults.pending() == 0


def test_a_hold_lets_other_requests_through_and_springs_once(
    api: httpx.Client, emu: Emulator
) -> None:
    target = emu.all_jobs(include_deleted=False)[0]["uuid"]
    hold = emu.faults.hold(method="PUT")
    try:
        assert api.get(f"/jobs/{target}").status_code == 200  # not a PUT: not held
        assert not hold.arrived and emu.faults.pending() == 1
        call = _Call(api, "PUT", f"/jobs/{target}", json={"title": "Once"})
        assert hold.wait_arrived(10)
    finally:
        hold.release()
    assert call.join().status_code == 200
    # Sprung: the next PUT goes straight through.
    assert api.put(f"/jobs/{target}", json={"title": "Twice"}).status_code == 200


def test_clear_releases_a_held_request(api: httpx.Client, emu: Emulator) -> None:
    target = emu.all_jobs(include_deleted=False)[0]["uuid"]
    hold = emu.faults.hold(path="/jobs/")
    call = _Call(api, "GET", f"/jobs/{target}")
    assert hold.wait_arrived(10)
    assert not call.answered
    emu.faults.clear()
    assert call.join().status_code == 200


def test_a_held_request_lets_go_by_itself_after_its_limit(
    api: httpx.Client, emu: Emulator
) -> None:
    hold = emu.faults.hold(limit=0.05)
    assert api.get("/companies/me").status_code == 200
    assert hold.arrived


def test_a_hold_limit_must_be_positive(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="positive"):
        emu.faults.hold(limit=0)
