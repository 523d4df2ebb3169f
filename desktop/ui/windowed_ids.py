"""The ordered ids of a list and the rows read for them a window at a time: what the
job list, each board column and the Customers page hold.

As in Anki's browser, a model keeps only ids; the rows a view paints are read a
chunk at a time, in one query, and cached here. A record gone from the mirror since
its id was listed is cached as the ``missing`` row like any other, so painting it
again does not read the store again: the next re-read of the id list drops it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Generic, TypeVar

Row = TypeVar("Row")


class WindowedIds(Generic[Row]):
    def __init__(self, read: Callable[[Sequence[int]], Mapping[int, Row]], missing: Row, *,
                 chunk: int, limit: int) -> None:
        #: The rows of some ids, in one query; an id gone from the mirror is left out.
        self._read = read
        self._missing = missing
        #: Rows read per query: small enough that reading one stays well inside a frame.
        self._chunk = chunk
        #: Rows kept; past this, the cache starts again from the rows being read.
        self._limit = limit
        self._ids: list[int] = []
        #: Each id's row, worked out on first use after the order changed.
        self._positions: dict[int, int] | None = None
        self._rows: dict[int, Row] = {}

    # -- the order ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> Sequence[int]:
        return self._ids

    def set_ids(self, ids: list[int]) -> None:
        self._ids = ids
        self._positions = None

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, local_id: int) -> int | None:
        if self._positions is None:
            self._positions = {i: n for n, i in enumerate(self._ids)}
        return self._positions.get(local_id)

    def insert(self, row: int, local_id: int) -> None:
        self._ids.insert(row, local_id)
        self._positions = None

    def remove(self, row: int) -> None:
        self._rows.pop(self._ids.pop(row), None)
        self._positions = None

    # -- the rows -----------------------------------------------------------------------

    def row(self, row: int) -> Row:
        """The row at ``row``, read with its chunk if it is not cached."""
        local_id = self._ids[row]
        if local_id not in self._rows:
            self.read_chunk(row)
        return self._rows[local_id]

    def cached(self, row: int) -> bool:
        return self._ids[row] in self._rows

    def read_chunk(self, row: int) -> None:
        """Read the uncached rows of the chunk holding ``row``, in one query."""
        if len(self._rows) > self._limit:
            self._rows.clear()
        start = row - row % self._chunk
        wanted = [i for i in self._ids[start:start + self._chunk] if i not in self._rows]
        found = self._read(wanted)
        for local_id in wanted:
            self._rows[local_id] = found.get(local_id, self._missing)

    def forget(self, local_id: int) -> bool:
        """Read this row again when it is next painted (it was edited); whether it had
        been read."""
        return self._rows.pop(local_id, None) is not None

    def clear_rows(self) -> None:
        """Read every row again as it is painted."""
        self._rows.clear()

    def keep_listed(self) -> None:
        """Drop the cached rows of records no longer in the list."""
        listed = set(self._ids)
        self._rows = {i: v for i, v in self._rows.items() if i in listed}

    def keep_near(self, first: int, last: int) -> None:
        """Past the limit, keep only the rows around ``first``..``last`` (those in sight)."""
        if len(self._rows) > self._limit:
            near = set(self._ids[max(0, first - self._limit // 2):last + self._limit // 2])
            self._rows = {i: v for i, v in self._rows.items() if i in near}
