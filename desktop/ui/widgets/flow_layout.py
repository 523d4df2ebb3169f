"""A layout that wraps its widgets onto more rows when they do not fit one.

A row of controls laid out by ``QHBoxLayout`` asks for the sum of their widths, so
on a laptop screen it widens the window or squeezes each control until its words
are cut. This one keeps every widget at its natural width and starts a new row
instead; a widget whose size policy expands takes what its row leaves over.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """One row of everything: what the layout would like."""
        shown = self._shown()
        margins = self.contentsMargins()
        width = sum(i.sizeHint().width() for i in shown) + self._spacing * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width, height).grownBy(margins)

    def minimumSize(self) -> QSize:
        """The widest single widget: anything wider wraps."""
        shown = self._shown()
        width = max((i.sizeHint().width() for i in shown), default=0)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items row by row inside ``rect``; the height they take."""
        margins: QMargins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._shown():
            width = item.sizeHint().width()
            if rows[-1] and used + self._spacing + width > area.width():
                rows.append([])
                used = 0
            used += (self._spacing if rows[-1] else 0) + width
            rows[-1].append(item)
        y = area.y()
        for row in (r for r in rows if r):
            height = max(i.sizeHint().height() for i in row)
            natural = sum(i.sizeHint().width() for i in row) + self._spacing * (len(row) - 1)
            growing = [i for i in row if _expands(i)]
            spare = max(0, area.width() - natural)
            x = area.x()
            for item in row:
                hint = item.sizeHint()
                width = hint.width() + (spare // len(growing) if item in growing else 0)
                if move:
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2),
                                           QSize(width, hint.height())))
                x += width + self._spacing
            y += height + self._spacing
        rows_height = max(0, y - area.y() - self._spacing)
        return rows_height + margins.top() + margins.bottom()


def _expands(item: QLayoutItem) -> bool:
    widget = item.widget()
    return widget is not None and bool(
        widget.sizePolicy().expandingDirections() & Qt.Orientation.Horizontal)
