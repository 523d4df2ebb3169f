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
    """Run ``head VALUES (...), (...) tail`` over ``rows``, as few statements as fit.

    ``head`` is the statement up to ``VALUES`` (``INSERT INTO t (a, b)``); ``tail``
    may add an ``ON CONFLICT`` clause. Every row must have the same width. A
    statement holds as many rows as SQLite's parameter limit allows (32,766 by
    default, 250,000 in Debian's build).
    """
    if not rows:
        return
    driver: Any = conn.connection.driver_connection
    width = len(rows[0])
    marks = "(" + ", ".join("?" * width) + ")"
    per = max(1, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width)
    for start in range(0, len(rows), per):
        batch = rows[start:start + per]
        driver.execute(f"{head} VALUES {', '.join([marks] * len(batch))} {tail}",
                       tuple(chain.from_iterable(batch)))
