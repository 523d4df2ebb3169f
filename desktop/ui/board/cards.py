"""The status board's cards: what a card shows and the delegate that paints it.

A card shows what the job list's row shows (``job_rows.row_view``, worked out once
when the row is read) in three lines: the title with its sync mark, the customer
with the priority, the date and the technician with the job number. Emergency and urgent jobs get a
red edge and a red priority, as the list marks them.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.ui import theme
from desktop.ui.jobs.row_painting import FittedText
from desktop.ui.jobs.rows import SORT_COLUMNS, STATUS_COLUMN, SYNC_COLUMN, RowView

CARD_ROLE = Qt.ItemDataRole.UserRole + 1
#: The card's technician by name ("" when unassigned).
TECHNICIAN_ROLE = Qt.ItemDataRole.UserRole + 2

TITLE = SORT_COLUMNS["title"]
CUSTOMER = SORT_COLUMNS["customer"]
NUMBER = SORT_COLUMNS["job_number"]
WHEN = SORT_COLUMNS["scheduled"]
PRIORITY = SORT_COLUMNS["priority"]

#: Space around a card inside its row, and inside the card around its text.
MARGIN_X, MARGIN_Y, PAD = 6, 3, 8
LINE_GAP = 3


def card_summary(card: RowView, technician: str = "") -> str:
    """A card in words, for its tooltip and screen readers."""
    parts = [card.texts[i] for i in (TITLE, CUSTOMER, WHEN, PRIORITY, NUMBER) if card.texts[i]]
    if technician:
        parts.insert(3, technician)
    return " · ".join(parts) + (f"\n{card.sync_tip}" if card.sync_tip else "")


def card_height(font: QFont) -> int:
    """A row's height: three lines of text, the card's padding and the gap below."""
    line = QFontMetrics(font).height()
    return 3 * line + 2 * LINE_GAP + 2 * PAD + 2 * MARGIN_Y


def mix(a: QColor, b: QColor, share: float) -> QColor:
    """``a`` with ``share`` of ``b`` blended in: secondary text that follows the theme."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * share,
                           a.greenF() + (b.greenF() - a.greenF()) * share,
                           a.blueF() + (b.blueF() - a.blueF()) * share)


def card_colour(palette: QPalette, dark: bool) -> QColor:
    """A card's background: the brightest surface in light mode, a raised one in dark."""
    return palette.color(QPalette.ColorRole.Button if dark else QPalette.ColorRole.Base)


class CardDelegate(QStyledItemDelegate):
    """Paints a card from its precomputed ``RowView``; a row not read yet is a blank card."""

    def __init__(self, parent: QWidget | None = None, *, show_status: bool = False) -> None:
        super().__init__(parent)
        #: Where a column holds more than one status, a card names its own in place of
        #: the job number.
        self._corner = STATUS_COLUMN if show_status else NUMBER
        self._fitted = FittedText()
        self._backgrounds: dict[tuple[object, ...], QPixmap] = {}
        self._colour_key: tuple[int, bool] | None = None
        self._text_colours = (QColor(), QColor(), QColor())
        self._font_key = ""
        self._bold = QFont()
        self._metrics = (QFontMetrics(self._bold), QFontMetrics(self._bold))

    def sizeHint(self, option: QStyleOptionViewItem,
                 _index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(option.rect.width(), card_height(option.font))

    def _fonts(self, font: QFont) -> tuple[QFont, QFont]:
        if font.key() != self._font_key:
            self._font_key = font.key()
            self._bold = QFont(font)
            self._bold.setWeight(QFont.Weight.DemiBold)
            self._metrics = (QFontMetrics(font), QFontMetrics(self._bold))
            self._fitted.clear()
        return font, self._bold

    def _background(self, size: QSize, ratio: float, palette: QPalette, *, selected: bool,
                    alert: bool, blank: bool) -> QPixmap:
        """The card without its text, drawn once per look: antialiased rounded shapes
        cost more than all of a card's text."""
        dark = theme.dark_mode()
        key = (size.width(), size.height(), ratio, palette.cacheKey(), dark, selected, alert,
               blank)
        found = self._backgrounds.get(key)
        if found is not None:
            return found
        if len(self._backgrounds) > 64:
            self._backgrounds.clear()
        pixmap = QPixmap(size * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(0, 0, size.width(), size.height())
        background = card_colour(palette, dark)
        painter.setPen(palette.color(QPalette.ColorRole.Highlight if selected
                                     else QPalette.ColorRole.Mid))
        painter.setBrush(background)
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        if selected:
            painter.drawRoundedRect(rect.adjusted(1.5, 1.5, -1.5, -1.5), 5, 5)
        painter.setPen(Qt.PenStyle.NoPen)
        if alert:
            painter.setBrush(theme.accent("danger", dark))
            painter.drawRoundedRect(QRectF(1, 5, 3, size.height() - 10), 1.5, 1.5)
        if blank:
            # Not read yet: grey bars where the text will be.
            painter.setBrush(mix(background, palette.color(QPalette.ColorRole.Text), 0.12))
            line = QFontMetrics(self._bold).height()
            for row, share in enumerate((0.7, 0.45, 0.55)):
                painter.drawRoundedRect(QRectF(PAD, PAD + row * (line + LINE_GAP) + 3,
                                               (size.width() - 2 * PAD) * share, line - 6),
                                        3, 3)
        painter.end()
        self._backgrounds[key] = pixmap
        return pixmap

    def _colours(self, palette: QPalette, dark: bool) -> tuple[QColor, QColor, QColor]:
        """Text, secondary text and alert colours, worked out once per look."""
        key = (palette.cacheKey(), dark)
        if self._colour_key != key:
            self._colour_key = key
            text = palette.color(QPalette.ColorRole.Text)
            self._text_colours = (text, mix(text, card_colour(palette, dark), 0.35),
                                  theme.accent("danger", dark))
        return self._text_colours

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        card: RowView | None = index.data(CARD_ROLE)
        palette = option.palette
        fonts = self._fonts(option.font)
        rect = option.rect.adjusted(MARGIN_X, MARGIN_Y, -MARGIN_X, -MARGIN_Y)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        ratio = painter.device().devicePixelRatioF()
        painter.drawPixmap(rect.topLeft(), self._background(
            rect.size(), ratio, palette, selected=selected, alert=bool(card and card.alert),
            blank=card is None))
        if card is None:
            return
        dark = theme.dark_mode()
        text, muted, danger = self._colours(palette, dark)
        painter.save()
        lines = _Lines(painter, rect.adjusted(PAD, PAD, -PAD, -PAD), fonts, self._metrics,
                       self._fitted)
        mark = card.texts[SYNC_COLUMN] if card.sync_state in theme.ACCENTS else ""
        taken = lines.right(0, mark, theme.accent(card.sync_state, dark), dot=True) if mark else 0
        lines.left(0, card.texts[TITLE], text, taken, bold=True)
        taken = lines.right(1, card.texts[PRIORITY], danger if card.alert else muted,
                            bold=card.alert)
        lines.left(1, card.texts[CUSTOMER], text, taken)
        taken = lines.right(2, card.texts[self._corner], muted)
        technician = index.data(TECHNICIAN_ROLE)
        when = " · ".join(t for t in (card.texts[WHEN], technician) if t)
        lines.left(2, when, muted, taken)
        painter.restore()


class _Lines:
    """The three text lines of one card: text on the left, elided to the room left by
    what is drawn on the right of the same line."""

    def __init__(self, painter: QPainter, inner: QRect, fonts: tuple[QFont, QFont],
                 metrics: tuple[QFontMetrics, QFontMetrics], fitted: FittedText) -> None:
        self.painter, self.inner, self.fonts = painter, inner, fonts
        self.metrics, self.fitted = metrics, fitted
        self.height = metrics[0].height()

    def _top(self, row: int) -> int:
        return self.inner.top() + row * (self.height + LINE_GAP)

    def left(self, row: int, text: str, colour: QColor, taken: int, *,
             bold: bool = False) -> None:
        room = self.inner.width() - taken
        if not text or room <= 0:
            return
        metrics = self.metrics[bold]
        shown, _advance = self.fitted.get(text, room, bold, metrics)
        self.painter.setFont(self.fonts[bold])
        self.painter.setPen(colour)
        self.painter.drawText(self.inner.left(), self._top(row) + metrics.ascent(), shown)

    def right(self, row: int, text: str, colour: QColor, *, bold: bool = False,
              dot: bool = False) -> int:
        """Draws ``text`` flush right (after a coloured dot); returns the width it took
        and a gap."""
        if not text:
            return 0
        painter, metrics = self.painter, self.metrics[bold]
        text, width = self.fitted.get(text, self.inner.width() // 2, bold, metrics)
        left = self.inner.right() - width
        top = self._top(row)
        if dot:
            size = 7
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(QRectF(left - size - 4, top + (self.height - size) / 2,
                                       size, size))
            width += size + 4
        painter.setFont(self.fonts[bold])
        painter.setPen(colour)
        painter.drawText(left, top + metrics.ascent(), text)
        return width + PAD
