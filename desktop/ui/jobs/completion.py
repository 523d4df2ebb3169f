"""Completing a job, from the panel's button, its status field or a board drop: the
actual amount and a work note (both optional) first, the technician's next job after."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from desktop.core.jobs import InvalidJob, completion_changes, validate_changes
from desktop.core.schedule import next_job_today
from desktop.core.store import JobRecord, Store
from desktop.ui import formatting, theme
from desktop.ui.widgets.fields import MoneyEdit, NotesEdit

Completed = Callable[[dict[str, Any]], object]


class CompleteDialog(QDialog):
    """Asks what completing a job records; ``changes`` holds it once accepted."""

    def __init__(self, values: Mapping[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values = dict(values)
        self.changes: dict[str, Any] = {}
        number = values.get("job_number") or "the new job"
        self.setWindowTitle(f"Complete {number}")
        form = QFormLayout(self)
        intro = QLabel(f"Completing {number}: {values.get('title') or '(no title)'}. "
                       "Both are optional.", self)
        intro.setWordWrap(True)
        form.addRow(intro)
        self.amount = MoneyEdit(self)
        self.amount.set_value(values.get("actual_amount"))
        self.amount.setAccessibleName(formatting.label("actual_amount"))
        self.amount.setToolTip("What the job came to; leave empty to fill in later")
        form.addRow(f"{formatting.label('actual_amount')}:", self.amount)
        self.note = NotesEdit(self)
        self.note.setAccessibleName("Work note")
        self.note.setToolTip("What was done; added to the internal notes with today's date")
        form.addRow("Work note:", self.note)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.accent('danger').name()};")
        self.error.hide()
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.complete_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.complete_button.setText("Complete")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        """Refused, naming the field, while the amount or the note breaks a rule."""
        try:
            changes = completion_changes(self._values, self.amount.text(), self.note.value(),
                                         date.today())
            validate_changes(changes, self._values)
        except InvalidJob as invalid:
            self.error.setText("; ".join(f"{formatting.label(e.field)} {e.problem}"
                                         for e in invalid.errors))
            self.error.show()
            if any(e.field == "actual_amount" for e in invalid.errors):
                self.amount.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.changes = changes
        super().accept()


def ask_completion(values: Mapping[str, Any], parent: QWidget, then: Completed,
                   closed: Callable[[], None]) -> CompleteDialog:
    """Open the dialog (window-modal, answered later: it may be asked inside a drop);
    ``then`` gets the extra changes if the user goes on, nothing happens if not;
    ``closed`` runs after either."""
    dialog = CompleteDialog(values, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.accepted.connect(lambda: then(dialog.changes))
    dialog.finished.connect(lambda _result: closed())
    dialog.open()
    return dialog


def next_job_text(store: Store, record: JobRecord, names: formatting.Technicians) -> str:
    """The technician's next job today, as the note after a completion says it."""
    assignee = record.values["assigned_to_user_id"]
    if not assignee:
        return ""
    who = names.name(assignee)
    found = next_job_today(store, assignee, record.local_id, datetime.now())
    if found is None:
        return f"nothing else today for {who}"
    when = ("(no set time)" if found.start is None
            else f"at {formatting.minutes_clock(found.start)}")
    customer = f" for {found.customer_name}" if found.customer_name else ""
    return (f"next today for {who}: {found.job_number or '(new job)'} {when}, "
            f"{found.title or '(no title)'}{customer}")
