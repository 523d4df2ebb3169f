"""The ordered ids of a query and the rows read for them: what the job list's model
and each board column's model hold.

As in Anki's browser, a model keeps only ids; the rows a view paints are read a
chunk at a time, in one query, and cached here. A job gone from the mirror since its
id was listed is cached as ``MISSING`` like any other row, so painting it again does
not read the store again: the next re-read of the id list drops it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from desktop.core.store import JobRecord, Store
from desktop.ui.jobs.rows import MISSING, RowView, row_view


class IdList:
    def __init__(self, store: Store, *, chunk: int, limit: int) -> None:
        self._store = store
        #: Rows read per query: small enough that reading one stays well inside a frame.
        self._chunk = chunk
        #: Rows kept; past this, the cache starts again from the rows being read.
        self._limit = limit
        self._ids: list[int] = []
        #: Each id's row, worked out on first use after the order changed.
        self._positions: dict[int, int] | None = None
        self._rows: dict[int, RowView] = {}
        #: The day rows are dated against ("Today", overdue): the day they were read.
        self._today = date.today()

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

    def row(self, row: int) -> RowView:
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
        records = self._store.rows(wanted)
        for local_id in wanted:
            record = records.get(local_id)
            self._rows[local_id] = row_view(record, self._today) if record else MISSING

    def add(self, records: Iterable[JobRecord]) -> None:
        """Cache rows read elsewhere (a first page read with the query itself)."""
        self._rows.update((r.local_id, row_view(r, self._today)) for r in records)

    def forget(self, local_id: int) -> bool:
        """Read this row again when it is next painted (it was edited); whether it had
        been read."""
        return self._rows.pop(local_id, None) is not None

    def clear_rows(self) -> None:
        """Read every row again as it is painted, dated from today."""
        self._rows.clear()
        self._today = date.today()

    def keep_listed(self) -> None:
        """Drop the cached rows of jobs no longer in the list."""
        listed = set(self._ids)
        self._rows = {i: v for i, v in self._rows.items() if i in listed}

    def keep_near(self, first: int, last: int) -> None:
        """Past the limit, keep only the rows around ``first``..``last`` (those in sight)."""
        if len(self._rows) > self._limit:
            near = set(self._ids[max(0, first - self._limit // 2):last + self._limit // 2])
            self._rows = {i: v for i, v in self._rows.items() if i in near}
