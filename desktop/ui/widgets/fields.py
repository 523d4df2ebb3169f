"""One editor per kind of job field, all with the same small interface.

Each editor hands back the raw text or value a person entered (``value``), which
``desktop.core.jobs.validate_changes`` then judges, so the rules live in one place
and the message under a field is the core's own.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from PySide6.QtCore import QDate, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QWidget,
    QWidgetAction,
)

from desktop.core.jobs import parse_day
from desktop.core.store.edits import now_iso
from desktop.ui import formatting, theme


class Editor(Protocol):
    """What the detail panel needs from every field editor."""

    edited: Any  # a Signal() fired on every change the user makes

    def value(self) -> Any: ...

    def set_value(self, value: Any) -> None: ...


def _text(value: str) -> str | None:
    return value.strip() or None


class TextEdit(QLineEdit):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.textEdited.connect(lambda _t: self.edited.emit())

    def value(self) -> str | None:
        return _text(self.text())

    def set_value(self, value: Any) -> None:
        self.setText("" if value is None else str(value))
        self.setCursorPosition(0)


class NotesEdit(QPlainTextEdit):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None, *, lines: int = 3) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        height = self.fontMetrics().lineSpacing() * lines + 14
        self.setMinimumHeight(height)
        self.setMaximumHeight(height * 2)
        self._loading = False
        self.textChanged.connect(self._changed)

    def _changed(self) -> None:
        if not self._loading:
            self.edited.emit()

    def value(self) -> str | None:
        return _text(self.toPlainText())

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self.setPlainText("" if value is None else str(value))
        finally:
            self._loading = False


class MoneyEdit(TextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText("0.00")
        self.setMaximumWidth(160)

    def set_value(self, value: Any) -> None:
        self.setText("" if value is None else f"{value:.2f}")


class ChoiceEdit(QComboBox):
    """A fixed list (status, priority) that still shows a value the server invented."""

    edited = Signal()

    def __init__(self, choices: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItems(choices)
        self.activated.connect(lambda _i: self.edited.emit())

    def value(self) -> str | None:
        return self.currentText() or None

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self):
            if value and self.findText(str(value)) < 0:
                self.addItem(str(value))
            self.setCurrentIndex(max(0, self.findText(str(value or ""))))


class FlagEdit(QCheckBox):
    edited = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.clicked.connect(lambda _c: self.edited.emit())

    def value(self) -> bool:
        return self.isChecked()

    def set_value(self, value: Any) -> None:
        self.setChecked(bool(value))


class TimeEdit(QComboBox):
    """A time of day: pick a half hour or type HH:MM; empty means none."""

    edited = Signal()
    SLOTS = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(6 * 60, 21 * 60, 30))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItems(["", *self.SLOTS])
        self.setMaxVisibleItems(12)
        edit = self.lineEdit()
        assert edit is not None  # an editable combo always has one
        edit.setPlaceholderText("HH:MM")
        edit.textEdited.connect(lambda _t: self.edited.emit())
        self.activated.connect(lambda _i: self.edited.emit())
        self.setMinimumContentsLength(5)

    def value(self) -> str | None:
        return _text(self.currentText())

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self):
            self.setEditText("" if value is None else str(value))


class DateEdit(TextEdit):
    """A calendar day: type YYYY-MM-DD or pick from the calendar; empty means none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("YYYY-MM-DD")
        self.setMaximumWidth(200)
        pick = QAction("Pick a date", self)
        theme.set_icon(pick, "calendar")
        pick.setToolTip("Pick a date from the calendar")
        pick.triggered.connect(self._pop_calendar)
        self.addAction(pick, QLineEdit.ActionPosition.TrailingPosition)
        self.setClearButtonEnabled(True)
        self.textChanged.connect(self._cleared)

    def _cleared(self, text: str) -> None:
        # The clear button changes the text without a textEdited signal.
        if not text and self.isModified():
            self.edited.emit()

    def _pop_calendar(self) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        calendar = QCalendarWidget(menu)
        current = parse_day(self.value()) or date.today()
        calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        calendar.clicked.connect(lambda picked: self._picked(picked, menu))
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)
        menu.popup(self.mapToGlobal(self.rect().bottomLeft()))

    def _picked(self, picked: QDate, menu: QMenu) -> None:
        menu.close()
        self.setText(picked.toString("yyyy-MM-dd"))
        self.setModified(True)
        self.edited.emit()


class TimestampEdit(QLineEdit):
    """A moment the server keeps in UTC, shown in local time; set to now or cleared."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setPlaceholderText("not yet")
        self._value: str | None = None
        now = QAction("Now", self)
        theme.set_icon(now, "now")
        now.setToolTip("Set to the current time")
        now.triggered.connect(lambda: self._set(now_iso()))
        clear = QAction("Clear", self)
        theme.set_icon(clear, "clear")
        clear.setToolTip("Clear this time")
        clear.triggered.connect(lambda: self._set(None))
        self.addAction(now, QLineEdit.ActionPosition.TrailingPosition)
        self.addAction(clear, QLineEdit.ActionPosition.TrailingPosition)

    def _set(self, value: str | None) -> None:
        self.set_value(value)
        self.edited.emit()

    def value(self) -> str | None:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = None if value is None else str(value)
        self.setText(formatting.timestamp(self._value) if self._value else "")
