"""One column of the status board: its cards as an id-list model and a view of them.

As in the job list, a column holds only the ordered ids of its jobs; the cards a
view paints are read a window at a time, in one query, and kept in a small cache
(the list's own ``IdList``).
A column may know its count and its first cards before its whole id list is in:
until then the rest paint as blank cards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.store import JobQuery
from desktop.ui import theme
from desktop.ui.board.cards import (
    CARD_ROLE,
    TECHNICIAN_ROLE,
    TITLE,
    CardDelegate,
    card_height,
    card_summary,
)
from desktop.ui.jobs.drag import JOB_MIME, dragged_job, job_mime
from desktop.ui.jobs.id_list import IdList
from desktop.ui.jobs.rows import MISSING, RowView
from desktop.ui.session import Session

EXPANDED_WIDTH = 280
COLLAPSED_WIDTH = 36

_Index = QModelIndex | QPersistentModelIndex


class CardModel(QAbstractListModel):
    #: Cards read per query: a screenful of a tall column and some.
    CHUNK = 40
    #: Cards kept; past this, the cache starts again from the window being painted.
    CACHE_LIMIT = 2000

    #: Cards read by the column's own query while its id list is not in: a tall screenful.
    FIRST = 16

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._list = IdList(session.store, chunk=self.CHUNK, limit=self.CACHE_LIMIT)
        self._total = 0
        #: The column's query, until its first cards are read.
        self._first: JobQuery | None = None
        #: The first row painted blank (its id not in yet), to repaint when it is.
        self._blank_from: int | None = None

    # -- what the column holds ------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    @property
    def complete(self) -> bool:
        """Whether every id is in (not just the first cards)."""
        return len(self._list) == self._total

    def ids(self) -> list[int]:
        return list(self._list.ids)

    def id_at(self, row: int) -> int | None:
        return self._list.id_at(row)

    def row_of(self, local_id: int) -> int | None:
        return self._list.row_of(local_id)

    def card_at(self, row: int) -> RowView | None:
        """The card of a row, read now if it is not in the cache; ``None`` until its id is."""
        local_id = self.id_at(row)
        if local_id is None and self._first is not None and row < self.FIRST:
            self._read_first()
            local_id = self.id_at(row)
        if local_id is None:
            self._blank_from = row if self._blank_from is None else min(row, self._blank_from)
            return None
        card = self._list.row(row)
        # A job gone from the mirror since its id was listed paints as a blank card.
        return None if card is MISSING else card

    def show_count(self, first: JobQuery | None, total: int) -> None:
        """The column's count before its ids: the first cards a view paints are read by
        the column's own query ``first``, the rest wait for ``set_ids``."""
        self.beginResetModel()
        self._list.set_ids([])
        self._list.clear_rows()
        self._total = total
        self._first = first if total else None
        self._blank_from = None
        self.endResetModel()

    def _read_first(self) -> None:
        assert self._first is not None
        query, self._first = self._first, None
        records = self._session.store.page(query, 0, self.FIRST)
        self._list.set_ids([r.local_id for r in records[:self._total]])
        self._list.add(records)

    def set_ids(self, ids: list[int]) -> None:
        """The whole id list. Cards already read stay when their place is unchanged,
        so a re-read that finds the same jobs costs no model reset."""
        known, blank = len(self._list), self._blank_from
        self._first, self._blank_from = None, None
        if ids[:known] == self._list.ids and len(ids) == self._total:
            self._list.set_ids(ids)
            if blank is not None and blank < len(ids):
                self.dataChanged.emit(self.index(blank), self.index(len(ids) - 1))
            return
        self.beginResetModel()
        self._list.set_ids(ids)
        self._list.keep_listed()
        self._total = len(ids)
        self.endResetModel()

    def clear(self) -> None:
        self.set_ids([])

    def take(self, local_id: int) -> bool:
        """Remove one job (it moved or no longer matches)."""
        row = self.row_of(local_id)
        if row is None:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        self._list.remove(row)
        self._total -= 1
        self.endRemoveRows()
        return True

    def put(self, row: int, local_id: int) -> None:
        """Insert one job at ``row`` (its place in the column's order)."""
        self.beginInsertRows(QModelIndex(), row, row)
        self._list.insert(row, local_id)
        self._total += 1
        self.endInsertRows()

    def reread(self) -> None:
        """Drop the cached cards: they are read again as they are painted."""
        self._list.clear_rows()
        if self._total:
            self.dataChanged.emit(self.index(0), self.index(self._total - 1))

    # -- Qt model interface ---------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        card = self.card_at(index.row())
        if role == CARD_ROLE:
            return card
        if card is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return card.texts[TITLE]
        technician = self._session.technician(card.assignee) if card.assignee else ""
        if role == TECHNICIAN_ROLE:
            return technician
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return card_summary(card, technician)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        # Every row alike, read or not: a view asks before it paints, and a card not
        # read yet must not look disabled (dragging one carries nothing).
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled)

    def mimeTypes(self) -> list[str]:
        return [JOB_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = [self.id_at(i.row()) for i in indexes]
        chosen = [i for i in ids if i is not None]
        return job_mime(chosen[0]) if chosen else QMimeData()

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction


class CardList(QTableView):
    """A column's cards: one selected at a time, drag a card out, drop a card in.

    A one-column table rather than a list view: a list view lays out every row on each
    change, a Python ``rowCount`` call per row, which for a column of 25,000 cards is
    most of a second; a table with fixed row heights lays out nothing.
    """

    #: A card was dropped here (its local id).
    dropped = Signal(int)
    #: A card was double-clicked or opened with Enter (its local id).
    opened = Signal(int)
    #: A menu was asked for on a card (its local id, where in global coordinates).
    menu_requested = Signal(int, QPoint)

    def __init__(self, model: CardModel, parent: QWidget | None = None, *,
                 show_status: bool = False) -> None:
        super().__init__(parent)
        self.setModel(model)
        self._model = model
        self.setItemDelegate(CardDelegate(self, show_status=show_status))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(card_height(self.font()))
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        # The column paints the background, so the cards sit on its colour.
        self.viewport().setAutoFillBackground(False)
        self.setAutoFillBackground(False)
        self.verticalScrollBar().setSingleStep(card_height(self.font()) // 3)
        self.doubleClicked.connect(self._open)

    def current_id(self) -> int | None:
        index = self.currentIndex()
        return self._model.id_at(index.row()) if index.isValid() else None

    def select_job(self, local_id: int) -> bool:
        row = self._model.row_of(local_id)
        if row is None:
            return False
        index = self._model.index(row)
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True

    def _open(self, index: QModelIndex) -> None:
        local_id = self._model.id_at(index.row())
        if local_id is not None:
            self.opened.emit(local_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos()) if event.reason() == QContextMenuEvent.Reason.Mouse \
            else self.currentIndex()
        local_id = self._model.id_at(index.row()) if index.isValid() else None
        if local_id is not None:
            self.setCurrentIndex(index)
            self.menu_requested.emit(local_id, self.viewport().mapToGlobal(
                self.visualRect(index).center()))

    # A drop is handled whole by the board: no row moves inside the view itself.
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        _accept_card(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        _accept_card(event)

    def dropEvent(self, event: QDropEvent) -> None:
        _drop_card(event, self.dropped)


def _accept_card(event: QDragEnterEvent | QDragMoveEvent) -> None:
    if event.mimeData().hasFormat(JOB_MIME):
        event.acceptProposedAction()
    else:
        event.ignore()


def _drop_card(event: QDropEvent, signal: Any) -> None:
    dragged = dragged_job(event.mimeData())
    if dragged is None:
        event.ignore()
        return
    # Copy, as far as the dragging view knows: the board has already moved the card,
    # and a move would have the source try to remove the row itself.
    event.setDropAction(Qt.DropAction.CopyAction)
    event.accept()
    signal.emit(dragged[0])


class ColumnHeader(QWidget):
    """The column's status as a coloured chip, its count, and the collapse button."""

    def __init__(self, title: str, status: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.status = status
        self.count_text = ""
        self.collapse = QToolButton(self)
        self.collapse.setAutoRaise(True)
        self.collapse.setArrowType(Qt.ArrowType.LeftArrow)
        self.collapse.setToolTip("Fold this column to a narrow strip")
        self.collapse.setAccessibleName(f"Fold {title}")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(EXPANDED_WIDTH, self.fontMetrics().height() + 18)

    def resizeEvent(self, _event: Any) -> None:
        size = self.height() - 8
        self.collapse.setGeometry(self.width() - size - 4, 4, size, size)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        chip = theme.status_chip(self.status, theme.dark_mode())
        metrics = self.fontMetrics()
        font = self.font()
        font.setBold(True)
        painter.setFont(font)
        bold = painter.fontMetrics()
        room = self.width() - self.collapse.width() - 24 - metrics.horizontalAdvance(
            self.count_text) - 20
        shown = bold.elidedText(self.title, Qt.TextElideMode.ElideRight, max(room, 20))
        height = metrics.height() + 4
        top = (self.height() - height) / 2
        width = bold.horizontalAdvance(shown) + 18
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(chip.background)
        painter.drawRoundedRect(8, int(top), width, height, height / 2, height / 2)
        painter.setPen(chip.text)
        painter.drawText(QRect(8, int(top), width, height), Qt.AlignmentFlag.AlignCenter, shown)
        painter.setFont(self.font())
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(QRect(8 + width + 8, 0, self.width(), self.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         self.count_text)
        painter.end()


class ColumnStrip(QWidget):
    """A folded column: its name and count written upwards; click to unfold, or drop a
    card on it as on the open column."""

    clicked = Signal()
    dropped = Signal(int)

    def __init__(self, header: ColumnHeader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._header = header
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"{header.title}: click to unfold")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        _accept_card(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        _accept_card(event)

    def dropEvent(self, event: QDropEvent) -> None:
        _drop_card(event, self.dropped)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        chip = theme.status_chip(self._header.status, theme.dark_mode())
        dot = 10
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(chip.text)
        painter.drawEllipse((self.width() - dot) // 2, 12, dot, dot)
        # Written downwards from under the dot, as a folded column reads in most boards.
        metrics = self.fontMetrics()
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.translate((self.width() - metrics.capHeight()) / 2, 32)
        painter.rotate(90)
        text = f"{self._header.title}  {self._header.count_text}".strip()
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, self.height() - 44)
        painter.drawText(0, 0, shown)
        painter.end()


class BoardColumn(QFrame):
    """A status column: header and cards, or a narrow strip when folded."""

    #: A card was dropped on this column (its local id).
    dropped = Signal(int)

    def __init__(self, session: Session, status: str | None, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = status
        self.title = title
        #: The user's choice to fold or unfold; ``None`` follows "folded when empty".
        self.folded_by_user: bool | None = None
        #: Whether the column was empty when its jobs were last read. A column emptied
        #: by a drag stays open until the next read: folding then would move every
        #: column after it under the cursor.
        self._empty_when_read = True
        self.model = CardModel(session, self)
        self.header = ColumnHeader(title, status, self)
        self.cards = CardList(self.model, self, show_status=status is None)
        self.cards.setAccessibleName(title)
        self.strip = ColumnStrip(self.header, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.cards, 1)
        layout.addWidget(self.strip, 1)
        self.header.collapse.clicked.connect(lambda: self.set_folded(True))
        self.strip.clicked.connect(lambda: self.set_folded(False))
        self.cards.dropped.connect(self.dropped)
        self.strip.dropped.connect(self.dropped)
        self.model.modelReset.connect(lambda: self._read(self.model.total == 0))
        # A job that arrives opens a folded column, so its card is in sight.
        self.model.rowsInserted.connect(lambda: self._read(False))
        self.model.rowsRemoved.connect(self.update_count)
        self.update_count()

    @property
    def folded(self) -> bool:
        if self.folded_by_user is not None:
            return self.folded_by_user
        return self._empty_when_read

    def _read(self, empty: bool) -> None:
        self._empty_when_read = empty
        self.update_count()

    def set_folded(self, folded: bool) -> None:
        self.folded_by_user = folded
        self._show_fold()

    def update_count(self) -> None:
        total = self.model.total
        self.header.count_text = f"{total:,}"
        self.cards.setAccessibleDescription(f"{total:,} jobs")
        self.strip.setAccessibleName(f"{self.title}, {total:,} jobs, folded")
        self.header.update()
        self.strip.update()
        self._show_fold()

    def _show_fold(self) -> None:
        folded = self.folded
        self.header.setVisible(not folded)
        self.cards.setVisible(not folded)
        self.strip.setVisible(folded)
        self.setFixedWidth(COLLAPSED_WIDTH if folded else EXPANDED_WIDTH)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base if theme.dark_mode()
                                              else QPalette.ColorRole.Midlight))
        painter.drawRoundedRect(self.rect(), 8, 8)
        painter.end()
