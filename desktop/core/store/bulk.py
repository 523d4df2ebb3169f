"""Writing many rows in few statements.

pysqlite's ``executemany`` releases and retakes the interpreter lock around every
row. While another Python thread is busy (a sync's read-ahead parsing the next
page), each retake can wait out a whole switch interval: inserting 100,000 jobs
took 8 s alone and 13 minutes beside one busy thread. A multi-row ``VALUES`` list
hands the lock over a few times per statement instead, and SQLite inserts the
whole batch in one step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

from sqlalchemy import Connection


def insert_rows(conn: Connection, head: str, rows: Sequence[Sequence[Any]],
                tail: str = "") -> None:
    """Run ``head VALUES (...), (...) tail`` over ``rows``, in few statements.

    ``head`` is the statement up to ``VALUES`` (``INSERT INTO t (a, b)``); ``tail``
    may add an ``ON CONFLICT`` clause. Every row must have the same width.

    Batches hold a power of two of rows, as large as SQLite's parameter limit
    allows (32,766 parameters by default, 250,000 in Debian's build). The driver
    keeps each statement it prepares, at about 4 KB a row: with one shape per row
    count, a sync's pages of every size left 21 MB of statements on a connection;
    powers of two leave a dozen shapes at most, about 3 MB for a sync's batches.
    """
    if not rows:
        return
    driver: Any = conn.connection.driver_connection
    width = len(rows[0])
    marks = "(" + ", ".join("?" * width) + ")"
    fits = max(1, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width)
    largest = 1 << (fits.bit_length() - 1)
    start = 0
    while start < len(rows):
        size = min(largest, 1 << ((len(rows) - start).bit_length() - 1))
        batch = rows[start:start + size]
        driver.execute(f"{head} VALUES {', '.join([marks] * size)} {tail}",
                       tuple(chain.from_iterable(batch)))
        start += size
