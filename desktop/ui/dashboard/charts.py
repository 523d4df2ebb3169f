"""The dashboard's drawings: titled panels, bar charts and the sync panel.

Drawn with QPainter: a few bar charts do not justify Qt's chart module, which ships
only in the 200 MB PySide6-Addons wheel, not in the PySide6-Essentials the app
depends on. Colours come from the palette and the theme's status and accent colours,
read at paint time, so both schemes draw correctly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.ui import formatting, theme
from desktop.ui.sync import status


def ticks(top: float, count: int = 4) -> list[float]:
    """Round axis values from 0 to at least ``top``, about ``count`` steps apart."""
    if top <= 0:
        return [0.0, 1.0]
    rough = top / count
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    step = max(step, 1.0)
    return [step * n for n in range(math.ceil(top / step - 1e-9) + 1)]


def count_text(value: float) -> str:
    return f"{value:,.0f}"


def money_text(value: float) -> str:
    """A round amount for an axis, in the locale's currency: $800, $25k, $1.5M."""
    symbol = formatting.currency_symbol()
    if value >= 1_000_000:
        return f"{symbol}{value / 1_000_000:,.1f}M".replace(".0M", "M")
    if value >= 1_000:
        return f"{symbol}{value / 1_000:,.0f}k"
    return f"{symbol}{value:,.0f}"


@dataclass(frozen=True)
class Bar:
    #: The category, on the axis; a second line after "\n" is set smaller.
    label: str
    value: float
    #: The value as written beside the bar.
    text: str
    #: A status (its chip colour), an accent name of the theme, or "" for the highlight.
    tone: str = ""
    bold: bool = False


def tone_colour(tone: str, palette: QPalette, dark: bool) -> QColor:
    if not tone:
        return palette.color(QPalette.ColorRole.Highlight)
    if tone in theme.ACCENTS:
        return theme.accent(tone, dark)
    # A status chip's deep colour, brightened on a dark background.
    deep = theme.status_chip(tone, False).text
    return deep.lighter(170) if dark else deep


class Panel(QWidget):
    """A titled area of the dashboard with a caption line under its drawing."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.caption = ""
        self.setMinimumSize(360, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(title)

    def _frame(self, painter: QPainter) -> QRect:
        """Draws the panel's card, title and caption; returns the room left between."""
        palette = self.palette()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
        metrics = self.fontMetrics()
        title_font = QFont(self.font())
        title_font.setWeight(QFont.Weight.DemiBold)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.1)
        painter.setFont(title_font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        title_height = QFontMetrics(title_font).height()
        painter.drawText(QRect(14, 10, self.width() - 28, title_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        painter.setFont(self.font())
        bottom = self.height() - 10
        if self.caption:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRect(14, bottom - metrics.height(), self.width() - 28,
                                   metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(self.caption, Qt.TextElideMode.ElideRight,
                                                self.width() - 28))
            bottom -= metrics.height() + 6
        return QRect(14, 10 + title_height + 10, self.width() - 28,
                     bottom - (10 + title_height + 10))


class BarChart(Panel):
    """Bars with a value axis (ticks, grid lines and its title) and a value on each bar."""

    def __init__(self, title: str, axis_title: str, *, horizontal: bool,
                 axis_text: Callable[[float], str] = count_text,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.axis_title = axis_title
        self.horizontal = horizontal
        self.axis_text = axis_text
        self.bars: list[Bar] = []

    def set_bars(self, bars: Sequence[Bar], caption: str = "") -> None:
        self.bars = list(bars)
        self.caption = caption
        self.setAccessibleDescription("; ".join(
            f"{b.label.replace(chr(10), ' ')}: {b.text}" for b in bars))
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        area = self._frame(painter)
        if self.bars:
            if self.horizontal:
                self._paint_across(painter, area)
            else:
                self._paint_upright(painter, area)
        painter.end()

    def _colours(self) -> tuple[QColor, QColor, QColor, bool]:
        palette = self.palette()
        return (palette.color(QPalette.ColorRole.Text),
                palette.color(QPalette.ColorRole.PlaceholderText),
                palette.color(QPalette.ColorRole.Midlight), theme.dark_mode())

    def _paint_across(self, painter: QPainter, area: QRect) -> None:
        """Categories down the left, values along the bottom axis."""
        text, muted, grid, dark = self._colours()
        metrics = self.fontMetrics()
        line = metrics.height()
        steps = ticks(max(b.value for b in self.bars))
        labels = max(metrics.horizontalAdvance(b.label) for b in self.bars) + 10
        values = max(metrics.horizontalAdvance(b.text) for b in self.bars) + 8
        plot = QRect(area.left() + labels, area.top(),
                     max(40, area.width() - labels - values), area.height() - 2 * line - 6)
        scale = plot.width() / steps[-1]
        for value in steps:
            x = plot.left() + round(value * scale)
            painter.setPen(grid)
            painter.drawLine(x, plot.top(), x, plot.bottom())
            painter.setPen(muted)
            label = self.axis_text(value)
            width = metrics.horizontalAdvance(label)
            painter.drawText(x - width // 2, plot.bottom() + 4 + metrics.ascent(), label)
        painter.drawText(QRect(plot.left(), plot.bottom() + line + 6, plot.width(), line),
                         Qt.AlignmentFlag.AlignCenter, self.axis_title)
        slot = plot.height() / len(self.bars)
        thickness = max(4.0, min(22.0, slot * 0.7))
        for n, bar in enumerate(self.bars):
            middle = plot.top() + slot * (n + 0.5)
            painter.setPen(text)
            painter.drawText(QRect(area.left(), round(middle - line / 2), labels - 10, line),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             bar.label)
            length = bar.value * scale
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tone_colour(bar.tone, self.palette(), dark))
            painter.drawRoundedRect(QRectF(plot.left(), middle - thickness / 2,
                                           max(length, 1.5), thickness), 2, 2)
            painter.setPen(text)
            painter.drawText(QRect(plot.left() + round(length) + 6, round(middle - line / 2),
                                   values, line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, bar.text)

    def _paint_upright(self, painter: QPainter, area: QRect) -> None:
        """Categories along the bottom (two lines each), values up the left axis."""
        text, muted, grid, dark = self._colours()
        metrics = self.fontMetrics()
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        small_metrics = QFontMetrics(small)
        line = metrics.height()
        steps = ticks(max(b.value for b in self.bars))
        axis = max(metrics.horizontalAdvance(self.axis_text(v)) for v in steps) + 8
        plot = QRect(area.left() + line + 4 + axis, area.top() + line,
                     area.width() - line - 4 - axis,
                     area.height() - line - 2 * small_metrics.height() - 8)
        scale = plot.height() / steps[-1]
        for value in steps:
            y = plot.bottom() - round(value * scale)
            painter.setPen(grid)
            painter.drawLine(plot.left(), y, plot.right(), y)
            painter.setPen(muted)
            painter.drawText(QRect(plot.left() - axis, y - line // 2, axis - 6, line),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self.axis_text(value))
        painter.save()
        painter.translate(area.left() + line / 2 + 2, plot.center().y())
        painter.rotate(-90)
        painter.drawText(QRect(-plot.height() // 2, -line // 2, plot.height(), line),
                         Qt.AlignmentFlag.AlignCenter, self.axis_title)
        painter.restore()
        slot = plot.width() / len(self.bars)
        thickness = max(3.0, min(28.0, slot * 0.6))
        for n, bar in enumerate(self.bars):
            centre = plot.left() + slot * (n + 0.5)
            height = bar.value * scale
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tone_colour(bar.tone, self.palette(), dark))
            painter.drawRoundedRect(QRectF(centre - thickness / 2, plot.bottom() - height,
                                           thickness, max(height, 1.5)), 2, 2)
            cell = QRect(round(centre - slot / 2), 0, round(slot), line)
            painter.setPen(text)
            painter.setFont(self.font())
            painter.drawText(cell.translated(0, round(plot.bottom() - height) - line - 2),
                             Qt.AlignmentFlag.AlignCenter, bar.text)
            font = QFont(small)
            font.setBold(bar.bold)
            painter.setFont(font)
            for row, part in enumerate(bar.label.split("\n")):
                painter.setPen(text if row == 0 or bar.bold else muted)
                painter.drawText(cell.translated(0, plot.bottom() + 4
                                                 + row * small_metrics.height()),
                                 Qt.AlignmentFlag.AlignCenter, part)
            painter.setFont(self.font())


class SyncPanel(Panel):
    """Changes waiting, conflicts and refusals as big numbers, then the last sync."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sync", parent)
        self.sync_states: dict[str, int] = {}
        self.last_sync: dict[str, Any] | None = None

    def set_state(self, sync_states: dict[str, int], last_sync: dict[str, Any] | None) -> None:
        self.sync_states, self.last_sync = sync_states, last_sync
        self.setAccessibleDescription(" · ".join(
            [f"{n:,} {word}" for word, n, _tone in self._numbers()] + [self.last_text().text]))
        self.update()

    def _numbers(self) -> list[tuple[str, int, str]]:
        states = self.sync_states
        return [("changes waiting", states.get("pending", 0), "pending"),
                ("conflicts", states.get("conflict", 0), "conflict"),
                ("refused by the server", states.get("rejected", 0), "rejected")]

    def last_text(self, now: datetime | None = None) -> status.StatusText:
        """The last sync as the status bar words it."""
        last = self.last_sync
        if not last:
            return status.StatusText("Not synced yet on this computer", "", "")
        ok_at = status.parse_finished(last) if last.get("status") == "ok" else None
        return status.describe(status.SyncSnapshot(configured=True, last=last, last_ok_at=ok_at),
                               now or datetime.now(UTC))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        area = self._frame(painter)
        palette, dark = self.palette(), theme.dark_mode()
        text = palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 2.4)
        big.setWeight(QFont.Weight.DemiBold)
        big_height = QFontMetrics(big).height()
        line = self.fontMetrics().height()
        numbers = self._numbers()
        width = area.width() / len(numbers)
        for n, (word, value, tone) in enumerate(numbers):
            cell = QRect(round(area.left() + n * width), area.top(), round(width) - 8,
                         big_height)
            painter.setFont(big)
            painter.setPen(theme.accent(tone if value else "ok", dark))
            painter.drawText(cell, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{value:,}")
            painter.setFont(self.font())
            painter.setPen(muted)
            painter.drawText(QRect(cell.left(), cell.bottom() + 2, cell.width(), 2 * line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, word)
        top = area.top() + big_height + 2 * line + 18
        painter.setPen(palette.color(QPalette.ColorRole.Midlight))
        painter.drawLine(area.left(), top - 8, area.right(), top - 8)
        painter.setPen(muted)
        painter.drawText(QRect(area.left(), top, area.width(), line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "Last sync")
        said = self.last_text()
        painter.setPen(theme.accent(said.tone, dark) if said.tone else text)
        top += line + 4
        painter.drawText(QRect(area.left(), top, area.width(), line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, said.text)
        finished = (self.last_sync or {}).get("finished_at")
        details = [f"Finished {formatting.timestamp(finished)}" if finished else "",
                   said.tooltip]
        painter.setPen(muted)
        for detail in filter(None, details):
            top += line + 4
            painter.drawText(QRect(area.left(), top, area.width(), line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self.fontMetrics().elidedText(detail, Qt.TextElideMode.ElideRight,
                                                           area.width()))
        painter.end()
