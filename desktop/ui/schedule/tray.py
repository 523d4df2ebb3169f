"""The Unscheduled tray beside the schedule: open jobs with no date, to drag onto it.

It may hold thousands of jobs, so it shows the job list's own id-list model (ids
from SQL, rows read a chunk at a time as they are painted), never a widget per job.
The view is a one-column table rather than a list view: a list view lays out every
row whenever the ids change, a table of fixed-height rows none. A job dragged from
the grid onto the tray loses its date.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.jobs import ACTIVE_STATUS_VALUES
from desktop.core.store import JobQuery
from desktop.ui import theme
from desktop.ui.jobs.drag import JOB_MIME, dragged_job, job_mime
from desktop.ui.jobs.row_painting import FittedText
from desktop.ui.jobs.rows import SORT_COLUMNS, RowView
from desktop.ui.jobs.table import JobTableModel
from desktop.ui.schedule.text import ALERT_MARK
from desktop.ui.session import Session

_Index = QModelIndex | QPersistentModelIndex
_NUMBER, _TITLE, _CUSTOMER, _STATUS, _PRIORITY, _CITY = (
    SORT_COLUMNS[c] for c in ("job_number", "title", "customer", "status", "priority", "city"))
_PAD = 6
#: Up to this many edited jobs are looked at before re-reading the tray.
_FEW_EDITS = 50
_STRIPE = 3


def tray_query(query: JobQuery) -> JobQuery | None:
    """The open, undated jobs among those ``query`` matches: most pressing first."""
    statuses = tuple(s for s in (query.statuses or ACTIVE_STATUS_VALUES)
                     if s in ACTIVE_STATUS_VALUES)
    if not statuses or query.deleted == "only":
        return None
    return replace(query, statuses=statuses, unscheduled=True, date_from=None, date_to=None,
                   deleted="exclude", sort="priority", descending=True)


def row_tooltip(row: RowView) -> str:
    texts = row.texts
    lines = [f"{texts[_NUMBER]} · {texts[_TITLE]}", texts[_CUSTOMER] or "No customer",
             "Not scheduled: drag onto a day to schedule",
             f"Status: {texts[_STATUS]} · Priority: {texts[_PRIORITY]}"]
    return "\n".join(lines)


class TrayModel(JobTableModel):
    """The job list's model, with rows that can be dragged as jobs."""

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else flags

    def mimeTypes(self) -> list[str]:
        return [JOB_MIME]

    def mimeData(self, indexes: Any) -> QMimeData:
        local_id = self.id_at(indexes[0].row()) if indexes else None
        return QMimeData() if local_id is None else job_mime(local_id)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.ToolTipRole,
                                        Qt.ItemDataRole.AccessibleTextRole):
            return row_tooltip(self.row_at(index.row()))
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            row = self.row_at(index.row())
            return f"{row.texts[_NUMBER]} {row.texts[_TITLE]}"
        return super().data(index, role)


class _TrayDelegate(QStyledItemDelegate):
    """Two lines per job (title; number, customer and city) beside a status stripe."""

    def __init__(self, model: TrayModel, parent: QWidget) -> None:
        super().__init__(parent)
        self._model = model
        self._fitted = FittedText()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect: QRectF = QRectF(option.rect)
        widget = option.widget
        style = widget.style() if widget else None
        if style is not None:
            opt = QStyleOptionViewItem(option)
            opt.text = ""
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter,
                                widget)
        row = self._model.row_at(index.row())
        dark = theme.dark_mode()
        chip = theme.status_chip(row.status, dark)
        painter.fillRect(QRectF(rect.left() + 2, rect.top() + 3, _STRIPE, rect.height() - 6),
                         theme.accent("danger", dark) if row.alert else chip.text)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        metrics = QFontMetrics(option.font)
        room = int(rect.width()) - _STRIPE - 3 * _PAD
        x = rect.left() + _STRIPE + 2 * _PAD
        baseline = rect.top() + _PAD + metrics.ascent()
        title = (ALERT_MARK if row.alert else "") + (row.texts[_TITLE] or "(no title)")
        painter.setPen((palette.highlightedText() if selected else palette.text()).color())
        painter.drawText(QPointF(x, baseline), self._fitted.get(title, room, False, metrics)[0])
        details = " · ".join(t for t in (row.texts[_NUMBER], row.texts[_CUSTOMER],
                                         row.texts[_CITY]) if t)
        painter.setPen((palette.highlightedText() if selected
                        else palette.placeholderText()).color())
        painter.drawText(QPointF(x, baseline + metrics.height()),
                         self._fitted.get(details, room, False, metrics)[0])

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(200, 2 * option.fontMetrics.height() + 2 * _PAD)


class _TrayList(QTableView):
    """The list itself: drags its jobs out, takes the grid's jobs in (to unschedule)."""

    unschedule_requested = Signal(int)
    job_activated = Signal(int)

    def __init__(self, model: TrayModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.empty_text = ""
        self.setModel(model)
        self.setItemDelegate(_TrayDelegate(model, self))
        self.horizontalHeader().hide()
        for column in range(1, model.columnCount()):
            self.setColumnHidden(column, True)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(2 * self.fontMetrics().height() + 2 * _PAD)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAccessibleName("Unscheduled jobs")
        self.doubleClicked.connect(self._activate)

    def _activate(self, index: QModelIndex) -> None:
        local_id = self._model.id_at(index.row())
        if local_id is not None:
            self.job_activated.emit(local_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._activate(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _take_from_elsewhere(self, event: QDragMoveEvent) -> None:
        """Jobs from the grid are taken; the tray's own rows are not dropped back."""
        if event.source() is not self and dragged_job(event.mimeData()) is not None:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._take_from_elsewhere(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._take_from_elsewhere(event)

    def dropEvent(self, event: QDropEvent) -> None:
        dragged = dragged_job(event.mimeData())
        if event.source() is self or dragged is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self.unschedule_requested.emit(dragged[0])

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._model.rowCount() == 0 and self._model.complete and self.empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.viewport().rect().adjusted(12, 12, -12, -12),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, self.empty_text)
            painter.end()


class ScheduleTray(QWidget):
    """A heading with the count, and the list of undated jobs."""

    unschedule_requested = Signal(int)
    job_activated = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.model = TrayModel(session, self)
        self.list = _TrayList(self.model, self)
        self.list.unschedule_requested.connect(self.unschedule_requested)
        self.list.job_activated.connect(self.job_activated)
        self.heading = QLabel("Unscheduled", self)
        self.heading.setObjectName("sectionTitle")
        self.heading.setToolTip("Open jobs with no date that match the filters: drag one "
                                "onto a day to schedule it, or a scheduled job here to "
                                "take it off the schedule")
        top = QHBoxLayout()
        top.setContentsMargins(8, 0, 8, 4)
        top.addWidget(self.heading)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        self.model.total_changed.connect(self._total_changed)

    def set_query(self, query: JobQuery | None) -> None:
        shown = None if query is None else tray_query(query)
        self.list.empty_text = ("Nothing to show." if shown is None
                                else "Every open job matching the filters has a date.")
        self.model.set_query(shown)

    def refresh(self) -> None:
        self.model.refresh()

    def jobs_changed(self, local_ids: list[int]) -> None:
        """Re-read after edits, if they can have brought jobs in or out: a job enters the
        tray only with no date, and leaves it only from it."""
        if self.model.query is None:
            return
        inside = [i for i in local_ids if self.model.row_of(i) is not None]
        self.model.invalidate(inside)
        if inside or len(local_ids) > _FEW_EDITS or any(
                r.values["scheduled_date"] is None
                for r in self._session.store.rows(local_ids).values()):
            self.model.refresh()

    def settled(self) -> bool:
        return self.model.complete and not self.model.loading

    def ids(self) -> list[int]:
        return self.model.ids()

    def current_id(self) -> int | None:
        index = self.list.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def _total_changed(self, total: int) -> None:
        self.heading.setText(f"Unscheduled · {total:,}")
        self.list.setAccessibleDescription(f"{total:,} unscheduled jobs")
        self.list.viewport().update()
