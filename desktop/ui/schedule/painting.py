"""Painting the schedule grid: hours, column titles, and each job as a coloured block.

Jobs are drawn straight from their ``ScheduleItem`` values with one painter and no
per-job widgets or items: blocks are filled a colour at a time (see
``schedule_blocks``), and only blocks wide enough for text cost a call of their own;
text is elided through the list's ``FittedText`` cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen

from desktop.core.schedule import WORK_END, WORK_START, ScheduleItem
from desktop.ui import formatting, theme
from desktop.ui.jobs.row_painting import FittedText
from desktop.ui.schedule.blocks import MIN_TEXT_WIDTH, STRIPE, Drawing
from desktop.ui.schedule.geometry import BAND_PAD, GUTTER, GridGeometry
from desktop.ui.schedule.text import block_title, time_text

_PAD = 4


@dataclass(frozen=True)
class GridColours:
    base: QColor
    off_hours: QColor
    header: QColor
    text: QColor
    faint: QColor
    line: QColor
    half_line: QColor
    highlight: QColor
    danger: QColor
    urgent: QColor
    dark: bool

    @classmethod
    def of(cls, palette: QPalette) -> GridColours:
        role = QPalette.ColorRole
        dark = theme.dark_mode()
        base = palette.color(role.Base)
        return cls(
            base=base,
            off_hours=palette.color(role.AlternateBase).darker(104 if not dark else 90),
            header=palette.color(role.Window),
            text=palette.color(role.Text),
            faint=palette.color(role.PlaceholderText),
            line=palette.color(role.Mid),
            half_line=palette.color(role.Midlight),
            highlight=palette.color(role.Highlight),
            danger=theme.accent("danger", dark),
            urgent=theme.accent("pending", dark),
            dark=dark,
        )


def stripe_colour(key: str, colours: GridColours) -> QColor:
    """The colour of a ``stripe_key``: emergency, urgent, or the status's deep colour."""
    if key == "emergency":
        return colours.danger
    if key == "urgent":
        return colours.urgent
    return theme.status_chip(key.removeprefix("status:"), colours.dark).text


class GridPainter:
    """Draws one paint of the grid; what every job shares is looked up once."""

    def __init__(self, painter: QPainter, geometry: GridGeometry, colours: GridColours,
                 font: QFont, fitted: FittedText) -> None:
        self.painter, self.geometry, self.colours = painter, geometry, colours
        self.fitted = fitted
        self.metrics = QFontMetrics(font)
        self.line_height = self.metrics.height()
        self.ascent = self.metrics.ascent()
        painter.setFont(font)

    # -- background -----------------------------------------------------------------

    def timeline(self, today_columns: list[int]) -> None:
        """Hour lines, off-hours shading and today's tint, under the jobs."""
        painter, geo, colours = self.painter, self.geometry, self.colours
        top, width = geo.timeline_top, geo.width
        painter.fillRect(QRectF(0, top, width, geo.timeline_height), colours.base)
        for start, end in ((0, WORK_START), (WORK_END, 24 * 60)):
            band = QRectF(GUTTER, geo.y_of(start), width - GUTTER,
                          geo.y_of(end) - geo.y_of(start))
            painter.fillRect(band.intersected(QRectF(0, top, width, geo.timeline_height)),
                             colours.off_hours)
        tint = QColor(colours.highlight)
        tint.setAlpha(18)
        for column in today_columns:
            painter.fillRect(QRectF(geo.column_x(column), top, geo.column_width,
                                    geo.timeline_height), tint)
        first_hour = max(0, int(geo.minutes_at(top) // 60))
        last_hour = min(24, int(geo.minutes_at(geo.height) // 60) + 1)
        for hour in range(first_hour, last_hour + 1):
            y = round(geo.y_of(hour * 60))
            if y >= top:
                painter.setPen(colours.line)
                painter.drawLine(GUTTER - 6, y, width, y)
                if 0 < hour < 24:
                    painter.setPen(colours.faint)
                    label = formatting.hour_text(hour)
                    advance = self.metrics.horizontalAdvance(label)
                    # Below its line, so the first hour in view is never cut off.
                    painter.drawText(GUTTER - 8 - advance, y + 2 + self.ascent, label)
            half = round(geo.y_of(hour * 60 + 30))
            if top <= half and hour < 24:
                painter.setPen(QPen(colours.half_line, 1, Qt.PenStyle.DotLine))
                painter.drawLine(GUTTER, half, width, half)
        self._column_lines(top, geo.height)

    def _column_lines(self, top: float, bottom: float) -> None:
        painter, geo = self.painter, self.geometry
        painter.setPen(self.colours.line)
        for column in range(geo.columns + 1):
            x = round(geo.column_x(column))
            painter.drawLine(x, round(top), x, round(bottom))

    def now_line(self, columns: list[int], minutes: int) -> None:
        """The time now across today's columns (contiguous: a day, or its lanes)."""
        painter, geo = self.painter, self.geometry
        y = geo.y_of(minutes)
        if not columns or not geo.timeline_top <= y < geo.height:
            return
        left = geo.column_x(columns[0])
        right = geo.column_x(columns[-1]) + geo.column_width
        painter.setPen(QPen(self.colours.danger, 2))
        painter.setBrush(self.colours.danger)
        painter.drawLine(QPointF(left, y), QPointF(right, y))
        painter.drawEllipse(QPointF(left, y), 3.5, 3.5)

    # -- the fixed top: column titles and the all-day band -----------------------------

    def header(self, titles: list[tuple[str, str, bool, bool]]) -> None:
        """``titles``: per column (first line, second line, is today, has focus)."""
        painter, geo, colours = self.painter, self.geometry, self.colours
        painter.fillRect(QRectF(0, 0, geo.width, geo.timeline_top), colours.header)
        room = int(geo.column_width) - 2 * _PAD
        for column, (first, second, today, focused) in enumerate(titles):
            x = geo.column_x(column) + _PAD
            painter.setPen(colours.highlight if today else colours.text)
            shown, _ = self.fitted.get(first, room, False, self.metrics)
            painter.drawText(QPointF(x, 6 + self.ascent), shown)
            painter.setPen(colours.highlight if today else colours.faint)
            shown, _ = self.fitted.get(second, room, False, self.metrics)
            painter.drawText(QPointF(x, 6 + self.line_height + self.ascent), shown)
            if focused:
                painter.fillRect(QRectF(geo.column_x(column) + 1, geo.header_height - 3,
                                        geo.column_width - 2, 3), colours.highlight)
        painter.setPen(colours.faint)
        label = "All day"
        shown, advance = self.fitted.get(label, GUTTER - 8, False, self.metrics)
        painter.drawText(QPointF(GUTTER - 6 - advance, geo.band_top + BAND_PAD + self.ascent + 3),
                         shown)
        painter.setPen(colours.line)
        painter.drawLine(0, geo.band_top, geo.width, geo.band_top)
        painter.drawLine(0, geo.timeline_top - 1, geo.width, geo.timeline_top - 1)
        self._column_lines(0, geo.timeline_top)

    # -- jobs -------------------------------------------------------------------------

    def fills(self, drawings: list[Drawing], *, in_band: bool) -> None:
        """Every block's status colour and its stripe: one call per colour."""
        painter, colours = self.painter, self.colours
        painter.setPen(Qt.PenStyle.NoPen)
        for drawing in drawings:
            for (band, status), rects in drawing.bodies.items():
                if band == in_band:
                    painter.setBrush(theme.status_chip(status, colours.dark).background)
                    painter.drawRects(rects)
            for (band, key), rects in drawing.stripes.items():
                if band == in_band:
                    painter.setBrush(stripe_colour(key, colours))
                    painter.drawRects(rects)
        # A double booking is outlined on every block it involves, however narrow.
        painter.setPen(QPen(colours.danger, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for drawing in drawings:
            clashing = drawing.clashing.get(in_band)
            if clashing:
                painter.drawRects([r.adjusted(1, 1, -1, -1) for r in clashing])


    def details(self, item: ScheduleItem, rect: QRectF) -> None:
        """On a filled block: a sync mark, and as many lines of text as fit (title, time
        and number, customer)."""
        painter, colours = self.painter, self.colours
        room = int(rect.width()) - STRIPE - 2 * _PAD
        if item.sync_state in theme.ACCENTS:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.accent(item.sync_state, colours.dark))
            painter.drawEllipse(QPointF(rect.right() - 6, rect.top() + 6), 3, 3)
            room -= 8
        if rect.width() < MIN_TEXT_WIDTH or rect.height() < self.line_height:
            return
        painter.setPen(theme.status_chip(item.status, colours.dark).text)
        x = rect.left() + STRIPE + _PAD
        lines = int((rect.height() - 2) // self.line_height)
        texts = [block_title(item)]
        if lines > 1:
            when = time_text(item)
            texts.append(f"{when} · {item.job_number}" if when and item.job_number
                         else when or item.job_number or "")
            texts.append(item.customer_name or "")
        baseline = rect.top() + 1 + self.ascent
        for text in texts[:lines]:
            if text:
                shown, _ = self.fitted.get(text, room, False, self.metrics)
                painter.drawText(QPointF(x, baseline), shown)
            baseline += self.line_height

    def more(self, rect: QRectF, count: int) -> None:
        """A "+N more" block: the jobs that did not fit beside the others."""
        painter, colours = self.painter, self.colours
        fill = QColor(colours.highlight)
        fill.setAlpha(40)
        painter.fillRect(rect, fill)
        painter.setPen(QPen(colours.highlight, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
        room = int(rect.width()) - 2
        text = f"+{count} more"
        shown, advance = self.fitted.get(text, room, False, self.metrics)
        if shown != text:
            shown, advance = self.fitted.get(f"+{count}", room, False, self.metrics)
        painter.drawText(QPointF(rect.center().x() - advance / 2, rect.top() + 2 + self.ascent),
                         shown)

    def selection(self, rect: QRectF, *, clashing: bool = False) -> None:
        """The picked block's ring; inside the double-booking outline when it has one,
        so a job picked (as a drop picks it) still shows it is booked twice."""
        painter = self.painter
        painter.setPen(QPen(self.colours.highlight, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = 3 if clashing else 1
        painter.drawRect(rect.adjusted(inset, inset, -inset, -inset))

    def preview(self, rect: QRectF, label: str) -> None:
        """Where a dragged job would land."""
        painter, colours = self.painter, self.colours
        fill = QColor(colours.highlight)
        fill.setAlpha(60)
        painter.fillRect(rect, fill)
        painter.setPen(QPen(colours.highlight, 2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.setPen(colours.text)
        shown, _ = self.fitted.get(label, int(rect.width()) - 2 * _PAD, False, self.metrics)
        painter.drawText(QPointF(rect.left() + _PAD, rect.top() + 2 + self.ascent), shown)

    def hint(self, text: str) -> None:
        painter, geo = self.painter, self.geometry
        area = QRectF(GUTTER + 24, geo.timeline_top + 24, geo.width - GUTTER - 48,
                      max(0, geo.height - geo.timeline_top - 48))
        painter.setPen(self.colours.faint)
        painter.drawText(area, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                         | Qt.TextFlag.TextWordWrap, text)

