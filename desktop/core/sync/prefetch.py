"""Fetch the next page while the current one is written to the mirror.

A scan is a chain of round trips; with the network and SQLite taking turns, the
total is their sum. A small read-ahead makes it their maximum instead, which on a
real connection (tens to hundreds of milliseconds a page) hides the local work.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


@contextmanager
def read_ahead(source: Iterator[T], depth: int = 2) -> Iterator[Iterator[T]]:
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

    def consume() -> Iterator[T]:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    worker = threading.Thread(target=produce, name="sync-read-ahead", daemon=True)
    worker.start()
    try:
        yield consume()
    finally:
        stop.set()
        worker.join()
