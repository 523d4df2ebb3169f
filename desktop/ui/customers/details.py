"""One customer: contact details, notes, where their sync stands, and their job
history (newest first, with counts and amounts). Read-only; Edit opens the form."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.store import CustomerHistory, CustomerRecord, JobRecord
from desktop.ui import formatting

_ADDRESS = ("address1", "address2", "city", "state", "zip")
HISTORY_COLUMNS = ("Date", "Job #", "Title", "Status", "Amount", "Sync")


def _address(customer: CustomerRecord, kind: str) -> str:
    parts = [customer[f"{kind}_{p}"] for p in _ADDRESS]
    street = ", ".join(p for p in parts[:2] if p)
    place = " ".join(p for p in parts[2:] if p)
    return "\n".join(p for p in (street, place) if p)


def _day(job: JobRecord) -> str:
    text = job["scheduled_date"] or job["created_at"] or ""
    return text[:10] or "not yet"


def _amount(job: JobRecord) -> str:
    amount = job["actual_amount"] if job["actual_amount"] is not None else job["estimated_amount"]
    return formatting.money(amount)


_CELLS: tuple[Callable[[JobRecord], str], ...] = (
    _day, lambda j: j["job_number"] or "new", lambda j: j["title"] or "",
    lambda j: j["status"] or "", _amount,
    lambda j: "" if j.sync_state == "synced" else j.sync_state)
_Index = QModelIndex | QPersistentModelIndex


def sync_note(customer: CustomerRecord) -> str:
    """Where the customer's sync stands, in words (empty once the server has it all)."""
    if customer.sync_state == "rejected":
        return f"The server refused this customer: {customer.last_error or 'no reason given'}"
    if customer.uuid is None:
        return "Created here: the next sync sends it to the server, then its jobs."
    if customer.sync_state == "pending":
        return "Changed here: the next sync sends the changes."
    return ""


class HistoryModel(QAbstractTableModel):
    """A customer's jobs, one a row; the text of a row is made when it is painted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs: Sequence[JobRecord] = ()

    def set_jobs(self, jobs: Sequence[JobRecord]) -> None:
        self.beginResetModel()
        self._jobs = jobs
        self.endResetModel()

    def job_id_at(self, row: int) -> int | None:
        return self._jobs[row].local_id if 0 <= row < len(self._jobs) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HISTORY_COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        job = self._jobs[index.row()]
        return _CELLS[index.column()](job)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HISTORY_COLUMNS[section]
        return None


class CustomerDetails(QWidget):
    #: Edit this customer.
    edit_requested = Signal()
    #: A new job for this customer.
    new_job_requested = Signal()
    #: A job of the history opened (its local id).
    job_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.customer: CustomerRecord | None = None
        self.heading = QLabel(self)
        self.heading.setObjectName("customerName")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel(self)
        self.sync = QLabel(self)
        self.sync.setWordWrap(True)
        self.sync.setProperty("role", "hint")
        self.edit_button = QPushButton("Edit", self)
        self.edit_button.setToolTip("Change this customer's details")
        self.edit_button.clicked.connect(self.edit_requested)
        self.new_job_button = QPushButton("New job", self)
        self.new_job_button.clicked.connect(self.new_job_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.new_job_button)
        buttons.addStretch(1)

        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in (("phone", "Phone"), ("email", "Email"), ("physical", "Address"),
                           ("billing", "Billing"), ("notify", "On my way by"),
                           ("notes", "Notes")):
            value = QLabel(self)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label)
            form.addRow(f"{label}:", value)
            self.fields[key] = value

        self.totals = QLabel(self)
        self.totals.setObjectName("historyTotals")
        self.history_model = HistoryModel(self)
        self.history = QTableView(self)
        self.history.setModel(self.history_model)
        self.history.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.history.setWordWrap(False)
        self.history.verticalHeader().hide()
        # Fixed widths: sizing to contents would read all of a long history.
        for number, width in enumerate((88, 92, 180, 100, 80)):
            self.history.setColumnWidth(number, width)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setAccessibleName("Job history")
        # Double-click, or Enter on the keyboard.
        self.history.activated.connect(lambda index: self._opened(index.row()))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.heading)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.sync)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(self.totals)
        layout.addWidget(self.history, 1)

    def show_customer(self, customer: CustomerRecord, history: CustomerHistory) -> None:
        self.customer = customer
        self.heading.setText(f"<h2>{html.escape(customer.display_name)}</h2>")
        about = [customer.company_name or "", customer["customer_type"] or "",
                 "★ VIP" if customer["is_vip"] else ""]
        self.subtitle.setText(" · ".join(p for p in about if p))
        note = sync_note(customer)
        self.sync.setText(note)
        self.sync.setVisible(bool(note))
        self.new_job_button.setText(f"New job for {customer.display_name}")
        self.new_job_button.setToolTip("A new job at this customer's address (you can change it)")
        self.fields["phone"].setText(customer.phone or "")
        self.fields["email"].setText(customer.email or "")
        self.fields["physical"].setText(_address(customer, "physical"))
        self.fields["billing"].setText(_address(customer, "billing"))
        self.fields["notify"].setText(customer["on_my_way_notify_via"] or "")
        self.fields["notes"].setText(customer["notes"] or "")
        self._show_history(history)

    def _show_history(self, history: CustomerHistory) -> None:
        count = len(history.jobs)
        self.totals.setText(
            f"<b>{count} job{'' if count == 1 else 's'}</b> · {history.open} open · "
            f"{history.done} done · estimated {formatting.money(history.estimated)} · "
            f"actual {formatting.money(history.actual)}")
        self.history_model.set_jobs(history.jobs)

    def job_id_at(self, row: int) -> int | None:
        return self.history_model.job_id_at(row)

    def _opened(self, row: int) -> None:
        local_id = self.job_id_at(row)
        if local_id is not None:
            self.job_activated.emit(local_id)
