"""State shared by the pull and push halves of one sync cycle."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from desktop.core.api import ApiClient
from desktop.core.store import Store
from desktop.core.sync.report import SyncReport

Progress = Callable[[str, int, int], None]


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

    def step(self, phase: str, done: int, total: int) -> None:
        """A step has been committed: report it, and stop here if asked to."""
        if self.progress is not None:
            self.progress(phase, done, total)
        if self.cancel.is_set():
            raise SyncCancelled
