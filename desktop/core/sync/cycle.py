"""State shared by the pull and push halves of one sync cycle."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from desktop.core.api import ApiClient
from desktop.core.store import Store
from desktop.core.store.outbox import DuplicateCopy
from desktop.core.sync.report import SyncReport

Progress = Callable[[str, int, int], None]

#: What one record's bad data or odd history can raise while it is merged or sent.
#: Caught around that record alone, so it is marked and everything else syncs on; a
#: full disk or a locked database is not among them and still stops the cycle.
JOB_TROUBLE: tuple[type[Exception], ...] = (
    IntegrityError, DuplicateCopy, ValueError, KeyError, TypeError)


class ScanStopped(Exception):
    """A scan ended early: the server's pages could not be trusted, or the cycle's
    budget for pulling is spent (then the next cycle resumes where this one stopped)."""

    def __init__(self, reason: str, *, server_fault: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.server_fault = server_fault


class SyncCancelled(Exception):
    """The cycle was asked to stop; it stops between two committed steps."""


@dataclass
class Cycle:
    store: Store
    client: ApiClient
    report: SyncReport
    clock: Callable[[], datetime]
    my_user_id: str | None
    progress: Progress | None = None
    #: Server uuids whose record this cycle already read: their base is current, so a
    #: push needs no extra GET before its PUT.
    fresh: set[str] = field(default_factory=set)
    cancel: threading.Event = field(default_factory=threading.Event)
    #: Requests the pull may send this cycle; pushing local changes is never limited.
    pull_budget: float = math.inf
    #: ``client.requests_sent`` when the pull began.
    pull_start: int = 0
    #: What of the pull's budget reads that can wait may still spend (see
    #: ``budget.Plan.spare``); the scan takes from it as it reads them.
    spare: float = math.inf

    def pull_left(self) -> float:
        """Requests the pull may still send this cycle."""
        return self.pull_budget - (self.client.requests_sent - self.pull_start)

    def charge(self, requests: int, what: str) -> None:
        """Stop the scan here unless ``requests`` more fit in the pull's budget."""
        if requests > self.pull_left():
            raise ScanStopped(
                f"{what} left for a later cycle: this cycle's budget for pulling "
                f"({self.pull_budget:.0f} requests) is spent", server_fault=False)

    def step(self, phase: str, done: int, total: int) -> None:
        """A step has been committed: report it, and stop here if asked to."""
        if self.progress is not None:
            self.progress(phase, done, total)
        if self.cancel.is_set():
            raise SyncCancelled
