"""Failures a test arms in advance and the server springs on matching requests.

Three kinds, each armed for the next N requests, optionally only those of one method
and/or under one path prefix (relative to ``/api/v1``, e.g. ``"/jobs"``):

- ``fail``: answer 500 (the request counts toward usage, nothing is changed);
- ``drop_before``: close the connection without processing or answering;
- ``drop_after``: process (the change is applied, usage counted), then close the
  connection without answering, so the client cannot know the outcome.

``latency`` adds that many seconds to every request. All methods are thread-safe.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final, Literal

FaultKind = Literal["fail", "drop_before", "drop_after"]
API_PREFIX: Final = "/api/v1"


@dataclass
class _Armed:
    kind: FaultKind
    remaining: int
    method: str | None
    path: str | None

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
        self._latency = 0.0

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

    def clear(self) -> None:
        """Disarm everything and remove the latency."""
        with self._lock:
            self._armed.clear()
            self._latency = 0.0

    def pending(self) -> int:
        """How many armed faults have not been sprung yet."""
        with self._lock:
            return sum(a.remaining for a in self._armed)

    def _arm(self, kind: FaultKind, count: int, method: str | None, path: str | None) -> None:
        if count < 1:
            raise ValueError("count must be 1 or more")
        if path is not None and path.startswith(API_PREFIX):
            path = path[len(API_PREFIX):]
        with self._lock:
            self._armed.append(_Armed(kind, count, method.upper() if method else None, path))

    def take(self, kind: FaultKind, method: str, path: str) -> bool:
        """Spring one armed fault of ``kind`` matching this request, if any.

        ``path`` is relative to ``/api/v1``.
        """
        with self._lock:
            for armed in self._armed:
                if armed.matches(kind, method, path):
                    armed.remaining -= 1
                    if armed.remaining == 0:
                        self._armed.remove(armed)
                    return True
        return False
