"""Failures a test arms in advance and the server springs on matching requests.

Five kinds, each armed for the next N requests, optionally only those of one method
and/or under one path prefix (relative to ``/api/v1``, e.g. ``"/jobs"``):

- ``fail``: answer 500 (the request counts toward usage, nothing is changed);
- ``drop_before``: close the connection without processing or answering;
- ``drop_after``: process (the change is applied, usage counted), then close the
  connection without answering, so the client cannot know the outcome;
- ``busy``: answer 429 or 503 with a ``Retry-After`` header (counted, nothing is
  changed): a server or gateway shedding load and saying when to come back;
- ``trickle``: process, then send the answer's headers at once (or, with
  ``headers=True``, they too) and its body one byte every ``interval`` seconds: a
  server that is never silent long enough for a read timeout to fire.

``hold`` keeps the next matching request's answer back, after the endpoint has run,
until the test releases it: the one way to act while a request is provably in flight
(a latency only makes that likely). The server passes that point when it asks whether
to spring a ``drop_after``, so a held answer can still be dropped or trickled.

``latency`` adds that many seconds to every request; ``trickles_cut_off`` counts the
trickled answers whose client hung up before the end. All methods are thread-safe.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final, Literal

FaultKind = Literal["fail", "busy", "drop_before", "drop_after", "trickle"]
API_PREFIX: Final = "/api/v1"
#: A held request a test forgets to release lets go after this long, so a failing
#: test cannot leave a handler thread (and the emulator's stop) waiting for ever.
HOLD_LIMIT_SECONDS: Final = 30.0


@dataclass(frozen=True)
class Trickle:
    """How a sprung ``trickle`` fault sends its answer."""

    #: Seconds between two bytes.
    interval: float
    #: Whether the status line and headers are trickled too, not only the body.
    headers: bool


class Hold:
    """One request kept back by ``Faults.hold``: wait for it to arrive, then release it."""

    def __init__(self, method: str | None, path: str | None, limit: float) -> None:
        self.method = method
        self.path = path
        self._limit = limit
        self._arrived = threading.Event()
        self._released = threading.Event()

    @property
    def arrived(self) -> bool:
        """Whether a request has reached the hold (its endpoint has run)."""
        return self._arrived.is_set()

    def wait_arrived(self, timeout: float = 10.0) -> bool:
        """Wait until a matching request is held; False if none came in ``timeout`` s."""
        return self._arrived.wait(timeout)

    def release(self) -> None:
        """Let the held answer go (or the next one, if none has arrived yet)."""
        self._released.set()

    def matches(self, method: str, path: str) -> bool:
        return ((self.method is None or self.method == method)
                and (self.path is None or path.startswith(self.path)))

    def keep(self) -> None:
        """Called on the handler's thread: block until released (or the limit)."""
        self._arrived.set()
        self._released.wait(self._limit)


@dataclass(frozen=True)
class Busy:
    """How a sprung ``busy`` fault answers."""

    status: int
    #: The ``Retry-After`` header's value as sent (seconds, or an HTTP date).
    retry_after: str


@dataclass
class _Armed:
    kind: FaultKind
    remaining: int
    method: str | None
    path: str | None
    interval: float = 0.0
    headers: bool = False
    status: int = 0
    retry_after: str = ""

    def matches(self, kind: FaultKind, method: str, path: str) -> bool:
        return (
            self.kind == kind
            and (self.method is None or self.method == method)
            and (self.path is None or path.startswith(self.path))
        )


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []
        self._holds: list[Hold] = []
        self._keeping: list[Hold] = []
        self._latency = 0.0
        self._cut_off = 0

    @property
    def latency(self) -> float:
        """Seconds added to every request before it is processed."""
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency cannot be negative")
        with self._lock:
            self._latency = seconds

    def fail_next(
        self, count: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        self._arm("fail", count, method, path)

    def drop_before(
        self, count: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        self._arm("drop_before", count, method, path)

    def drop_after(
        self, count: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        self._arm("drop_after", count, method, path)

    def busy_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        retry_after: str = "120",
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests ``status`` with ``Retry-After``."""
        if status not in (429, 503):
            raise ValueError("Retry-After comes with 429 or 503")
        self._arm("busy", count, method, path, status=status, retry_after=retry_after)

    def trickle(
        self,
        count: int = 1,
        *,
        interval: float = 1.0,
        headers: bool = False,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests one byte every ``interval`` s."""
        if interval <= 0:
            raise ValueError("the trickle interval must be positive")
        self._arm("trickle", count, method, path, interval=interval, headers=headers)

    def hold(
        self, *, method: str | None = None, path: str | None = None,
        limit: float = HOLD_LIMIT_SECONDS,
    ) -> Hold:
        """Keep the next matching request's answer back until ``release`` (or ``limit`` s).

        Holds armed for the same requests are sprung in the order they were armed.
        """
        if limit <= 0:
            raise ValueError("the hold limit must be positive")
        if path is not None and path.startswith(API_PREFIX):
            path = path[len(API_PREFIX):]
        held = Hold(method.upper() if method else None, path, limit)
        with self._lock:
            self._holds.append(held)
        return held

    def clear(self) -> None:
        """Disarm everything, release every hold and remove the latency."""
        with self._lock:
            self._armed.clear()
            holds = [*self._holds, *self._keeping]
            self._holds.clear()
            self._latency = 0.0
        for held in holds:
            held.release()

    @property
    def trickles_cut_off(self) -> int:
        """Trickled answers whose client hung up before their last byte."""
        with self._lock:
            return self._cut_off

    def note_trickle_cut_off(self) -> None:
        """Called by the server when a client hangs up on a trickled answer."""
        with self._lock:
            self._cut_off += 1

    def pending(self) -> int:
        """How many armed faults (holds included) have not been sprung yet."""
        with self._lock:
            return sum(a.remaining for a in self._armed) + len(self._holds)

    def _arm(
        self,
        kind: FaultKind,
        count: int,
        method: str | None,
        path: str | None,
        *,
        interval: float = 0.0,
        headers: bool = False,
        status: int = 0,
        retry_after: str = "",
    ) -> None:
        if count < 1:
            raise ValueError("count must be 1 or more")
        if path is not None and path.startswith(API_PREFIX):
            path = path[len(API_PREFIX):]
        with self._lock:
            self._armed.append(_Armed(kind, count, method.upper() if method else None, path,
                                      interval, headers, status, retry_after))

    def take(self, kind: FaultKind, method: str, path: str) -> bool:
        """Spring one armed fault of ``kind`` matching this request, if any.

        ``path`` is relative to ``/api/v1``. Asking for ``drop_after`` is the server's
        checkpoint between running the endpoint and answering: a ``hold`` armed for
        this request keeps the caller here until it is released.
        """
        if kind == "drop_after":
            self._keep_if_held(method, path)
        return self._spring(kind, method, path) is not None

    def _keep_if_held(self, method: str, path: str) -> None:
        with self._lock:
            held = next((h for h in self._holds if h.matches(method, path)), None)
            if held is None:
                return
            self._holds.remove(held)
            self._keeping.append(held)
        try:
            held.keep()
        finally:
            with self._lock:
                self._keeping.remove(held)

    def take_trickle(self, method: str, path: str) -> Trickle | None:
        """Spring one armed ``trickle`` matching this request: how to send its answer."""
        armed = self._spring("trickle", method, path)
        return None if armed is None else Trickle(armed.interval, armed.headers)

    def take_busy(self, method: str, path: str) -> Busy | None:
        """Spring one armed ``busy`` matching this request: how to answer it."""
        armed = self._spring("busy", method, path)
        return None if armed is None else Busy(armed.status, armed.retry_after)

    def _spring(self, kind: FaultKind, method: str, path: str) -> _Armed | None:
        with self._lock:
            for armed in self._armed:
                if armed.matches(kind, method, path):
                    armed.remaining -= 1
                    if armed.remaining == 0:
                        self._armed.remove(armed)
                    return armed
        return None
