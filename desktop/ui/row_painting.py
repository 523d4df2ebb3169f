"""Painting the job list's rows straight from their precomputed values.

The list paints its visible rows itself (see ``JobTableView.paintEvent``): a stock
item delegate costs one Python call and eight variant round trips per cell, which
at a screenful of rows is more than a frame. Each row is read once and drawn as
text, a status chip or a sync mark.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette

from desktop.ui import theme
from desktop.ui.job_rows import COLUMNS, PRIORITY_COLUMN, STATUS_COLUMN, SYNC_COLUMN, RowView

_PAD = 6
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def paint_chip(painter: QPainter, rect: QRect, text: str, chip: theme.Chip) -> None:
    """A rounded label inside the cell: readable in both schemes, unlike plain colour."""
    metrics = painter.fontMetrics()
    pad_x, height = 8, min(rect.height() - 6, metrics.height() + 4)
    # Two spare pixels: elision measures more strictly than horizontalAdvance.
    width = min(rect.width() - 8, metrics.horizontalAdvance(text) + 2 * pad_x + 2)
    shape = QRectF(rect.left() + 4, rect.center().y() - height / 2 + 0.5, width, height)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(chip.background)
    painter.drawRoundedRect(shape, height / 2, height / 2)
    painter.setPen(chip.text)
    label = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(shape.width()) - 2 * pad_x)
    painter.drawText(shape, Qt.AlignmentFlag.AlignCenter, label)


def paint_mark(painter: QPainter, rect: QRect, text: str, colour: QColor,
               text_colour: QColor) -> None:
    """A coloured dot and a word, for rows not in step with the server."""
    size = 8
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(QRectF(rect.left() + 8, rect.center().y() - size / 2 + 1, size, size))
    painter.setPen(text_colour)
    painter.drawText(rect.adjusted(8 + size + 6, 0, -4, 0), _LEFT, text)


class FittedText:
    """Text as it fits a width, with that width: remembered, since eliding and measuring
    cost more than drawing. Two generations: when the newer fills up it becomes the
    older, so entries age out a few at a time rather than all at once (a cleared cache
    would make the next paint measure a whole screen again)."""

    LIMIT = 20_000

    def __init__(self) -> None:
        self._new: dict[tuple[str, int, bool], tuple[str, int]] = {}
        self._old: dict[tuple[str, int, bool], tuple[str, int]] = {}

    def get(self, text: str, room: int, italic: bool, metrics: QFontMetrics
            ) -> tuple[str, int]:
        key = (text, room, italic)
        found = self._new.get(key)
        if found is None:
            found = self._old.get(key)
            if found is None:
                shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
                found = (shown, metrics.horizontalAdvance(shown))
            if len(self._new) >= self.LIMIT:
                self._old, self._new = self._new, {}
            self._new[key] = found
        return found

    def clear(self) -> None:
        self._new.clear()
        self._old.clear()


@dataclass(frozen=True)
class Colours:
    """What one paint needs from the palette and theme, looked up once per paint."""

    base: QColor
    alternate: QColor
    highlight: QColor
    highlighted_text: QColor
    text: QColor
    danger: QColor
    dark: bool

    @classmethod
    def of(cls, palette: QPalette, active: bool) -> Colours:
        group = QPalette.ColorGroup.Active if active else QPalette.ColorGroup.Inactive
        return cls(
            base=palette.color(group, QPalette.ColorRole.Base),
            alternate=palette.color(group, QPalette.ColorRole.AlternateBase),
            highlight=palette.color(group, QPalette.ColorRole.Highlight),
            highlighted_text=palette.color(group, QPalette.ColorRole.HighlightedText),
            text=palette.color(group, QPalette.ColorRole.Text),
            danger=theme.accent("danger"),
            dark=theme.dark_mode(),
        )


@dataclass(frozen=True)
class RowPainter:
    """Draws rows onto one painter, with what every row shares worked out once."""

    painter: QPainter
    #: The visible columns in screen order, as (logical index, x, width).
    columns: list[tuple[int, int, int]]
    height: int
    width: int
    colours: Colours
    #: (normal, italic): rows in the Trash are set in italic.
    fonts: tuple[QFont, QFont]
    #: Kept by the view across paints.
    fitted: FittedText

    def paint(self, row: RowView, top: int, *, selected: bool, odd: bool) -> None:
        painter, colours = self.painter, self.colours
        painter.fillRect(0, top, self.width, self.height, colours.highlight if selected
                         else colours.alternate if odd else colours.base)
        painter.setFont(self.fonts[1] if row.deleted else self.fonts[0])
        text_colour = colours.highlighted_text if selected else colours.text
        metrics = painter.fontMetrics()
        baseline = top + (self.height + metrics.ascent() - metrics.descent()) // 2
        for column, x, size in self.columns:
            text = row.texts[column]
            if not text:
                continue
            if column == STATUS_COLUMN:
                painter.save()
                paint_chip(painter, QRect(x, top, size, self.height), text,
                           theme.status_chip(row.status, colours.dark))
                painter.restore()
            elif column == SYNC_COLUMN and row.sync_state in theme.ACCENTS:
                colour = theme.accent(row.sync_state, colours.dark)
                painter.save()
                paint_mark(painter, QRect(x, top, size, self.height), text, colour,
                           text_colour if selected else colour)
                painter.restore()
            else:
                painter.setPen(colours.danger if column == PRIORITY_COLUMN and row.alert
                               and not selected else text_colour)
                room = size - 2 * _PAD
                shown, advance = self.fitted.get(text, room, row.deleted, metrics)
                left = x + size - _PAD - advance if COLUMNS[column].right else x + _PAD
                painter.drawText(left, baseline, shown)
