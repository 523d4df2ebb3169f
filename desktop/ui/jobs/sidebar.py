"""The list of presets on the left (called views on screen), each with its live count."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QResizeEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.ui import theme
from desktop.ui.jobs.presets import PRESETS, Preset

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
ALL_TIP = "Views of your jobs; the number is how many each holds"
FILTERED_TIP = ("Views of your jobs; the number is how many each holds that match the "
                "search and filters above the list")
COUNT_ROLE = Qt.ItemDataRole.UserRole + 2
ALERT_ROLE = Qt.ItemDataRole.UserRole + 3
HEADER_ROLE = Qt.ItemDataRole.UserRole + 4

_Index = QModelIndex | QPersistentModelIndex


class _PresetDelegate(QStyledItemDelegate):
    """The preset's name on the left, its count on the right; section titles in small caps."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect: QRect = option.rect
        palette = option.palette
        if index.data(HEADER_ROLE):
            painter.save()
            font = QFont(option.font)
            font.setPointSizeF(font.pointSizeF() * 0.85)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(palette.placeholderText().color())
            painter.drawText(rect.adjusted(14, 6, -8, 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             str(index.data()).upper())
            painter.restore()
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = option.widget
        style = widget.style() if widget else None
        painter.save()
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_colour = (palette.highlightedText() if selected else palette.text()).color()
        painter.setPen(text_colour)
        painter.drawText(rect.adjusted(14, 0, -56, 0),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         str(index.data()))
        count = index.data(COUNT_ROLE)
        if count is not None:
            alert = bool(index.data(ALERT_ROLE)) and count > 0
            if alert and not selected:
                painter.setPen(theme.accent("danger"))
                font = QFont(option.font)
                font.setBold(True)
                painter.setFont(font)
            elif not selected:
                painter.setPen(palette.placeholderText().color())
            painter.drawText(rect.adjusted(0, 0, -12, 0),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{count:,}")
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        height = option.fontMetrics.height()
        extra = 14 if index.data(HEADER_ROLE) else 12
        return QSize(180, height + extra)


class Sidebar(QListView):
    preset_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setAccessibleName("Views")
        self.setToolTip(ALL_TIP)
        self._model = QStandardItemModel(self)
        self._items: dict[str, QStandardItem] = {}
        section = ""
        for preset in PRESETS:
            if preset.section != section:
                section = preset.section
                header = QStandardItem(section)
                header.setData(True, HEADER_ROLE)
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                self._model.appendRow(header)
            self._model.appendRow(self._item(preset))
        self.setModel(self._model)
        self.setItemDelegate(_PresetDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widest = max(self.fontMetrics().horizontalAdvance(v.label) for v in PRESETS)
        # Name, a gap, and room for a five-digit count.
        self.setMinimumWidth(widest + 14 + 16 + self.fontMetrics().horizontalAdvance("00,000")
                             + 12)
        self.selectionModel().currentChanged.connect(self._current_changed)
        self.caption = QLabel("Counts match the search and filters", self)
        self.caption.setWordWrap(True)
        self.caption.setObjectName("countsCaption")
        self.caption.setProperty("role", "hint")
        self.caption.setContentsMargins(14, 4, 8, 6)
        self.caption.setAccessibleName("The counts are filtered")
        self.caption.hide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_caption()

    def _place_caption(self) -> None:
        """Under the views, in room of its own (the list stops above it)."""
        shown = self.caption.isVisibleTo(self)
        height = self.caption.heightForWidth(self.width()) if shown else 0
        self.setViewportMargins(0, 0, 0, height)
        self.caption.setGeometry(0, self.height() - height, self.width(), height)

    def _item(self, preset: Preset) -> QStandardItem:
        item = QStandardItem(preset.label)
        item.setData(preset.key, KEY_ROLE)
        item.setData(preset.alert, ALERT_ROLE)
        item.setToolTip(preset.tooltip)
        item.setData(preset.label, Qt.ItemDataRole.AccessibleTextRole)
        self._items[preset.key] = item
        return item

    def current_key(self) -> str | None:
        key = self.currentIndex().data(KEY_ROLE)
        return str(key) if key else None

    def select(self, key: str) -> None:
        self.setCurrentIndex(self._items[key].index())

    def set_counts(self, counts: dict[str, int | None], *, filtered: bool = False) -> None:
        """Each view's count; ``filtered``: they count only what the search and filters
        let through, and the caption under the views says so."""
        self.caption.setVisible(filtered)
        self.setToolTip(FILTERED_TIP if filtered else ALL_TIP)
        self._place_caption()
        for key, count in counts.items():
            item = self._items.get(key)
            if item is None:
                continue
            item.setData(count, COUNT_ROLE)
            view_label = item.text()
            item.setData(view_label if count is None else f"{view_label}, {count} jobs",
                         Qt.ItemDataRole.AccessibleTextRole)

    def count(self, key: str) -> int | None:
        value = self._items[key].data(COUNT_ROLE)
        return None if value is None else int(value)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = current.data(KEY_ROLE)
        if key:
            self.preset_chosen.emit(str(key))
