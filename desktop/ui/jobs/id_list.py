"""The job list's and each board column's ``WindowedIds``: rows are ``RowView``s,
dated against the day they were read ("Today", overdue)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from desktop.core.store import JobRecord, Store
from desktop.ui.jobs.rows import MISSING, RowView, row_view
from desktop.ui.windowed_ids import WindowedIds


class IdList(WindowedIds[RowView]):
    def __init__(self, store: Store, *, chunk: int, limit: int) -> None:
        super().__init__(self._views, MISSING, chunk=chunk, limit=limit)
        self._store = store
        #: The day rows are dated against ("Today", overdue): the day they were read.
        self._today = date.today()

    def _views(self, local_ids: Sequence[int]) -> dict[int, RowView]:
        return {i: row_view(r, self._today) for i, r in self._store.rows(local_ids).items()}

    def add(self, records: Iterable[JobRecord]) -> None:
        """Cache rows read elsewhere (a first page read with the query itself)."""
        self._rows.update((r.local_id, row_view(r, self._today)) for r in records)

    def clear_rows(self) -> None:
        """Read every row again as it is painted, dated from today."""
        super().clear_rows()
        self._today = date.today()
