"""Pick a customer from the local mirror by typing part of a name, phone or email."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from desktop.core.store import CustomerRecord

SEARCH_DELAY_MS = 150
SHOWN = 50
_UUID_ROLE = Qt.ItemDataRole.UserRole + 1
_NAME_ROLE = Qt.ItemDataRole.UserRole + 2


def describe(customer: CustomerRecord) -> str:
    extra = customer.phone or customer.email or customer.company_name
    return f"{customer.display_name} · {extra}" if extra else customer.display_name


class CustomerPicker(QLineEdit):
    """The value is always a customer's uuid (or ``None``): typed text only searches,
    and leaving the field without picking puts the chosen customer's name back."""

    edited = Signal()

    def __init__(
        self,
        search: Callable[[str, int], list[CustomerRecord]],
        lookup: Callable[[str], CustomerRecord | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._lookup = lookup
        self._uuid: str | None = None
        self._name = ""
        self.setPlaceholderText("Type a name, phone or email…")
        self.setClearButtonEnabled(True)
        self._matches = QStandardItemModel(self)
        completer = QCompleter(self._matches, self)
        # The mirror already filtered; the completer must show every row it was given.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # The list shows name and phone; the field takes the name alone.
        completer.setCompletionRole(_NAME_ROLE)
        # The index overload: the text one cannot tell two customers of one name apart.
        completer.activated[QModelIndex].connect(self._picked)  # type: ignore[index]
        self.setCompleter(completer)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._run_search)
        self.textEdited.connect(self._typed)
        self.editingFinished.connect(self._settle)

    def value(self) -> str | None:
        return self._uuid

    def set_value(self, value: object) -> None:
        self._uuid = str(value) if value else None
        customer = self._lookup(self._uuid) if self._uuid else None
        self._name = customer.display_name if customer else (self._uuid or "")
        with QSignalBlocker(self):
            self.setText(self._name)
            self.setCursorPosition(0)

    def customer(self) -> CustomerRecord | None:
        return self._lookup(self._uuid) if self._uuid else None

    def _typed(self, text: str) -> None:
        if not text:
            self._uuid, self._name = None, ""
            self.edited.emit()
            return
        self._timer.start()

    def _run_search(self) -> None:
        self._matches.clear()
        for customer in self._search(self.text(), SHOWN):
            item = QStandardItem(describe(customer))
            item.setData(customer.uuid, _UUID_ROLE)
            item.setData(customer.display_name, _NAME_ROLE)
            self._matches.appendRow(item)
        if self._matches.rowCount():
            self.completer().complete()

    def _picked(self, index: QModelIndex) -> None:
        uuid = index.data(_UUID_ROLE)
        if not uuid:
            return
        self.set_value(uuid)
        self.edited.emit()

    def _settle(self) -> None:
        self._timer.stop()
        if self.text() != self._name and self.text():
            with QSignalBlocker(self):
                self.setText(self._name)
