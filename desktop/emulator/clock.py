"""The emulator's sense of time: a real (or injected) clock that tests can shift.

Timestamps, idempotency expiry and the monthly usage reset all read this clock, so a
test can move a month forward in one call instead of waiting for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

TimeSource = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """UTC ISO-8601 with milliseconds and ``Z``, as the API writes every timestamp."""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds") + "Z"


def parse_timestamp(text: str) -> datetime:
    """The inverse of ``format_timestamp``; naive input is taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def first_of_next_month(moment: datetime) -> datetime:
    utc = moment.astimezone(UTC)
    if utc.month == 12:
        return datetime(utc.year + 1, 1, 1, tzinfo=UTC)
    return datetime(utc.year, utc.month + 1, 1, tzinfo=UTC)


class Clock:
    """``source()`` plus an offset that ``set`` and ``advance`` move; thread-safe.

    Shifting rather than freezing keeps time flowing between requests (so
    ``updated_at`` still moves on its own) while letting a test jump ahead.
    """

    def __init__(self, source: TimeSource = utc_now) -> None:
        self._source = source
        self._offset = timedelta()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            offset = self._offset
        return (self._source() + offset).astimezone(UTC)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("Clock.set needs an aware datetime")
        with self._lock:
            self._offset = moment - self._source()

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._offset += delta
