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

from PySide6.QtCore import QObject, Qt, QTimer, Signal

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

    def close(self, *, finish_queued: bool = False) -> None:
        """Wait for the running piece and deliver nothing more. Queued work is dropped
        (reads nobody will see), or done first with ``finish_queued`` (writes)."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=not finish_queued)


class LatestReads(QObject):
    """A view's reads on the shared reader, where only the latest answers count.

    ``restart`` marks the reads under way as out of date (new filters, a refresh):
    their answers are dropped on arrival rather than drawn over newer ones. ``busy``
    says whether any read is still out, which is what a view's ``settled`` reports.
    """

    def __init__(self, runner: TaskRunner, parent: QObject) -> None:
        super().__init__(parent)
        self._runner = runner
        self._generation = 0
        self._out = 0

    @property
    def busy(self) -> bool:
        return self._out > 0

    def restart(self) -> None:
        self._generation += 1

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        after_ms: int = 0,
    ) -> None:
        """Run ``work`` on the reader ``after_ms`` from now (next time round the event
        loop at the least) unless a restart comes first; ``on_done`` (or ``on_error``)
        gets its answer unless one comes before it arrives."""
        generation = self._generation
        self._out += 1

        def current() -> bool:
            self._out -= 1
            return generation == self._generation

        def done(result: T) -> None:
            if current():
                on_done(result)

        def failed(error: BaseException) -> None:
            if not current():
                log.warning("a read that was out of date failed", exc_info=error)
            elif on_error is not None:
                on_error(error)
            else:
                raise error

        def start() -> None:
            if generation != self._generation:
                self._out -= 1
                return
            self._runner.run(work, done, failed)

        # Even with no delay, from the event loop: a restart in the same turn (a
        # refresh on showing a view, then its new filters) then costs no read.
        QTimer.singleShot(after_ms, self, start)
