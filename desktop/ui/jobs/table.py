"""The job list: a model that holds only the ordered ids of the current query.

As in Anki's browser, the query (filters, search, sort) runs in SQL and yields ids;
rows are read a chunk at a time, in one query, only when the view paints them, and
kept in a small cache (``IdList``). A new query shows its first page at once from a cheap
``LIMIT`` read and fills in the full id list from a worker thread, so even a
100,000-job sort never holds up the window.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktop.core.store import JobQuery, JobRecord
from desktop.ui.jobs.id_list import IdList
from desktop.ui.jobs.row_painting import Colours, FittedText, RowPainter
from desktop.ui.jobs.rows import COLUMNS, SORT_COLUMNS, SYNC_COLUMN, RowView
from desktop.ui.session import Session

ID_ROLE = Qt.ItemDataRole.UserRole + 3
#: The Title column's room, kept first when the list is narrow: the other columns
#: scroll sideways before the title is cut to a letter.
TITLE_ROOM = 240
TITLE_COLUMN = SORT_COLUMNS["title"]
_Index = QModelIndex | QPersistentModelIndex


class JobTableModel(QAbstractTableModel):
    #: The number of matching jobs, once the full id list is in.
    total_changed = Signal(int)

    #: Rows read at once for a new query: a screenful and some; the rest follow.
    FIRST_PAGE = 50
    #: Rows read per query: small enough that reading one stays well inside a frame.
    CHUNK = 50
    #: Rows kept; past this, rows far from the visible ones are dropped.
    CACHE_LIMIT = 3000

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._query: JobQuery | None = None
        self._list = IdList(session.store, chunk=self.CHUNK, limit=self.CACHE_LIMIT)
        self._generation = 0
        self._loading = False
        self._complete = True
        self.sort_key = "scheduled"
        self.descending = False
        self._ahead: tuple[int, int] = (0, 0)
        self._prefetch = QTimer(self, singleShot=True, interval=0)
        self._prefetch.timeout.connect(self._prefetch_step)

    # -- what the list shows ---------------------------------------------------------

    @property
    def query(self) -> JobQuery | None:
        return self._query

    @property
    def complete(self) -> bool:
        """Whether every matching id is in (not just the first page)."""
        return self._complete

    @property
    def loading(self) -> bool:
        """Whether a read of the id list is under way."""
        return self._loading

    def set_query(self, query: JobQuery | None) -> None:
        """Show a new query: its first page now, the rest as soon as the worker has it."""
        self._generation += 1
        self._loading = False
        self._query = query
        first: list[JobRecord] = []
        if query is not None:
            first = self._session.store.page(query, 0, self.FIRST_PAGE)
        self.beginResetModel()
        self._list.set_ids([r.local_id for r in first])
        self._list.clear_rows()
        self._list.add(first)
        self._complete = len(first) < self.FIRST_PAGE
        self.endResetModel()
        if self._complete:
            self.total_changed.emit(len(self._list))
        else:
            self._load_ids(self._extend)

    def refresh(self) -> None:
        """Read the same query again (the data changed); the view keeps its place."""
        if self._query is None:
            return
        self._generation += 1
        self._load_ids(self._replace)

    def invalidate(self, local_ids: list[int]) -> None:
        """Re-read these rows on next paint (edited here; the id list follows later)."""
        for local_id in local_ids:
            # A row never read is read when first painted: only a cached one is told
            # (finding its row maps every id of the list anew after each re-read).
            if not self._list.forget(local_id):
                continue
            row = self.row_of(local_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def id_at(self, row: int) -> int | None:
        return self._list.id_at(row)

    def row_of(self, local_id: int) -> int | None:
        return self._list.row_of(local_id)

    def ids(self) -> list[int]:
        return list(self._list.ids)

    # -- loading -----------------------------------------------------------------------

    def _load_ids(self, apply: Any) -> None:
        generation, query, store = self._generation, self._query, self._session.store
        assert query is not None
        self._loading = True

        def start() -> None:
            if generation == self._generation:
                self._session.reads.run(lambda: store.ids(query),
                                        lambda ids: apply(generation, ids))

        # After the pending repaint: the worker's Python work would otherwise share
        # the GIL with the very paint that shows the new rows.
        QTimer.singleShot(0, self, start)

    def _extend(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        shown = len(self._list)
        if ids[:shown] != self._list.ids:
            self._replace(generation, ids)
            return
        if len(ids) > shown:
            self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
            self._list.set_ids(ids)
            self.endInsertRows()
        self._complete = True
        self.total_changed.emit(len(ids))

    def _replace(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._complete = True
        if ids == self._list.ids:
            self._list.clear_rows()
            if ids:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(ids) - 1, len(COLUMNS) - 1))
        else:
            self.beginResetModel()
            self._list.set_ids(ids)
            self._list.clear_rows()
            self.endResetModel()
        self.total_changed.emit(len(ids))

    def row_at(self, row: int) -> RowView:
        return self._list.row(row)

    def painted(self, first: int, last: int) -> None:
        """Rows first..last were just shown: read a screenful either side while the
        app is idle, so the next scroll step paints from memory, not from disk."""
        span = last - first + 1
        self._ahead = (max(0, first - span), min(len(self._list), last + 1 + span))
        self._list.keep_near(first, last)
        self._prefetch.start()

    def _prefetch_step(self) -> None:
        # The list may have been re-read since the paint that asked.
        start, end = self._ahead
        for row in range(start, min(end, len(self._list))):
            if not self._list.cached(row):
                self._list.read_chunk(row)
                # One chunk per idle moment; input and paints go first.
                self._prefetch.start()
                return

    # -- Qt model interface ---------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._list)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.row_at(index.row()).texts[column]
        if role == ID_ROLE:
            return self._list.id_at(index.row())
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == SYNC_COLUMN:
                return row.sync_tip or "In step with the server"
            text = row.texts[column]
            return text if len(text) > 14 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[column].right:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = row.texts[column]
            return f"{COLUMNS[column].title}: {text or 'none'}"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{COLUMNS[section].tooltip}. Click to sort."
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the query's ORDER BY: change it and read the ids again."""
        self.sort_key = COLUMNS[column].sort
        self.descending = order == Qt.SortOrder.DescendingOrder
        if self._query is not None and (self._query.sort, self._query.descending) != (
                self.sort_key, self.descending):
            self.set_query(replace(self._query, sort=self.sort_key, descending=self.descending))


class JobTableView(QTableView):
    """The list widget: fixed row heights (cheap at 100,000 rows), whole-row selection,
    the selection kept by job id when the list is re-read, and an empty-state note."""

    current_job_changed = Signal(object)  # int | None

    def __init__(self, model: JobTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self._model = model
        self._empty_text = "No jobs here"
        self._kept: tuple[int | None, list[int], int] = (None, [], 0)
        self.setAccessibleName("Jobs")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 14)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for number, column in enumerate(COLUMNS):
            self.setColumnWidth(number, column.width)
        header.sectionResized.connect(self._section_resized)
        self._italic = QFont(self.font())
        self._italic.setItalic(True)
        self._fitted = FittedText()
        header.setSortIndicator(SORT_COLUMNS[model.sort_key], Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        model.modelAboutToBeReset.connect(self._keep_place)
        model.modelReset.connect(self._restore_place)
        self.selectionModel().currentRowChanged.connect(self._current_row_changed)

    def fit_title(self) -> None:
        """The Title takes what the other columns leave, and never less than its room."""
        header = self.horizontalHeader()
        # A window state saved when the Title stretched would cut it short again.
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Interactive)
        others = sum(header.sectionSize(i) for i in self.visible_columns() if i != TITLE_COLUMN)
        header.resizeSection(TITLE_COLUMN, max(TITLE_ROOM, self.viewport().width() - others))

    def _section_resized(self, logical: int, _old: int, _new: int) -> None:
        if logical != TITLE_COLUMN:
            self.fit_title()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_title()

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.viewport().update()

    def current_id(self) -> int | None:
        index = self.currentIndex()
        return self._model.id_at(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        ids = [self._model.id_at(r) for r in rows]
        chosen = [i for i in ids if i is not None]
        current = self.current_id()
        return chosen or ([current] if current is not None else [])

    def visible_columns(self) -> list[int]:
        """The shown columns (indexes into ``COLUMNS``) in the order the user sees them."""
        header = self.horizontalHeader()
        logical = (header.logicalIndex(visual) for visual in range(header.count()))
        return [i for i in logical if not header.isSectionHidden(i)]

    def select_job(self, local_id: int) -> bool:
        row = self._model.row_of(local_id)
        if row is None:
            return False
        index = self._model.index(row, 0)
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.scrollTo(index)
        return True

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_job_changed.emit(self._model.id_at(current.row())
                                      if current.isValid() else None)

    def _keep_place(self) -> None:
        self._kept = (self.current_id(), self.selected_ids(), self.verticalScrollBar().value())

    def _restore_place(self) -> None:
        current, selected, scroll = self._kept
        self.verticalScrollBar().setValue(scroll)
        selection = QItemSelection()
        for local_id in selected:
            row = self._model.row_of(local_id)
            if row is not None:
                selection.select(self._model.index(row, 0),
                                 self._model.index(row, len(COLUMNS) - 1))
        model = self.selectionModel()
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        row = self._model.row_of(current) if current is not None else None
        if row is not None:
            model.setCurrentIndex(self._model.index(row, 0),
                                  QItemSelectionModel.SelectionFlag.NoUpdate)
        else:
            self.current_job_changed.emit(None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._italic = QFont(self.font())
            self._italic.setItalic(True)
            self._fitted.clear()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint the visible rows in one pass (see ``row_painting`` for why)."""
        viewport = self.viewport()
        painter = QPainter(viewport)
        rows = self._model.rowCount()
        colours = Colours.of(self.palette(), self.hasFocus())
        painter.fillRect(event.rect(), colours.base)
        if rows == 0:
            if self._model.complete:
                painter.setPen(self.palette().placeholderText().color())
                area: QRect = viewport.rect().adjusted(24, 24, -24, -24)
                painter.drawText(area, Qt.AlignmentFlag.AlignHCenter
                                 | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                                 self._empty_text)
            painter.end()
            return
        header = self.horizontalHeader()
        columns = [(logical, header.sectionViewportPosition(logical), header.sectionSize(logical))
                   for logical in self.visible_columns()]
        rows_painter = RowPainter(painter, columns=columns,
                                  height=self.verticalHeader().defaultSectionSize(),
                                  width=viewport.width(), colours=colours,
                                  fonts=(self.font(), self._italic), fitted=self._fitted)
        region = event.rect()
        first = max(0, self.rowAt(region.top()))
        last = self.rowAt(region.bottom())
        last = rows - 1 if last < 0 else last
        selection = self.selectionModel()
        root = QModelIndex()
        for row in range(first, last + 1):
            rows_painter.paint(self._model.row_at(row), self.rowViewportPosition(row),
                               selected=selection.isRowSelected(row, root), odd=row % 2 == 1)
        painter.end()
        self._model.painted(first, last)
