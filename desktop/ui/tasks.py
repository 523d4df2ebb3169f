"""Work off the GUI thread, with the result handed back on the GUI thread.

Like Anki's task manager: a worker runs a plain function; a queued signal brings
the result (or the exception) back, where a callback updates widgets. Results of a
runner closed meanwhile are dropped, so a closing window never gets a late call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)
T = TypeVar("T")


class TaskRunner(QObject):
    """Runs functions one at a time on its own thread, in the order given."""

    _finished = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"jobdesk-{name}")
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        if self._closed:
            return
        future = self._pool.submit(work)
        future.add_done_callback(lambda f: self._finished.emit((f, on_done, on_error)))

    def _deliver(self, item: tuple[Future[Any], Callable[[Any], None],
                                   Callable[[BaseException], None] | None]) -> None:
        future, on_done, on_error = item
        if self._closed or future.cancelled():
            return
        error = future.exception()
        if error is None:
            on_done(future.result())
        elif on_error is not None:
            on_error(error)
        else:
            log.error("background task on %s failed", self._name, exc_info=error)
            raise error

    def close(self) -> None:
        """Drop queued work, wait for the running piece, and deliver nothing more."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
