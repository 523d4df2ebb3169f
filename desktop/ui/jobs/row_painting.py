"""Painting the job list's rows straight from their precomputed values.

The list paints its visible rows itself (see ``JobTableView.paintEvent``): a stock
item delegate costs one Python call and eight variant round trips per cell, which
at a screenful of rows is more than a frame. Each row is read once and drawn as
text, a status chip or a sync mark.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette

from desktop.ui import theme
from desktop.ui.jobs.rows import COLUMNS, PRIORITY_COLUMN, STATUS_COLUMN, SYNC_COLUMN, RowView

_PAD = 6


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


class RowPainter:
    """Draws rows onto one painter, with what every row shares worked out once."""

    def __init__(self, painter: QPainter, *, columns: list[tuple[int, int, int]],
                 height: int, width: int, colours: Colours, fonts: tuple[QFont, QFont],
                 fitted: FittedText) -> None:
        #: ``columns``: the visible ones in screen order, as (logical index, x, width).
        #: ``fonts``: (normal, italic); rows in the Trash are set in italic.
        self.painter, self.columns, self.height, self.width = painter, columns, height, width
        self.colours, self.fonts, self.fitted = colours, fonts, fitted
        self.metrics = (QFontMetrics(fonts[0]), QFontMetrics(fonts[1]))
        metrics = self.metrics[0]
        self.text_offset = (height + metrics.ascent() - metrics.descent()) // 2
        self.chip_height = min(height - 6, metrics.height() + 4)
        # Chips and dots are curves; text is unaffected by antialiasing here.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)

    def paint(self, row: RowView, top: int, *, selected: bool, odd: bool) -> None:
        painter, colours = self.painter, self.colours
        painter.fillRect(0, top, self.width, self.height, colours.highlight if selected
                         else colours.alternate if odd else colours.base)
        italic = row.deleted
        painter.setFont(self.fonts[italic])
        metrics = self.metrics[italic]
        text_colour = colours.highlighted_text if selected else colours.text
        baseline = top + self.text_offset
        for column, x, size in self.columns:
            text = row.texts[column]
            if not text:
                continue
            if column == STATUS_COLUMN:
                self._chip(text, x, top, size=size, metrics=metrics,
                           chip=theme.status_chip(row.status, colours.dark))
            elif column == SYNC_COLUMN and row.sync_state in theme.ACCENTS:
                colour = theme.accent(row.sync_state, colours.dark)
                self._mark(text, x, top, colour, text_colour if selected else colour)
            else:
                painter.setPen(colours.danger if column == PRIORITY_COLUMN and row.alert
                               and not selected else text_colour)
                shown, advance = self.fitted.get(text, size - 2 * _PAD, italic, metrics)
                left = x + size - _PAD - advance if COLUMNS[column].right else x + _PAD
                painter.drawText(left, baseline, shown)

    def _chip(self, text: str, x: int, top: int, *, size: int, chip: theme.Chip,
              metrics: QFontMetrics) -> None:
        """A rounded label: readable in both schemes, unlike coloured text."""
        painter, height = self.painter, self.chip_height
        pad = 8
        # Two spare pixels: elision measures more strictly than horizontalAdvance.
        shown, advance = self.fitted.get(text, size - 8 - 2 * pad - 2, False, metrics)
        width = advance + 2 * pad + 2
        chip_top = top + (self.height - height) / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(chip.background)
        painter.drawRoundedRect(QRectF(x + 4, chip_top, width, height), height / 2, height / 2)
        painter.setPen(chip.text)
        painter.drawText(x + 4 + pad + 1, top + self.text_offset, shown)

    def _mark(self, text: str, x: int, top: int, colour: QColor, text_colour: QColor) -> None:
        """A coloured dot and a word, for rows not in step with the server."""
        painter, dot = self.painter, 8
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(QRectF(x + 8, top + (self.height - dot) / 2, dot, dot))
        painter.setPen(text_colour)
        painter.drawText(x + 8 + dot + 6, top + self.text_offset, text)
