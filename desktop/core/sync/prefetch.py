"""Fetch the next page while the current one is written to the mirror.

A scan is a chain of round trips; with the network and SQLite taking turns, the
total is their sum. A read-ahead of a few pages makes it their maximum instead,
which on a real connection (tens to hundreds of milliseconds a page) hides the
local work.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
_DONE = object()


class Prefetched(Generic[T]):
    """The items a worker has read ahead, one at a time or as many as have arrived."""

    def __init__(self, items: queue.Queue[object]) -> None:
        self._items = items
        # The end or an error, once taken from the queue: owed to the next batch, and
        # to every iteration after it, since the worker sends nothing more.
        self._held: object | None = None

    def __iter__(self) -> Iterator[T]:
        for batch in self.batches(1):
            yield batch[0]

    def batches(self, most: int) -> Iterator[list[T]]:
        """Wait for the next item, then take up to ``most`` of those already read.

        On a slow connection that is one page at a time; when pages arrive faster
        than they are written, several are written together.
        """
        while True:
            item = self._held if self._held is not None else self._items.get()
            self._held = None
            if item is _DONE or isinstance(item, BaseException):
                self._held = item  # the source is finished: every later call ends so
                if isinstance(item, BaseException):
                    raise item
                return
            batch: list[T] = [item]  # type: ignore[list-item]
            while len(batch) < most:
                try:
                    item = self._items.get_nowait()
                except queue.Empty:
                    break
                if item is _DONE or isinstance(item, BaseException):
                    # Delivered after this batch, at its place in the sequence.
                    self._held = item
                    break
                batch.append(item)  # type: ignore[arg-type]
            yield batch


@contextmanager
def read_ahead(source: Iterator[T], depth: int = 2) -> Iterator[Prefetched[T]]:
    """Iterate ``source`` on a worker thread, at most ``depth`` items ahead.

    An exception in ``source`` is raised in the consumer at that point of the
    sequence. Leaving the block early stops the worker after its current item.
    """
    items: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not offer(item):
                    return
        except BaseException as exc:  # handed to the consumer, re-raised there
            offer(exc)
            return
        offer(_DONE)

    worker = threading.Thread(target=produce, name="sync-read-ahead", daemon=True)
    worker.start()
    try:
        yield Prefetched(items)
    finally:
        stop.set()
        worker.join()
