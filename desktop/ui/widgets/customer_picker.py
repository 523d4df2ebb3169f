"""Pick a customer from the local mirror by typing part of a name, phone or email."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from desktop.core.store import CustomerRecord, Store

SEARCH_DELAY_MS = 150
SHOWN = 50
_REF_ROLE = Qt.ItemDataRole.UserRole + 1
_NAME_ROLE = Qt.ItemDataRole.UserRole + 2
#: Marks the picker's value for a customer created here and not yet on the server,
#: who has only a local id.
LOCAL_PREFIX = "local:"


def local_ref(local_id: int) -> str:
    return f"{LOCAL_PREFIX}{local_id}"


def customer_ref(customer: CustomerRecord) -> str:
    """The picker's value for ``customer``: its uuid, or its local id if it has none."""
    return customer.uuid or local_ref(customer.local_id)


def local_id_of(ref: object) -> int | None:
    """The local id a picker value names, if it names a customer by local id."""
    if isinstance(ref, str) and ref.startswith(LOCAL_PREFIX):
        return int(ref.removeprefix(LOCAL_PREFIX))
    return None


def find(store: Store, ref: str) -> CustomerRecord | None:
    """The customer a picker value names."""
    local_id = local_id_of(ref)
    return store.get_customer(local_id) if local_id is not None else store.customer(ref)


def describe(customer: CustomerRecord) -> str:
    extra = customer.phone or customer.email or customer.company_name
    return f"{customer.display_name} · {extra}" if extra else customer.display_name


class CustomerPicker(QLineEdit):
    """The value is always a customer's ``customer_ref`` (or ``None``): typed text only
    searches, and leaving the field without picking puts the chosen customer's name
    back."""

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
        self._ref: str | None = None
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
        return self._ref

    def set_value(self, value: object) -> None:
        self._ref = str(value) if value else None
        customer = self._lookup(self._ref) if self._ref else None
        self._name = customer.display_name if customer else (self._ref or "")
        with QSignalBlocker(self):
            self.setText(self._name)
            self.setCursorPosition(0)

    def customer(self) -> CustomerRecord | None:
        return self._lookup(self._ref) if self._ref else None

    def _typed(self, text: str) -> None:
        if not text:
            self._ref, self._name = None, ""
            self.edited.emit()
            return
        self._timer.start()

    def _run_search(self) -> None:
        self._matches.clear()
        for customer in self._search(self.text(), SHOWN):
            item = QStandardItem(describe(customer))
            item.setData(customer_ref(customer), _REF_ROLE)
            item.setData(customer.display_name, _NAME_ROLE)
            self._matches.appendRow(item)
        if self._matches.rowCount():
            self.completer().complete()

    def _picked(self, index: QModelIndex) -> None:
        ref = index.data(_REF_ROLE)
        if not ref:
            return
        self.set_value(ref)
        self.edited.emit()

    def _settle(self) -> None:
        self._timer.stop()
        if self.text() != self._name and self.text():
            with QSignalBlocker(self):
                self.setText(self._name)
