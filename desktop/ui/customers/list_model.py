"""The customer list: a model holding the ordered ids of a search; the rows a view
paints are read a window at a time (``WindowedIds``), so 20,000 customers list as
fast as twenty."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from desktop.core.store import CustomerRecord, Store
from desktop.ui.windowed_ids import WindowedIds

ID_ROLE = Qt.ItemDataRole.UserRole + 3
_Index = QModelIndex | QPersistentModelIndex
_MISSING = CustomerRecord(values={}, local_id=0)
_SYNC_TEXT = {"pending": "Waiting to sync", "rejected": "Refused by the server"}


def _city(c: CustomerRecord) -> str:
    return c["physical_city"] or ""


COLUMNS: tuple[tuple[str, Any], ...] = (
    ("Name", lambda c: c.display_name),
    ("Company", lambda c: c.company_name or ""),
    ("Phone", lambda c: c.phone or ""),
    ("Email", lambda c: c.email or ""),
    ("City", _city),
    ("Type", lambda c: c["customer_type"] or ""),
    ("VIP", lambda c: "★ VIP" if c["is_vip"] else ""),
    ("Sync", lambda c: _SYNC_TEXT.get(c.sync_state, "")),
)


class CustomerListModel(QAbstractTableModel):
    #: Rows read per query, and kept at most.
    CHUNK = 60
    CACHE_LIMIT = 2000

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._list = WindowedIds(store.customer_rows, _MISSING, chunk=self.CHUNK,
                                 limit=self.CACHE_LIMIT)

    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._list.set_ids(ids)
        self._list.clear_rows()
        self.endResetModel()

    def update_ids(self, ids: list[int]) -> None:
        """The whole list read again, keeping the view's place where it can: the same
        customers are read again as they are painted, and the rest of a list whose
        first page is shown are added after it. A list that changed is replaced."""
        shown = list(self._list.ids)
        if ids == shown:
            self._list.clear_rows()
            if ids:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(ids) - 1, len(COLUMNS) - 1))
        elif shown == ids[:len(shown)]:
            self.beginInsertRows(QModelIndex(), len(shown), len(ids) - 1)
            self._list.set_ids(ids)
            self.endInsertRows()
        else:
            self.set_ids(ids)

    def forget(self, local_ids: list[int]) -> None:
        """Read these customers again when they are next painted (they were edited)."""
        for local_id in local_ids:
            self._list.forget(local_id)
            row = self._list.row_of(local_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def id_at(self, row: int) -> int | None:
        return self._list.id_at(row)

    def row_of(self, local_id: int) -> int | None:
        return self._list.row_of(local_id)

    def customer_at(self, row: int) -> CustomerRecord | None:
        found = self._list.row(row)
        return None if found is _MISSING else found

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._list)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == ID_ROLE:
            return self._list.id_at(index.row())
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        customer = self.customer_at(index.row())
        if customer is None:
            return "(no longer here)" if index.column() == 0 else ""
        text = str(COLUMNS[index.column()][1](customer))
        if role == Qt.ItemDataRole.ToolTipRole and customer.last_error and index.column() == 7:
            return customer.last_error
        return text

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None
