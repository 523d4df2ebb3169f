"""The sync read-ahead: order, batches of what has arrived, errors in place."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from desktop.core.sync.prefetch import read_ahead


def _worker_done() -> None:
    """Wait until the read-ahead worker has queued everything it will."""
    for thread in threading.enumerate():
        if thread.name == "sync-read-ahead":
            thread.join(timeout=10)
            assert not thread.is_alive()


def test_one_at_a_time_keeps_the_order() -> None:
    with read_ahead(iter(range(50)), depth=3) as ahead:
        assert list(ahead) == list(range(50))
        assert list(ahead.batches(5)) == [], "a finished read-ahead stays finished"


def test_batches_take_what_has_arrived_and_wait_for_the_rest() -> None:
    gate = threading.Event()

    def source() -> Iterator[int]:
        yield 0
        gate.wait(timeout=10)  # the first item arrives alone
        yield from range(1, 7)

    with read_ahead(source(), depth=4) as ahead:
        batches = ahead.batches(4)
        assert next(batches) == [0]
        gate.set()
        rest = [n for batch in batches for n in batch]
    assert rest == list(range(1, 7))


def test_a_batch_is_as_large_as_what_is_waiting() -> None:
    with read_ahead(iter(range(10)), depth=11) as ahead:
        _worker_done()
        sizes = [len(batch) for batch in ahead.batches(4)]
    assert sizes == [4, 4, 2]


def test_an_error_comes_after_the_items_before_it() -> None:
    def source() -> Iterator[int]:
        yield from range(3)
        raise RuntimeError("page 3 failed")

    seen: list[int] = []
    with read_ahead(source(), depth=6) as ahead:
        _worker_done()
        with pytest.raises(RuntimeError, match="page 3 failed"):
            for batch in ahead.batches(8):
                seen.append(len(batch))
        with pytest.raises(RuntimeError, match="page 3 failed"):
            next(iter(ahead))
    assert seen == [3], "the items before the error arrive together, then the error"
