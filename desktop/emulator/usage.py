"""The company's monthly request counter, reset by the emulator clock's calendar."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Final

from .clock import first_of_next_month, format_timestamp

DEFAULT_MONTHLY_LIMIT: Final = 50_000
LIMIT_MESSAGE: Final = "Monthly usage limit reached. Usage resets on the first of next month."


class UsageMeter:
    """Counts requests per calendar month (UTC); thread-safe."""

    def __init__(self, clock: Callable[[], datetime], limit: int = DEFAULT_MONTHLY_LIMIT) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._count = 0
        self._limit = limit
        self._month = self._current_month()

    def now(self) -> datetime:
        """The company's clock (the emulator's, which tests may move)."""
        return self._clock()

    def _current_month(self) -> tuple[int, int]:
        now = self._clock()
        return now.year, now.month

    def _roll(self) -> None:
        month = self._current_month()
        if month != self._month:
            self._month, self._count = month, 0

    @property
    def count(self) -> int:
        with self._lock:
            self._roll()
            return self._count

    @count.setter
    def count(self, value: int) -> None:
        with self._lock:
            self._roll()
            self._count = value

    @property
    def limit(self) -> int:
        return self._limit

    @limit.setter
    def limit(self, value: int) -> None:
        with self._lock:
            self._limit = value

    def consume(self) -> bool:
        """Count one request; ``False`` (and nothing counted) once the limit is reached."""
        with self._lock:
            self._roll()
            if self._count >= self._limit:
                return False
            self._count += 1
            return True

    def headers(self) -> dict[str, str]:
        """``X-Usage-*`` as of now, for every response."""
        with self._lock:
            self._roll()
            count, limit = self._count, self._limit
        return {
            "X-Usage-Count": str(count),
            "X-Usage-Limit": str(limit),
            "X-Usage-Resets": format_timestamp(first_of_next_month(self._clock())),
        }
