"""Create or edit a customer. Nothing typed reaches the store unless the vendor's
rules accept it (``core.customers``); each problem shows under its field, in the
core's own words, and the form stays open to fix it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.core.customers import CUSTOMER_TYPES, NOTIFY_VIA
from desktop.core.jobs import InvalidJob
from desktop.core.store import CustomerRecord
from desktop.ui import formatting
from desktop.ui.session import Session
from desktop.ui.widgets.fields import ChoiceEdit, Editor, FlagEdit, NotesEdit, TextEdit

#: The form's fields in order, with their labels (sections start with a title).
SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Customer", (("first_name", "First name"), ("last_name", "Last name"),
                  ("company_name", "Company"), ("customer_type", "Type"),
                  ("is_vip", "VIP"))),
    ("Contact", (("phone", "Phone"), ("email", "Email"),
                 ("on_my_way_notify_via", "On my way by"))),
    ("Address", (("physical_address1", "Street"), ("physical_address2", "Line 2"),
                 ("physical_city", "City"), ("physical_state", "State"),
                 ("physical_zip", "ZIP"))),
    ("Billing address", (("billing_address1", "Street"), ("billing_address2", "Line 2"),
                         ("billing_city", "City"), ("billing_state", "State"),
                         ("billing_zip", "ZIP"))),
    ("Notes", (("notes", "Notes"),)),
)
_TIPS = {"phone": "xxx-xxx-xxxx; ten digits typed another way are written so",
         "on_my_way_notify_via": "How the customer hears that a technician is on the way"}


def _editor(field: str, parent: QWidget) -> Any:
    if field == "customer_type":
        return ChoiceEdit(["", *CUSTOMER_TYPES], parent)
    if field == "on_my_way_notify_via":
        return ChoiceEdit(["", *NOTIFY_VIA], parent)
    if field == "is_vip":
        return FlagEdit("VIP customer", parent)
    if field == "notes":
        return NotesEdit(parent, lines=4)
    return TextEdit(parent)


class CustomerForm(QWidget):
    #: The customer was saved (created or changed).
    saved = Signal(object)  # CustomerRecord
    cancelled = Signal()
    #: A one-line note for the status bar.
    message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.customer: CustomerRecord | None = None
        self._loaded: dict[str, Any] = {}
        self.title = QLabel(self)
        self.editors: dict[str, Editor] = {}
        self.errors: dict[str, QLabel] = {}
        body = QWidget(self)
        form = QFormLayout(body)
        for section, fields in SECTIONS:
            heading = QLabel(f"<b>{section}</b>", body)
            form.addRow(heading)
            for field, label in fields:
                editor = _editor(field, body)
                editor.setAccessibleName(label)
                editor.setToolTip(_TIPS.get(field, label))
                form.addRow(f"{label}:", editor)
                error = QLabel(body)
                error.setProperty("role", "error")
                error.setWordWrap(True)
                error.hide()
                form.addRow("", error)
                self.editors[field] = editor
                self.errors[field] = error
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.save_button = QPushButton("Save", self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("Cancel", self)
        cancel.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    def edit(self, customer: CustomerRecord | None) -> None:
        """Open the form on ``customer``, or empty for a new one."""
        self.customer = customer
        name = customer.display_name if customer is not None else None
        self.title.setText(f"<h2>{'Edit ' + name if name else 'New customer'}</h2>")
        for field, editor in self.editors.items():
            editor.set_value(customer[field] if customer is not None else None)
        self._loaded = self._values()
        self._show_errors({})
        first = self.editors["first_name"]
        if isinstance(first, QWidget):
            first.setFocus()

    def _values(self) -> dict[str, Any]:
        return {f: e.value() for f, e in self.editors.items()}

    def changes(self) -> dict[str, Any]:
        return {f: v for f, v in self._values().items() if v != self._loaded.get(f)}

    def save(self) -> bool:
        """Write the customer here (the next sync sends it); refused, field by field,
        while anything breaks a rule."""
        try:
            if self.customer is None:
                values = {f: v for f, v in self._values().items() if v not in (None, "", False)}
                record = self._session.create_customer(values)
            else:
                record = self._session.update_customer(self.customer.local_id, self.changes())
        except InvalidJob as invalid:
            self._show_errors({e.field: e.problem for e in invalid.errors})
            self.message.emit("Not saved: " + formatting.humanize(str(invalid)))
            return False
        self.customer = record
        self._loaded = self._values()
        self.message.emit(f"Saved {record.display_name} · waiting to sync"
                          if record.sync_state == "pending" else f"Saved {record.display_name}")
        self.saved.emit(record)
        return True

    def cancel(self) -> None:
        self.cancelled.emit()

    def _show_errors(self, problems: dict[str, str]) -> None:
        for field, label in self.errors.items():
            problem = problems.get(field)
            label.setText(f"{field.replace('_', ' ').capitalize()} {problem}" if problem else "")
            label.setVisible(problem is not None)
