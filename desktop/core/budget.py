"""The request-quota governor: how much this device may spend, and on what.

The company's 50,000 requests a month are shared by every device. Each device
takes at most its share (default 20%) of what remains, spread evenly over the days
left until the reset, and never touches the last 2% except to push local changes:
losing a technician's edit is worse than a stale list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

RESERVE_FRACTION = 0.02
FULL_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class Quota:
    count: int
    limit: int
    resets_at: datetime


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class Governor:
    share_percent: int = 20

    def daily_allowance(self, usage: Quota | None, now: datetime) -> float:
        """Requests this device may spend today; unlimited until usage is known."""
        if usage is None:
            return math.inf
        remaining = max(0, usage.limit - usage.count)
        days_left = max(1.0, (usage.resets_at - now).total_seconds() / 86_400)
        return self.share_percent / 100 * remaining / days_left

    def in_reserve(self, usage: Quota | None) -> bool:
        return usage is not None and usage.count >= usage.limit * (1 - RESERVE_FRACTION)

    def may_pull(self, usage: Quota | None, now: datetime, spent_today: int,
                 cost: int) -> Decision:
        if self.in_reserve(usage):
            return Decision(False, "the last 2% of the monthly quota is kept for pushing "
                                   "local changes")
        allowance = self.daily_allowance(usage, now)
        if spent_today + cost > allowance:
            return Decision(False, f"this device's share for today is spent "
                                   f"({spent_today} of {allowance:.0f} requests)")
        return Decision(True)

    def full_due(self, last_full: datetime | None, now: datetime) -> bool:
        return last_full is None or now - last_full >= FULL_EVERY
