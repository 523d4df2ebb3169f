"""The team week, as dispatch boards lay it out: a row per technician (Unassigned
first), a column per day, and each job a line in its cell, by start time.

A row is as tall as its busiest day, up to ``MAX_ROW_LINES``; a busier day shows
"+N more" on its last line, which lists every job of the cell in a menu to open.
Dragging a job to another cell moves it to that day and technician, keeping its
times. Painted from plain values like the timeline grid (``grid``): a week of 800
jobs is a few hundred short lines of text.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QMenu, QToolTip, QWidget

from desktop.core.schedule import (
    MAX_ROW_LINES,
    Drop,
    Lane,
    RowCell,
    RowsLayout,
    ScheduleItem,
    arrange_rows,
    clashes,
)
from desktop.ui import formatting, theme
from desktop.ui.jobs.drag import dragged_job, job_mime
from desktop.ui.jobs.row_painting import FittedText
from desktop.ui.schedule.blocks import STRIPE, stripe_key
from desktop.ui.schedule.more_menu import jobs_menu
from desktop.ui.schedule.painting import GridColours, stripe_colour
from desktop.ui.schedule.text import block_title, lane_title, tooltip

#: The technicians' names down the left.
NAME_WIDTH = 100
#: A line narrower than this many average characters shows the title alone: the
#: order of the lines already tells the times apart, and the tooltip says them.
TIMED_LINE_CHARS = 12
#: Space between rows, and around each line of a cell.
ROW_GAP = 4
_PAD = 3
#: A cell's "+N more" line, as ``_hit`` reports it.
MORE = -1


def line_text(item: ScheduleItem, *, timed: bool = True) -> str:
    """A job's line in its cell: its start (when ``timed``), then its title."""
    start = "" if item.start is None or not timed else formatting.minutes_clock(item.start) + " "
    return start + block_title(item)


class TeamGrid(QAbstractScrollArea):
    """Technicians down, days across. Signals as ``ScheduleGrid``'s."""

    job_dropped = Signal(int, object)
    job_activated = Signal(int)
    #: Alt+Left/Right asked to move the selected job: (local id, days, minutes).
    job_nudged = Signal(int, int, int)
    selection_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[date] = []
        self._lanes: list[Lane] = []
        self._focus_day: date | None = None
        #: How technicians are named: the team's names, the user as "Me".
        self._names = formatting.Technicians()
        self._items: list[ScheduleItem] = []
        self._by_id: dict[int, ScheduleItem] = {}
        self._clashes: dict[int, list[int]] = {}
        self._layout = RowsLayout((), {})
        #: Each job's cell and line, for the jobs that have a line of their own.
        self._lines: dict[int, tuple[RowCell, int]] = {}
        #: Each row's top below the header, and the bottom of the last, in pixels.
        self._tops: list[int] = [0]
        self._line_height = self.fontMetrics().height() + 2 * _PAD
        #: Each row's cells, by column.
        self._rows: list[list[RowCell]] = []
        self._selected: int | None = None
        self._hint = ""
        self._press: tuple[int, QPoint] | None = None
        self._target: QRect | None = None
        self._fitted = FittedText()
        #: The list a "+N more" opened, while it is open.
        self.more_menu: QMenu | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Team week")
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.viewport().update())

    # -- what is shown ------------------------------------------------------------------

    @property
    def days(self) -> list[date]:
        return list(self._days)

    @property
    def lanes(self) -> list[Lane]:
        return list(self._lanes)

    def set_columns(self, days: list[date], lanes: list[Lane] | None, focus: date,
                    names: formatting.Technicians) -> None:
        self._days, self._lanes = list(days), list(lanes or [])
        self._focus_day, self._names = focus, names
        self._arrange()

    def set_names(self, names: formatting.Technicians) -> None:
        self._names = names
        self.viewport().update()

    def set_focus_day(self, day: date) -> None:
        self._focus_day = day
        self.viewport().update()

    def set_items(self, items: list[ScheduleItem]) -> None:
        self._items = list(items)
        self._by_id = {i.local_id: i for i in items}
        self._clashes = clashes(items)
        self._arrange()
        if self._selected not in self._by_id:
            self._select(None)

    def items(self) -> list[ScheduleItem]:
        return list(self._items)

    def clashes(self, local_id: int) -> list[int]:
        """The jobs shown double-booked with this one (marked on both lines)."""
        return list(self._clashes.get(local_id, []))

    @property
    def hint(self) -> str:
        return self._hint

    def set_hint(self, text: str) -> None:
        self._hint = text
        self.viewport().update()

    def cell(self, day: date, lane: Lane) -> RowCell | None:
        """The jobs of one technician's day, as laid out; ``None`` when there are none."""
        row, column = self._row_column(day, lane)
        return None if row is None or column is None else self._layout.cells.get((row, column))

    def _arrange(self) -> None:
        self._layout = arrange_rows(self._items, self._lanes, self._days, MAX_ROW_LINES)
        self._lines = {item.local_id: (cell, n) for cell in self._layout.cells.values()
                       for n, item in enumerate(cell.items[:cell.shown])}
        self._rows = [[] for _lane in self._lanes]
        for (row, _column), cell in sorted(self._layout.cells.items()):
            self._rows[row].append(cell)
        self._measure()
        self._update_scroll_range()
        self.viewport().update()

    # -- geometry (viewport pixels, with the scroll) ---------------------------------------

    @property
    def line_height(self) -> int:
        return self._line_height

    @property
    def header_height(self) -> int:
        return 2 * self.fontMetrics().height() + 12

    def _column_width(self) -> float:
        return (self.viewport().width() - NAME_WIDTH) / max(1, len(self._days))

    def _measure(self) -> None:
        """The line height and each row's top (a paint asks for them hundreds of times)."""
        self._line_height = line_height = self.fontMetrics().height() + 2 * _PAD
        tops = [0]
        for lines in self._layout.lines:
            tops.append(tops[-1] + lines * line_height + ROW_GAP)
        self._tops = tops

    def _row_top(self, row: int) -> int:
        """Where a row starts, in content pixels below the header."""
        return self._tops[row]

    def _row_height(self, row: int) -> int:
        return self._tops[row + 1] - self._tops[row]

    def _content_height(self) -> int:
        return self._tops[-1]

    def _row_column(self, day: date, lane: Lane) -> tuple[int | None, int | None]:
        row = self._lanes.index(lane) if lane in self._lanes else None
        column = self._days.index(day) if day in self._days else None
        return row, column

    def _cell_rect(self, row: int, column: int) -> QRectF:
        width = self._column_width()
        top = self.header_height + self._row_top(row) - self.verticalScrollBar().value()
        return QRectF(NAME_WIDTH + column * width, top, width, self._row_height(row))

    def _line_rect(self, row: int, column: int, line: int) -> QRectF:
        return self._line_in(self._cell_rect(row, column), line)

    def _line_in(self, cell: QRectF, line: int) -> QRectF:
        line_height = self._line_height
        return QRectF(cell.left() + 2, cell.top() + ROW_GAP / 2 + line * line_height + 1,
                      cell.width() - 4, line_height - 2)

    def cell_rect(self, day: date, lane: Lane) -> QRect | None:
        """A technician's day, in viewport pixels."""
        row, column = self._row_column(day, lane)
        if row is None or column is None:
            return None
        return self._cell_rect(row, column).toRect()

    def item_rect(self, local_id: int) -> QRect | None:
        """A job's line; ``None`` when it is not shown or behind "+N more"."""
        found = self._lines.get(local_id)
        if found is None:
            return None
        cell, line = found
        return self._line_rect(cell.row, cell.column, line).toRect()

    def more_rect(self, day: date, lane: Lane) -> QRect | None:
        """A cell's "+N more" line; ``None`` when every job of the cell has a line."""
        cell = self.cell(day, lane)
        if cell is None or not cell.hidden:
            return None
        return self._line_rect(cell.row, cell.column, cell.shown).toRect()

    def _cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        if pos.x() < NAME_WIDTH or pos.y() < self.header_height or not self._days:
            return None
        column = int((pos.x() - NAME_WIDTH) // self._column_width())
        y = pos.y() - self.header_height + self.verticalScrollBar().value()
        for row in range(len(self._lanes)):
            top = self._row_top(row)
            if top <= y < top + self._row_height(row):
                return (row, column) if column < len(self._days) else None
        return None

    def _hit(self, pos: QPointF) -> tuple[RowCell, int] | None:
        """The cell under ``pos`` and the line of it (``MORE``: its "+N more")."""
        found = self._cell_at(pos)
        if found is None:
            return None
        cell = self._layout.cells.get(found)
        if cell is None:
            return None
        line = int((pos.y() - self._cell_rect(*found).top() - ROW_GAP / 2) // self.line_height)
        if 0 <= line < cell.shown:
            return cell, line
        if cell.hidden and line == cell.shown:
            return cell, MORE
        return None

    def item_at(self, pos: QPointF) -> int | None:
        hit = self._hit(pos)
        if hit is None or hit[1] == MORE:
            return None
        return hit[0].items[hit[1]].local_id

    def drop_at(self, pos: QPointF) -> Drop | None:
        """A drop on a cell: that day and technician, the job's times kept."""
        found = self._cell_at(pos)
        if found is None:
            return None
        row, column = found
        return Drop(self._days[column], lane=self._lanes[row], keep_time=True)

    def _update_scroll_range(self) -> None:
        bar = self.verticalScrollBar()
        visible = max(0, self.viewport().height() - self.header_height)
        bar.setRange(0, max(0, self._content_height() - visible))
        bar.setPageStep(max(1, visible))
        bar.setSingleStep(self.line_height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scroll_range()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._measure()
            self._update_scroll_range()

    # -- painting ---------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        colours = GridColours.of(self.palette())
        metrics = self.fontMetrics()
        width, height = self.viewport().width(), self.viewport().height()
        painter.fillRect(QRectF(0, 0, width, height), colours.base)
        today = date.today()
        column_width = self._column_width()
        header = self.header_height
        painter.setClipRect(QRectF(0, header, width, height - header))
        self._paint_rows(painter, colours, column_width, today)
        if self._target is not None:
            fill = QColor(colours.highlight)
            fill.setAlpha(60)
            painter.fillRect(self._target, fill)
        painter.setClipping(False)
        painter.fillRect(QRectF(0, 0, width, header), colours.header)
        ascent = metrics.ascent()
        for column, day in enumerate(self._days):
            x = NAME_WIDTH + column * column_width
            room = int(column_width) - 2 * _PAD
            painter.setPen(colours.highlight if day == today else colours.text)
            shown, _ = self._fitted.get(f"{day:%a}", room, False, metrics)
            painter.drawText(QPointF(x + _PAD, 6 + ascent), shown)
            painter.setPen(colours.highlight if day == today else colours.faint)
            shown, _ = self._fitted.get(f"{day.day} {day:%b}", room, False, metrics)
            painter.drawText(QPointF(x + _PAD, 6 + metrics.height() + ascent), shown)
            if self.hasFocus() and day == self._focus_day:
                painter.fillRect(QRectF(x + 1, header - 3, column_width - 2, 3),
                                 colours.highlight)
        painter.setPen(colours.line)
        painter.drawLine(0, header - 1, width, header - 1)
        if self._hint:
            painter.setPen(colours.faint)
            painter.drawText(QRectF(NAME_WIDTH + 24, header + 24, width - NAME_WIDTH - 48,
                                    max(0, height - header - 48)),
                             Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
                             self._hint)
        painter.end()

    def _paint_rows(self, painter: QPainter, colours: GridColours, column_width: float,
                    today: date) -> None:
        metrics = self.fontMetrics()
        width, height = self.viewport().width(), self.viewport().height()
        if today in self._days:
            tint = QColor(colours.highlight)
            tint.setAlpha(18)
            painter.fillRect(QRectF(NAME_WIDTH + self._days.index(today) * column_width,
                                    self.header_height, column_width, height), tint)
        bold = QFont(self.font())
        bold.setBold(True)
        for row, lane in enumerate(self._lanes):
            cell = self._cell_rect(row, 0)
            if cell.bottom() < self.header_height or cell.top() > height:
                continue
            painter.setPen(colours.line)
            painter.drawLine(QPointF(0, cell.bottom()), QPointF(width, cell.bottom()))
            painter.setFont(bold)
            painter.setPen(colours.text)
            shown, _ = self._fitted.get(lane_title(lane, self._names), NAME_WIDTH - 2 * _PAD,
                                        True, painter.fontMetrics())
            painter.drawText(QPointF(_PAD + 2, cell.top() + ROW_GAP / 2 + _PAD
                                     + metrics.ascent()), shown)
            painter.setFont(self.font())
            for found in self._rows[row]:
                self._paint_cell(painter, colours, found,
                                 QRectF(NAME_WIDTH + found.column * column_width, cell.top(),
                                        column_width, cell.height()))
        painter.setPen(colours.line)
        for column in range(len(self._days) + 1):
            x = round(NAME_WIDTH + column * column_width)
            painter.drawLine(x, self.header_height, x, height)

    def _paint_cell(self, painter: QPainter, colours: GridColours, cell: RowCell,
                    area: QRectF) -> None:
        metrics = self.fontMetrics()
        timed = area.width() >= TIMED_LINE_CHARS * metrics.averageCharWidth()
        for line, item in enumerate(cell.items[:cell.shown]):
            rect = self._line_in(area, line)
            painter.fillRect(rect, theme.status_chip(item.status, colours.dark).background)
            painter.fillRect(QRectF(rect.left(), rect.top(), STRIPE, rect.height()),
                             stripe_colour(stripe_key(item), colours))
            room = int(rect.width()) - STRIPE - 2 * _PAD
            if item.sync_state in theme.ACCENTS:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(theme.accent(item.sync_state, colours.dark))
                painter.drawEllipse(QPointF(rect.right() - 5, rect.top() + 5), 2.5, 2.5)
                room -= 6
            painter.setPen(theme.status_chip(item.status, colours.dark).text)
            shown, _ = self._fitted.get(line_text(item, timed=timed), room, False, metrics)
            painter.drawText(QPointF(rect.left() + STRIPE + _PAD,
                                     rect.top() + _PAD - 1 + metrics.ascent()), shown)
            if item.local_id in self._clashes:
                painter.setPen(QPen(colours.danger, 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect.adjusted(1, 1, -1, -1))
            if item.local_id == self._selected:
                painter.setPen(QPen(colours.highlight, 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect.adjusted(1, 1, -1, -1))
        if cell.hidden:
            rect = self._line_in(area, cell.shown)
            painter.setPen(colours.highlight)
            room = int(rect.width()) - 2 * _PAD
            text = f"+{cell.hidden} more"
            shown, _ = self._fitted.get(text, room, False, metrics)
            if shown != text:
                shown, _ = self._fitted.get(f"+{cell.hidden}", room, False, metrics)
            painter.drawText(QPointF(rect.left() + _PAD,
                                     rect.top() + _PAD - 1 + metrics.ascent()), shown)

    # -- selection, keys and the "+N more" list ------------------------------------------

    @property
    def selected(self) -> int | None:
        return self._selected

    def selected_item(self) -> ScheduleItem | None:
        return None if self._selected is None else self._by_id.get(self._selected)

    def select(self, local_id: int | None) -> None:
        self._select(local_id if local_id in self._by_id else None)

    def _select(self, local_id: int | None) -> None:
        if local_id == self._selected:
            return
        self._selected = local_id
        self.viewport().update()
        self.selection_changed.emit(local_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._selected is not None:
            self.job_activated.emit(self._selected)
            return
        if (key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and self._selected is not None
                and event.modifiers() & Qt.KeyboardModifier.AltModifier):
            # Dragging without a mouse: a day earlier or later, the same technician.
            self.job_nudged.emit(self._selected, -1 if key == Qt.Key.Key_Left else 1, 0)
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self._step_selection(
                -1 if key == Qt.Key.Key_Up else 1):
            return
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_PageUp,
                           Qt.Key.Key_PageDown, Qt.Key.Key_Home):
            event.ignore()  # moving between weeks is the view's to do
            return
        super().keyPressEvent(event)

    def _step_selection(self, step: int) -> bool:
        """Up and Down: through the focused day's jobs, technician by technician (those
        behind "+N more" included)."""
        column = self._days.index(self._focus_day) if self._focus_day in self._days else -1
        order = [item.local_id for row in self._rows for cell in row
                 if cell.column == column for item in cell.items]
        if not order:
            return False
        if self._selected in order:
            index = min(max(order.index(self._selected) + step, 0), len(order) - 1)
        else:
            index = 0 if step > 0 else len(order) - 1
        self._select(order[index])
        return True

    def show_more(self, cell: RowCell, where: QPoint) -> QMenu:
        """Every job of a busy cell, to open one; double bookings say so."""
        menu = jobs_menu(self, cell.items, where, clashing=self._clashing, names=self._names,
                         opened=self._open)
        menu.destroyed.connect(lambda _o=None: setattr(self, "more_menu", None))
        self.more_menu = menu
        return menu

    def _clashing(self, local_id: int) -> list[ScheduleItem]:
        return [self._by_id[n] for n in self._clashes.get(local_id, [])]

    def _open(self, local_id: int) -> None:
        if local_id == self._selected:
            self.job_activated.emit(local_id)
        else:
            # Picking a job shows it (the page opens what is picked): once, not twice.
            self._select(local_id)

    # -- mouse, dragging and dropping --------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self._hit(event.position())
        if hit is not None and hit[1] == MORE:
            self.show_more(hit[0], self.viewport().mapToGlobal(event.position().toPoint()))
            return
        local_id = None if hit is None else hit[0].items[hit[1]].local_id
        self._select(local_id)
        if local_id is not None and event.button() == Qt.MouseButton.LeftButton:
            self._press = (local_id, event.position().toPoint())
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            local_id, origin = self._press
            if ((event.position().toPoint() - origin).manhattanLength()
                    >= QApplication.startDragDistance()):
                self._press = None
                rect = self.item_rect(local_id)
                drag = QDrag(self)
                drag.setMimeData(job_mime(local_id))
                if rect is not None:
                    drag.setPixmap(self.viewport().grab(rect))
                    drag.setHotSpot(origin - rect.topLeft())
                drag.exec(Qt.DropAction.MoveAction)
                return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        local_id = self.item_at(event.position())
        if local_id is not None:
            self._open(local_id)
            return
        super().mouseDoubleClickEvent(event)

    def _set_target(self, pos: QPointF | None) -> None:
        found = None if pos is None else self._cell_at(pos)
        target = None if found is None else self._cell_rect(*found).toRect()
        if target != self._target:
            self._target = target
            self.viewport().update()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.dragMoveEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if dragged_job(event.mimeData()) is None or self.drop_at(event.position()) is None:
            event.ignore()
            self._set_target(None)
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self._set_target(event.position())

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_target(None)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_target(None)
        dragged = dragged_job(event.mimeData())
        drop = None if dragged is None else self.drop_at(event.position())
        if dragged is None or drop is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self.job_dropped.emit(dragged[0], drop)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            hit = self._hit(QPointF(event.pos()))
            if hit is None:
                QToolTip.hideText()
                event.ignore()
                return True
            cell, line = hit
            if line == MORE:
                text = f"{cell.hidden} more: click to list every job of the day"
            else:
                item = cell.items[line]
                text = tooltip(item, self._clashing(item.local_id), self._names)
            QToolTip.showText(event.globalPos(), text, self.viewport())
            return True
        return super().viewportEvent(event)
