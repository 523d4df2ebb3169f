"""The schedule grid: days (or one day's lanes) across, the hours down, jobs as blocks.

A painted widget, not a scene of items: a week may hold thousands of jobs, and
painting them from plain values is what keeps it instant (see ``schedule_painting``).
Jobs are dragged out as ``schedule_drag`` mime data; a drop is reported with
``job_dropped`` and applied by the view, which owns every edit.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QMenu, QToolTip, QWidget

from desktop.core.schedule import (
    DEFAULT_MINUTES,
    SNAP_MINUTES,
    WORK_START,
    Drop,
    Lane,
    ScheduleItem,
    snap,
)
from desktop.ui import formatting
from desktop.ui.jobs.drag import dragged_job, job_mime
from desktop.ui.jobs.row_painting import FittedText
from desktop.ui.schedule.blocks import MIN_SLOT_WIDTH, Blocks
from desktop.ui.schedule.geometry import GUTTER, GridGeometry
from desktop.ui.schedule.more_menu import jobs_menu
from desktop.ui.schedule.painting import GridColours, GridPainter
from desktop.ui.schedule.text import day_text, lane_title, tooltip

#: How close to the timeline's top or bottom a dragged job scrolls it.
_EDGE = 24

#: Alt+arrow: (days, minutes) to move the selected job by. Keyed by int, as
#: ``QKeyEvent.key()`` answers (``Qt.Key`` is an int enum).
_NUDGES: dict[int, tuple[int, int]] = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -SNAP_MINUTES),
    Qt.Key.Key_Down: (0, SNAP_MINUTES),
}


class ScheduleGrid(QAbstractScrollArea):
    """Days across (one lane per assignee in the day view), hours down."""

    #: A job (local id) dropped here, and where (a ``Drop``).
    job_dropped = Signal(int, object)
    job_activated = Signal(int)
    #: The keyboard asked to move the selected job: (local id, days, minutes).
    job_nudged = Signal(int, int, int)
    #: The selected job changed (a local id or ``None``).
    selection_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[date] = []
        self._lanes: list[Lane] | None = None
        #: Column numbers by day (week view) or by (day, lane) (day view).
        self._columns: dict[object, int] = {}
        self._focus_day: date | None = None
        self._items: list[ScheduleItem] = []
        self._blocks = Blocks()
        self._selected: int | None = None
        self._hint = ""
        #: How technicians are named: the team's names, the user as "Me".
        self._names = formatting.Technicians()
        #: Technicians' names by user id, for the lanes' titles.
        #: The minute at the top of the visible timeline, kept across resizes.
        self._top_minute = float(WORK_START)
        self._preview: tuple[QRectF, str] | None = None
        self._press: tuple[int, QPoint] | None = None
        self._fitted = FittedText()
        #: The list a "+N more" opened, while it is open.
        self.more_menu: QMenu | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.viewport().setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Schedule")
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    # -- what is shown ------------------------------------------------------------------

    @property
    def days(self) -> list[date]:
        return list(self._days)

    @property
    def lanes(self) -> list[Lane] | None:
        """The day view's lanes; ``None`` in the week view."""
        return None if self._lanes is None else list(self._lanes)

    def set_columns(self, days: list[date], lanes: list[Lane] | None, focus: date,
                    names: formatting.Technicians) -> None:
        self._days, self._lanes, self._focus_day = list(days), lanes, focus
        self._names = names
        self._columns = ({day: n for n, day in enumerate(days)} if lanes is None
                         else {(days[0], lane): n for n, lane in enumerate(lanes)})
        self._blocks.clear()
        self._arrange()

    def set_names(self, names: formatting.Technicians) -> None:
        self._names = names
        self.viewport().update()

    def set_focus_day(self, day: date) -> None:
        self._focus_day = day
        self.viewport().update()

    def set_items(self, items: list[ScheduleItem]) -> None:
        """The jobs to show, in reading order (by day, then start, untimed first)."""
        self._items = list(items)
        self._arrange()
        if self._selected not in self._blocks.placements:
            self._select(None)

    def items(self) -> list[ScheduleItem]:
        return list(self._items)

    def clashes(self, local_id: int) -> list[int]:
        """The jobs shown double-booked with this one (marked on both blocks)."""
        return [i.local_id for i in self._blocks.clashes(local_id)]

    @property
    def hint(self) -> str:
        return self._hint

    def set_hint(self, text: str) -> None:
        """A note shown over the grid (why it is empty), or "" for none."""
        self._hint = text
        self.viewport().update()

    def _column_key(self, day: date | None, lane: Lane | None) -> object:
        return day if self._lanes is None else (day, lane)

    def _column_of(self, item: ScheduleItem) -> int | None:
        if self._lanes is None:
            return self._columns.get(item.day)
        return self._columns.get((item.day, Lane(item.assignee)))

    def _arrange(self) -> None:
        groups: dict[int, list[ScheduleItem]] = {}
        for item in self._items:
            column = self._column_of(item)
            if column is not None:
                groups.setdefault(column, []).append(item)
        self._blocks.set_columns(groups, self._max_slots())
        self._update_scroll_range()
        self.viewport().update()

    # -- geometry -----------------------------------------------------------------------

    def geometry_now(self) -> GridGeometry:
        viewport = self.viewport()
        return GridGeometry(viewport.width(), viewport.height(), self._column_count(),
                            self.fontMetrics().height(), self._blocks.all_day_rows,
                            self.verticalScrollBar().value())

    def _max_slots(self) -> int:
        """How many overlapping jobs fit side by side in a column at this width."""
        width = (self.viewport().width() - GUTTER) / max(1, self._column_count())
        return int(width // MIN_SLOT_WIDTH)

    def more_rects(self) -> list[tuple[list[int], QRect]]:
        """Each "+N more" block: the jobs behind it, and where it is drawn."""
        return [(list(more.ids), rect.toRect())
                for more, rect in self._blocks.mores(self.geometry_now())]

    def _column_count(self) -> int:
        return len(self._days) if self._lanes is None else len(self._lanes)

    def column_index(self, day: date, lane: Lane | None = None) -> int | None:
        """A day's column in the week view, a lane's in the day view."""
        return self._columns.get(self._column_key(day, lane))

    def column_rect(self, day: date, lane: Lane | None = None) -> QRect | None:
        """A day's (or a lane's) whole column in viewport pixels."""
        column = self.column_index(day, lane)
        if column is None:
            return None
        geo = self.geometry_now()
        return QRectF(geo.column_x(column), 0, geo.column_width, geo.height).toRect()

    def y_of(self, minutes: float) -> float:
        """Where a time of day sits in viewport pixels (with the current scroll)."""
        return self.geometry_now().y_of(minutes)

    def band_rect(self) -> QRect:
        """The all-day band across every column."""
        geo = self.geometry_now()
        return QRect(0, geo.band_top, geo.width, geo.timeline_top - geo.band_top)

    def item_rect(self, local_id: int) -> QRect | None:
        """Where a job is drawn, in viewport pixels; ``None`` when it is not placed."""
        rect = self._blocks.rect(local_id, self.geometry_now())
        return None if rect is None else rect.toRect()

    def drop_at(self, pos: QPointF, grip_minutes: int = 0) -> Drop | None:
        """What a drop at ``pos`` asks for; ``None`` outside the columns."""
        geo = self.geometry_now()
        column = geo.column_at(pos.x())
        if column is None:
            return None
        day = self._days[0] if self._lanes is not None else self._days[column]
        lane = self._lanes[column] if self._lanes is not None else None
        if geo.in_band(pos.y()):
            return Drop(day, None, lane)
        if geo.in_timeline(pos.y()):
            return Drop(day, snap(geo.minutes_at(pos.y()) - grip_minutes), lane)
        return None

    def item_at(self, pos: QPointF) -> int | None:
        geo = self.geometry_now()
        column = geo.column_at(pos.x())
        if column is None or pos.y() < geo.band_top:
            return None
        return self._blocks.at(column, pos, geo, in_band=geo.in_band(pos.y()))

    # -- scrolling ----------------------------------------------------------------------

    def _update_scroll_range(self) -> None:
        geo = self.geometry_now()
        bar = self.verticalScrollBar()
        bar.blockSignals(True)
        bar.setRange(0, max(0, geo.content_height - geo.timeline_height))
        bar.setPageStep(max(1, geo.timeline_height))
        bar.setSingleStep(max(1, round(geo.hour_px / 2)))
        bar.setValue(geo.scroll_for(self._top_minute))
        bar.blockSignals(False)

    def _scrolled(self, value: int) -> None:
        self._top_minute = value * 60 / self.geometry_now().hour_px
        self.viewport().update()

    def scroll_to_minutes(self, minutes: float) -> None:
        self._top_minute = max(0.0, minutes)
        self._update_scroll_range()
        self.viewport().update()

    def top_minute(self) -> float:
        return self._top_minute

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    # -- painting -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        geo = self.geometry_now()
        painter = QPainter(self.viewport())
        grid = GridPainter(painter, geo, GridColours.of(self.palette()), self.font(),
                           self._fitted)
        today = date.today()
        today_columns = self._today_columns(today)
        grid.timeline(today_columns)
        drawings = self._blocks.drawings(geo)
        placements, blocks = self._blocks.placements, self._blocks
        visible_from = geo.minutes_at(geo.timeline_top)
        visible_to = geo.minutes_at(geo.height)
        painter.setClipRect(QRectF(0, geo.timeline_top, geo.width, geo.timeline_height))
        # Timed jobs' rectangles are kept unscrolled (see ``Blocks``).
        painter.translate(0, -geo.scroll)
        grid.fills(drawings, in_band=False)
        for drawing in drawings:
            for more, rect in drawing.mores:
                grid.more(rect, len(more.ids))
        for drawing in drawings:
            for local_id in drawing.detailed:
                start, end = placements[local_id].start, placements[local_id].end
                if start is not None and end is not None and (
                        end >= visible_from and start <= visible_to):
                    grid.details(blocks.item(local_id), drawing.rects[local_id])
        painter.translate(0, geo.scroll)
        now = datetime.now()
        grid.now_line(today_columns, now.hour * 60 + now.minute)
        chosen = self._selected
        selected = None if chosen is None else blocks.rect(chosen, geo)
        timed_selected = (chosen is not None and selected is not None
                          and placements[chosen].start is not None)
        clashing = chosen is not None and bool(blocks.clashes(chosen))
        if selected is not None and timed_selected:
            grid.selection(selected, clashing=clashing)
        if self._preview is not None and geo.in_timeline(self._preview[0].center().y()):
            grid.preview(*self._preview)
        painter.setClipping(False)
        grid.header(self._titles(today))
        grid.fills(drawings, in_band=True)
        for drawing in drawings:
            for local_id in drawing.detailed:
                if placements[local_id].start is None:
                    grid.details(blocks.item(local_id), drawing.rects[local_id])
        if selected is not None and not timed_selected:
            grid.selection(selected, clashing=clashing)
        if self._preview is not None and geo.in_band(self._preview[0].center().y()):
            grid.preview(*self._preview)
        if self._hint:
            grid.hint(self._hint)
        painter.end()

    def _today_columns(self, today: date) -> list[int]:
        if self._lanes is None:
            return [self._days.index(today)] if today in self._days else []
        return list(range(len(self._lanes))) if self._days == [today] else []

    def _titles(self, today: date) -> list[tuple[str, str, bool, bool]]:
        focused = self.hasFocus()
        if self._lanes is None:
            return [(f"{d:%A}", f"{d.day} {d:%b}" + (" · Today" if d == today else ""),
                     d == today, focused and d == self._focus_day) for d in self._days]
        counts: dict[int, int] = {}
        for placement in self._blocks.placements.values():
            counts[placement.column] = counts.get(placement.column, 0) + 1
        return [(lane_title(lane, self._names),
                 f"{counts.get(n, 0)} job{'s' if counts.get(n, 0) != 1 else ''}",
                 False, False) for n, lane in enumerate(self._lanes)]

    # -- selection and keys -------------------------------------------------------------

    @property
    def selected(self) -> int | None:
        return self._selected

    def selected_item(self) -> ScheduleItem | None:
        if self._selected is None or self._selected not in self._blocks.placements:
            return None
        return self._blocks.item(self._selected)

    def select(self, local_id: int | None) -> None:
        """Select a job shown here (any other id clears the selection)."""
        self._select(local_id if local_id in self._blocks.placements else None)

    def _select(self, local_id: int | None) -> None:
        if local_id == self._selected:
            return
        self._selected = local_id
        self.viewport().update()
        self.selection_changed.emit(local_id)

    def _focus_day_order(self) -> list[int]:
        """The focused day's jobs in reading order: all-day first, then by time."""
        placements = self._blocks.placements
        day = self._focus_day
        chosen = [i for i in placements if self._blocks.item(i).day == day]
        return sorted(chosen, key=lambda i: (placements[i].start is not None,
                                             placements[i].start or 0, placements[i].column,
                                             placements[i].slot, placements[i].row))

    def _step_selection(self, step: int) -> bool:
        order = self._focus_day_order()
        if not order:
            return False
        if self._selected in order:
            index = order.index(self._selected) + step
            index = min(max(index, 0), len(order) - 1)
        else:
            index = 0 if step > 0 else len(order) - 1
        self._select(order[index])
        self.ensure_visible(order[index])
        return True

    def ensure_visible(self, local_id: int) -> None:
        placement = self._blocks.placements.get(local_id)
        if placement is None or placement.start is None or placement.end is None:
            return
        geo = self.geometry_now()
        shown_from = geo.minutes_at(geo.timeline_top)
        shown_to = geo.minutes_at(geo.height)
        if placement.start < shown_from:
            self.scroll_to_minutes(placement.start - 30)
        elif placement.end > shown_to:
            self.scroll_to_minutes(placement.end + 30 - (shown_to - shown_from))

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.viewport().update()  # the focused day's mark

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.viewport().update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        nudge = _NUDGES.get(key)
        if (nudge is not None and self._selected is not None
                and event.modifiers() & Qt.KeyboardModifier.AltModifier):
            # Dragging without a mouse: Alt+arrows move the selected job.
            self.job_nudged.emit(self._selected, *nudge)
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self._step_selection(
                -1 if key == Qt.Key.Key_Up else 1):
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._selected is not None:
            self.job_activated.emit(self._selected)
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown,
                   Qt.Key.Key_Home):
            # Moving between days and weeks is the view's to do.
            event.ignore()
            return
        super().keyPressEvent(event)

    # -- mouse ----------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        more = self._blocks.more_at(event.position(), self.geometry_now())
        if more is not None:
            self.show_more(list(more.ids),
                           self.viewport().mapToGlobal(event.position().toPoint()))
            return
        local_id = self.item_at(event.position())
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
                self._drag(local_id, origin)
                return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        local_id = self.item_at(event.position())
        if local_id is not None:
            self._select(local_id)
            self.job_activated.emit(local_id)
            return
        super().mouseDoubleClickEvent(event)

    def show_more(self, local_ids: list[int], where: QPoint) -> QMenu:
        """The jobs behind a "+N more", to open one."""
        menu = jobs_menu(self, [self._blocks.item(i) for i in local_ids], where,
                         clashing=self._blocks.clashes, names=self._names,
                         opened=self._open)
        menu.destroyed.connect(lambda _o=None: setattr(self, "more_menu", None))
        self.more_menu = menu
        return menu

    def _open(self, local_id: int) -> None:
        self.job_activated.emit(local_id)

    def _drag(self, local_id: int, origin: QPoint) -> None:
        rect = self.item_rect(local_id)
        placement = self._blocks.placements.get(local_id)
        if rect is None or placement is None:
            return
        grip = 0
        if placement.start is not None:
            grip = round(self.geometry_now().minutes_at(origin.y()) - placement.start)
        drag = QDrag(self)
        drag.setMimeData(job_mime(local_id, grip))
        drag.setPixmap(self.viewport().grab(rect))
        drag.setHotSpot(origin - rect.topLeft())
        drag.exec(Qt.DropAction.MoveAction)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            local_id = self.item_at(QPointF(event.pos()))
            more = self._blocks.more_at(QPointF(event.pos()), self.geometry_now())
            if more is not None:
                QToolTip.showText(event.globalPos(), f"{len(more.ids)} more at these times: "
                                  "click to list them", self.viewport())
            elif local_id is None:
                QToolTip.hideText()
                event.ignore()
            else:
                text = tooltip(self._blocks.item(local_id), self._blocks.clashes(local_id),
                               self._names)
                QToolTip.showText(event.globalPos(), text, self.viewport(),
                                  self.item_rect(local_id) or QRect())
            return True
        return super().viewportEvent(event)

    # -- dropping -------------------------------------------------------------------------

    def _preview_for(self, local_id: int, drop: Drop) -> tuple[QRectF, str]:
        geo = self.geometry_now()
        column = self.column_index(drop.day, drop.lane)
        assert column is not None
        left, width = geo.column_x(column) + 1, geo.column_width - 2
        if drop.start is None:
            top: float = geo.band_top + 2
            return QRectF(left, top, width, geo.chip_height - 2), day_text(drop.day)
        length = DEFAULT_MINUTES
        if local_id in self._blocks.placements and self._blocks.item(local_id).timed:
            start, end = self._blocks.item(local_id).drawn_span()
            length = end - start
        top = geo.y_of(drop.start)
        label = f"{day_text(drop.day)} {formatting.minutes_clock(drop.start)}"
        if drop.lane is not None:
            label += f" · {lane_title(drop.lane, self._names)}"
        return QRectF(left, top, width, geo.y_of(drop.start + length) - top), label


    def _scroll_near_edge(self, y: float) -> None:
        """A job dragged to the top or bottom edge of the timeline scrolls it, so hours
        out of view can be reached in the same drag."""
        geo = self.geometry_now()
        bar = self.verticalScrollBar()
        if geo.timeline_top <= y < geo.timeline_top + _EDGE:
            bar.setValue(bar.value() - bar.singleStep() // 2)
        elif geo.height - _EDGE <= y < geo.height:
            bar.setValue(bar.value() + bar.singleStep() // 2)

    def _set_preview(self, preview: tuple[QRectF, str] | None) -> None:
        if preview != self._preview:
            self._preview = preview
            self.viewport().update()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dragged_job(event.mimeData()) is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._scroll_near_edge(event.position().y())
        dragged = dragged_job(event.mimeData())
        drop = None if dragged is None else self.drop_at(event.position(), dragged[1])
        if dragged is None or drop is None:
            event.ignore()
            self._set_preview(None)
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self._set_preview(self._preview_for(dragged[0], drop))

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_preview(None)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_preview(None)
        dragged = dragged_job(event.mimeData())
        drop = None if dragged is None else self.drop_at(event.position(), dragged[1])
        if dragged is None or drop is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self.job_dropped.emit(dragged[0], drop)
