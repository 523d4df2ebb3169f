"""Stored responses for ``Idempotency-Key`` replays, forgotten after 24 hours."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

KEEP_FOR: Final = timedelta(hours=24)
MAX_KEY_LENGTH: Final = 255


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    stored_at: datetime


class IdempotencyCache:
    """Responses by (endpoint, key); an endpoint is ``"PUT /jobs/<uuid>"`` and the like.

    ``lock`` is held by the server from lookup to store, so two requests racing with
    the same key cannot both execute.
    """

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self.lock = threading.RLock()
        self._stored: OrderedDict[tuple[str, str], StoredResponse] = OrderedDict()

    def _forget_expired(self) -> None:
        cutoff = self._clock() - KEEP_FOR
        while self._stored:
            oldest = next(iter(self._stored.values()))
            if oldest.stored_at > cutoff:
                break
            self._stored.popitem(last=False)

    def get(self, endpoint: str, key: str) -> StoredResponse | None:
        with self.lock:
            self._forget_expired()
            found = self._stored.get((endpoint, key))
        # Checked again here: after the clock is set back, insertion order is not age order.
        if found is None or found.stored_at <= self._clock() - KEEP_FOR:
            return None
        return found

    def put(
        self, endpoint: str, key: str, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        with self.lock:
            self._stored[(endpoint, key)] = StoredResponse(
                status, body, tuple(headers.items()), self._clock()
            )
            self._stored.move_to_end((endpoint, key))


def key_problem(key: str) -> str | None:
    """Why an ``Idempotency-Key`` header value is refused, or ``None``."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters"
    if not all(" " <= ch <= "~" for ch in key):
        return "Idempotency-Key must be printable ASCII"
    return None
