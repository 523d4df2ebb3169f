"""The job beside the list: every editable field, inline validation, quick actions.

Nothing typed here reaches the store unless ``validate_changes`` accepts it; each
problem is shown under the field it concerns, in the core's own words. Saving is a
local write, so it is instant; the sync worker sends it later.

A summary-only job (docs/architecture.md §store) is known only from its list item:
the fields no summary shows are unknown, not empty, so they are not shown at all
until its details arrive (read once when the job is opened online), and a note
says so. They cannot be typed over meanwhile: the core would send such an edit as
this device's change, replacing text the user never saw.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.jobs import (
    EDITABLE_FIELDS,
    WORKFLOW,
    FieldError,
    InvalidJob,
    Priority,
    Status,
    move_refusal,
    status_move,
)
from desktop.core.schedule import double_bookings
from desktop.core.store import CustomerRecord, JobRecord
from desktop.core.store.edits import CUSTOMER_LOCAL_ID, now_iso, validate_job
from desktop.core.store.mirror import SUMMARY_COLUMNS
from desktop.core.team import SHORT_ID
from desktop.ui import formatting, theme
from desktop.ui.jobs import quick_links
from desktop.ui.jobs.completion import CompleteDialog, ask_completion, next_job_text
from desktop.ui.schedule.text import clash_text
from desktop.ui.session import Session
from desktop.ui.widgets.customer_picker import (
    CustomerPicker,
    customer_ref,
    find,
    local_id_of,
    local_ref,
)
from desktop.ui.widgets.fields import (
    ChoiceEdit,
    DateEdit,
    Editor,
    FlagEdit,
    MoneyEdit,
    NotesEdit,
    TextEdit,
    TimeEdit,
    TimestampEdit,
)
from desktop.ui.widgets.flow_layout import FlowLayout
from desktop.ui.widgets.location_picker import LocationPicker
from desktop.ui.widgets.technician_picker import TechnicianPicker

#: How a problem the server reported is told apart from one found here.
SERVER_SAYS = "The server says: "
#: How a value the server sent that breaks a rule here is marked: kept as sent,
#: shown under its field, and never in the way of saving other edits.
SERVER_SENT = "Flagged: "
#: Notes under a field that are shown at once and never block a save.
_NOTES = (SERVER_SAYS, SERVER_SENT)
#: The fields a summary-only job does not know (and the panel does not show).
UNKNOWN_UNTIL_DETAILS = frozenset(f for f in EDITABLE_FIELDS if f not in SUMMARY_COLUMNS)

#: The note on a summary-only job, by what became of the read of its details.
NOT_DOWNLOADED = "Details not downloaded yet"
DETAILS_NOTES = {
    "fetching": f"{NOT_DOWNLOADED} · downloading them now…",
    "offline": f"{NOT_DOWNLOADED}: they download when you are back online.",
    "failed": f"{NOT_DOWNLOADED}: the server had a problem. Open the job again to retry.",
    "busy": f"{NOT_DOWNLOADED}: another sync of this data is running. Open the job "
            "again in a moment.",
    "auth": f"{NOT_DOWNLOADED}: sign-in needed (check the API key in Settings).",
    "quota": f"{NOT_DOWNLOADED}: the company's requests for this month are used up; "
             "they download when sync resumes.",
    "refused": f"{NOT_DOWNLOADED}: the server refused the request.",
    "unconfigured": f"{NOT_DOWNLOADED}: they download once your CRM is connected.",
    "trashed": f"{NOT_DOWNLOADED}: the job is in the Trash.",
    "later": f"{NOT_DOWNLOADED}: open the job again to download them.",
}
#: What the note adds in every case: what is missing, and what can be done meanwhile.
DETAILS_MISSING = ("Only what the job list shows is known here. Notes, address, times, "
                   "amounts and the technician appear once the details arrive; the "
                   "fields shown can be changed meanwhile.")


#: A job's service address, field by field, and the customer field each comes from.
SERVICE_ADDRESS = {f"service_{part}": f"physical_{part}"
                   for part in ("address1", "address2", "city", "state", "zip")}


def service_address(customer: CustomerRecord) -> dict[str, Any]:
    """A new job's service address: where the customer lives."""
    return {job: customer[field] for job, field in SERVICE_ADDRESS.items()}


def field_named_in(message: str) -> str | None:
    """The editable field a server message is about, if it names one."""
    lowered = message.lower()
    for field in EDITABLE_FIELDS:
        if re.search(rf"\b{re.escape(field)}\b", lowered):
            return field
    for field in EDITABLE_FIELDS:
        if re.search(rf"\b{re.escape(formatting.label(field).lower())}\b", lowered):
            return field
    return None


class DetailPanel(QWidget):
    #: A job was written locally (its local id).
    saved = Signal(int)
    #: The user asked to resolve this job's conflict.
    resolve_requested = Signal(int)
    #: The user asked to restore this job from the Trash.
    restore_requested = Signal(int)
    #: A short note for the status bar.
    message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._record: JobRecord | None = None
        self._creating = False
        self._loading = False
        self._loaded: dict[str, Any] = {}
        self._touched: set[str] = set()
        self._show_all_errors = False
        self._server_problem: tuple[str, str] | None = None
        self._chip_key: tuple[str | None, bool] | None = None
        self.editors: dict[str, Editor] = {}
        self._errors: dict[str, QLabel] = {}
        #: Each section's title and its fields; the form row each field lives on.
        self._sections: list[tuple[QLabel, list[str]]] = []
        self._rows: dict[str, QWidget] = {}
        #: How the shown job's details are asked for (the window wires the sync
        #: thread in): None when asked, the answer to come by ``details_arrived``;
        #: otherwise why they are not (a key of ``DETAILS_NOTES``).
        self.fetch_details: Callable[[int], str | None] | None = None
        #: What became of the shown summary-only job's details (``DETAILS_NOTES``).
        self._details_state: str | None = None
        #: The job the form was last loaded with, to keep its place when it is again.
        self._shown_id: int | None = None
        #: The question completing a job asks, while it is open.
        self.completion: CompleteDialog | None = None
        self.setAccessibleName("Job details")
        self.setMinimumWidth(320)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_header())
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._form = QWidget()
        self._build_form(self._form)
        self._scroll.setWidget(self._form)
        outer.addWidget(self._scroll, 1)
        outer.addWidget(self._build_footer())
        self._empty = QLabel("Select a job to see it here, or press Ctrl+N for a new one.", self)
        self._empty.setObjectName("emptyState")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        outer.addWidget(self._empty, 1)
        self._show_nothing()

    # -- building ---------------------------------------------------------------------

    def _build_header(self) -> QWidget:
        header = QFrame(self)
        header.setObjectName("detailHeader")
        self._header = header
        layout = QVBoxLayout(header)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.number = QLabel(header)
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chip = QLabel(header)
        self.chip.setAccessibleName("Status")
        self.chip.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        top.addWidget(self.number)
        top.addStretch(1)
        top.addWidget(self.chip)
        layout.addLayout(top)
        self.heading = QLabel(header)
        self.heading.setObjectName("jobTitle")
        self.heading.setWordWrap(True)
        # Ignored width: the label takes the panel's width and wraps to it, instead of
        # asking for the height of a narrower guess.
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        layout.addWidget(self.heading)

        # On a narrow panel the buttons wrap to a second row, never cut to "Co…te".
        actions = FlowLayout()
        self.start_button = self._action_button(
            "Start", "start", "Mark the job In Progress and record the start time", self.start)
        self.complete_button = self._action_button(
            "Complete", "complete", "Mark the job Complete and record the finish time",
            self.complete)
        self.call_button = self._action_button("Call", "call", "Call the customer", self.call)
        self.email_button = self._action_button(
            "Email", "email", "Write to the customer in the mail app", self.email)
        self.navigate_button = self._action_button(
            "Navigate", "navigate", "Open the service address in the map app", self.navigate)
        self.copy_address_button = self._action_button(
            "Copy address", "copy", "Copy the service address, to paste anywhere",
            self.copy_address)
        for button in (self.start_button, self.complete_button, self.call_button,
                       self.email_button, self.navigate_button, self.copy_address_button):
            actions.addWidget(button)
        layout.addLayout(actions)

        self.notice = QFrame(header)
        self.notice.setObjectName("syncNotice")
        self.notice.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        notice_layout = QVBoxLayout(self.notice)
        notice_layout.setContentsMargins(10, 6, 6, 6)
        self.notice_text = QLabel(self.notice)
        self.notice_text.setWordWrap(True)
        self.notice_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice_button = QPushButton(self.notice)
        self.notice_button.clicked.connect(self._notice_clicked)
        self.discard_button = QPushButton("Discard my changes", self.notice)
        self.discard_button.setToolTip("Drop the changes the server refused and take its version")
        self.discard_button.clicked.connect(self.discard)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.notice_button)
        buttons.addWidget(self.discard_button)
        notice_layout.addWidget(self.notice_text)
        notice_layout.addLayout(buttons)
        layout.addWidget(self.notice)

        # The same frame as the sync notice: it is news about what sync has brought.
        self.details_notice = QFrame(header)
        self.details_notice.setObjectName("syncNotice")
        self.details_notice.setSizePolicy(QSizePolicy.Policy.Preferred,
                                          QSizePolicy.Policy.Maximum)
        details_layout = QVBoxLayout(self.details_notice)
        details_layout.setContentsMargins(10, 6, 6, 6)
        self.details_text = QLabel(self.details_notice)
        self.details_text.setObjectName("detailsState")
        self.details_text.setAccessibleName("Details")
        self.details_text.setWordWrap(True)
        self.details_text.setSizePolicy(QSizePolicy.Policy.Ignored,
                                        QSizePolicy.Policy.Preferred)
        self.details_hint = QLabel(DETAILS_MISSING, self.details_notice)
        self.details_hint.setProperty("role", "hint")
        self.details_hint.setWordWrap(True)
        self.details_hint.setSizePolicy(QSizePolicy.Policy.Ignored,
                                        QSizePolicy.Policy.Preferred)
        details_layout.addWidget(self.details_text)
        details_layout.addWidget(self.details_hint)
        self.details_notice.hide()
        layout.addWidget(self.details_notice)
        return header

    def _action_button(self, text: str, icon: str, tip: str, slot: Any) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        theme.set_icon(button, icon)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.clicked.connect(slot)
        return button

    def _section(self, title: str) -> None:
        label = QLabel(title, self._form)
        label.setObjectName("sectionTitle")
        self._layout.addRow(label)
        self._sections.append((label, []))

    def _note(self) -> QLabel:
        """A wrapped line under a field (a problem or a hint), hidden while empty; it
        never widens the panel, however long a word in it."""
        label = QLabel(self._form)
        label.setWordWrap(True)
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._layout.addRow("", label)
        self._layout.setRowVisible(label, False)
        return label

    def _show_note(self, label: QLabel, text: str) -> None:
        label.setText(text)
        self._layout.setRowVisible(label, bool(text))

    def _add(self, field: str, editor: Any, tip: str = "") -> None:
        name = formatting.label(field)
        editor.setAccessibleName(name)
        editor.setToolTip(tip or name)
        editor.edited.connect(lambda f=field: self._edited(f))
        self._layout.addRow(f"{name}:", editor)
        self._rows[field] = editor
        self._sections[-1][1].append(field)
        error = self._note()
        error.setProperty("role", "error")
        error.setAccessibleName(f"{name} problem")
        self.editors[field] = editor
        self._errors[field] = error

    def _build_form(self, form_widget: QWidget) -> None:
        # One form for every section, so all fields line up in one column.
        form = self._layout = QFormLayout(form_widget)
        form.setContentsMargins(14, 4, 14, 14)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        store = self._session.store

        self._section("Job")
        self._add("title", TextEdit(form_widget), "What needs doing, in a few words")
        self.customer_picker = CustomerPicker(store.customers, lambda ref: find(store, ref),
                                              form_widget)
        self._add("customer_uuid", self.customer_picker,
                  "Type to search the customer list, then pick one")
        self.customer_info = self._note()
        self.customer_info.setProperty("role", "hint")
        self.customer_info.setAccessibleName("Customer contact")
        self.customer_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # What a technician reads first, above the fold: the job and what the customer said.
        self._add("description", NotesEdit(form_widget, lines=3))
        self._add("customer_notes", NotesEdit(form_widget, lines=2), "Notes the customer may see")
        self._add("status", ChoiceEdit([s.value for s in WORKFLOW], form_widget))
        self._add("priority", ChoiceEdit([p.value for p in Priority], form_widget))
        flags = QWidget(form_widget)
        flag_row = QHBoxLayout(flags)
        flag_row.setContentsMargins(0, 0, 0, 0)
        urgent = FlagEdit("Urgent", flags)
        emergency = FlagEdit("Emergency", flags)
        flag_row.addWidget(urgent)
        flag_row.addWidget(emergency)
        flag_row.addStretch(1)
        form.addRow("Flags:", flags)
        for field, box in (("is_urgent", urgent), ("is_emergency", emergency)):
            self._rows[field] = flags
            self._sections[-1][1].append(field)
            box.setAccessibleName(formatting.label(field))
            box.setToolTip(f"Mark the job as {formatting.label(field).lower()}")
            box.edited.connect(lambda f=field: self._edited(f))
            self.editors[field] = box
        self.technician_picker = TechnicianPicker(form_widget)
        self.technician_picker.me_wanted.connect(self._assign_to_me)
        self.technician_picker.naming.connect(self._name_technician)
        self._add("assigned_to_user_id", self.technician_picker, "The technician, by name")

        self._section("Schedule")
        self._add("scheduled_date", DateEdit(form_widget), "The day of the visit")
        self._add("scheduled_time_start", TimeEdit(form_widget), "Arrival window start")
        self._add("scheduled_time_end", TimeEdit(form_widget), "Arrival window end")

        self._section("Service address")
        for field in ("service_address1", "service_address2", "service_city",
                      "service_state", "service_zip"):
            self._add(field, TextEdit(form_widget))

        self._section("Money")
        self._add("estimated_amount", MoneyEdit(form_widget), "Quoted amount, e.g. 150.00")
        self._add("actual_amount", MoneyEdit(form_widget), "Final amount, e.g. 162.50")

        self._section("Notes")
        self._add("internal_notes", NotesEdit(form_widget, lines=2), "Only your team sees these")

        self._section("Progress")
        for field in ("started_at", "completed_at", "invoiced_at", "paid_at"):
            self._add(field, TimestampEdit(form_widget))

        self._section("Record")
        self.location_picker = LocationPicker(form_widget)
        self._add("location_uuid", self.location_picker, "The office this job belongs to")
        self._show_people()
        self._session.team_changed.connect(self._show_people)
        self.server_id = QLineEdit(form_widget)
        self.server_id.setReadOnly(True)
        self.server_id.setAccessibleName("Server id")
        self.server_id.setToolTip("The job's id in the CRM (empty until it is sent)")
        self.server_id.setPlaceholderText("not on the server yet")
        form.addRow("Server id:", self.server_id)
        self._sections[-1][1].append("uuid")  # shown for every job, summary-only too
        self.record_info = self._note()
        self.record_info.setProperty("role", "hint")

    def _build_footer(self) -> QWidget:
        footer = QFrame(self)
        layout = QHBoxLayout(footer)
        layout.setContentsMargins(14, 8, 14, 10)
        self.summary = QLabel(footer)
        self.summary.setProperty("role", "error")
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.revert_button = QPushButton("Revert", footer)
        self.revert_button.setToolTip("Undo the edits not yet saved (Esc)")
        self.revert_button.clicked.connect(self.cancel)
        self.save_button = QPushButton("Save", footer)
        self.save_button.setToolTip("Save on this computer now; it syncs in the background "
                                    "(Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.revert_button)
        layout.addWidget(self.save_button)
        self._footer = footer
        return footer

    # -- what is shown ------------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        return None if self._record is None else self._record.local_id

    @property
    def creating(self) -> bool:
        return self._creating

    def show_job(self, local_id: int | None) -> None:
        """Show a job (``None``: nothing). Unsaved edits of the same job are kept."""
        if self._creating:
            return
        if local_id is not None and local_id == self.current_id and self.is_dirty():
            return
        opening = local_id != self.current_id
        record = self._session.store.get(local_id) if local_id is not None else None
        if record is None:
            self._record = None
            self._details_state = None
            self._show_nothing()
            return
        self._record = record
        if opening:
            self._details_state = None
            if self._wants_details(record):
                self._ask_for_details(record.local_id)
        self._load(record.values)

    def reload(self) -> None:
        """Re-read the shown job after it may have changed (unless it is being edited)."""
        if self._record is not None and not self.is_dirty():
            self.show_job(self._record.local_id)

    # -- a summary-only job's details -------------------------------------------------

    @property
    def details_unknown(self) -> bool:
        """Whether the shown job's fields beyond its summary are not downloaded yet."""
        record = self._record
        return record is not None and record.summary_only and not self._creating

    @property
    def details_state(self) -> str | None:
        """What became of the shown summary-only job's details (``DETAILS_NOTES``)."""
        return self._details_state if self.details_unknown else None

    @staticmethod
    def _wants_details(record: JobRecord) -> bool:
        return record.summary_only and record.uuid is not None and not record.deleted

    def _ask_for_details(self, local_id: int) -> None:
        # One read per opening: a reload of the same job (after a sync, a save) does
        # not ask again, and a job read whole is no longer summary-only.
        fetch = self.fetch_details
        answer = "unconfigured" if fetch is None else fetch(local_id)
        self._details_state = answer or "fetching"

    def details_arrived(self, local_id: int, outcome: str) -> None:
        """The read of a job's details ended. Only the job still shown changes; a
        reply for one the user has left is already in the mirror, for next time."""
        if local_id != self.current_id or self._creating:
            return
        self._details_state = None if outcome == "ok" else outcome
        if outcome != "ok":
            self._refresh_details()
            return
        record = self._session.store.get(local_id)
        if record is None:
            self._record = None
            self._show_nothing()
        elif not self.is_dirty():
            self._record = record
            self._load(record.values)
        else:
            # Edits of the fields shown are kept; the fields that were hidden could
            # not be edited, so they take the values that arrived.
            self._record = record
            self._loading = True
            try:
                for field in UNKNOWN_UNTIL_DETAILS:
                    self.editors[field].set_value(record.values.get(field))
                    self._loaded[field] = self.editors[field].value()
            finally:
                self._loading = False
            self._refresh()

    def back_online(self) -> None:
        """A sync got through: details that could not be read offline are read now
        (an offline attempt reached no server, so this is still one read)."""
        record = self._record
        if (record is not None and self._details_state == "offline"
                and self._wants_details(record)):
            self._ask_for_details(record.local_id)
            self._refresh_details()

    def _refresh_details(self) -> None:
        """Hide the fields not downloaded (and sections left empty), and say why."""
        unknown = self.details_unknown
        for field, row in self._rows.items():
            hidden = unknown and field in UNKNOWN_UNTIL_DETAILS
            self._layout.setRowVisible(row, not hidden)
        for label, fields in self._sections:
            self._layout.setRowVisible(label, not (unknown and all(
                f in UNKNOWN_UNTIL_DETAILS for f in fields)))
        record = self._record
        state = ("trashed" if record is not None and record.deleted
                 else self._details_state or "later")
        self.details_text.setText(DETAILS_NOTES.get(state, DETAILS_NOTES["failed"]))
        self.details_notice.setVisible(unknown)

    def new_job(self, customer: CustomerRecord | None = None) -> None:
        """Start a new job; for ``customer``, at their address (which stays editable)."""
        self._record = None
        self._creating = True
        values: dict[str, Any] = {"status": Status.NEW.value, "priority": Priority.NORMAL.value}
        if customer is not None:
            values.update(customer_uuid=customer_ref(customer), **service_address(customer))
        self._load(values)
        self._focus_field("title")

    def _show_nothing(self) -> None:
        self._creating = False
        self._shown_id = None
        self._loaded = {}
        for widget in (self._scroll, self._footer, self._header):
            widget.hide()
        self._empty.show()

    def _load(self, values: Mapping[str, Any]) -> None:
        # The same job again (saved, reverted, synced) keeps its place in the form; only
        # another job, or a new one, starts at the top.
        same = (self._record is not None and not self._creating
                and self._record.local_id == self._shown_id)
        self._shown_id = None if self._record is None else self._record.local_id
        place = self._scroll.verticalScrollBar().value() if same else 0
        self._loading = True
        waits_for = self._record.customer_local_id if self._record is not None else None
        try:
            for field, editor in self.editors.items():
                editor.set_value(values.get(field))
            if waits_for is not None:
                self.customer_picker.set_value(local_ref(waits_for))
        finally:
            self._loading = False
        self._loaded = {f: e.value() for f, e in self.editors.items()}
        self._touched.clear()
        self._show_all_errors = False
        self._server_problem = None
        record = self._record
        if record is not None and record.sync_state == "rejected" and record.last_error:
            named = field_named_in(record.last_error)
            if named is not None:
                self._server_problem = (named, record.last_error)
        self._empty.hide()
        for widget in (self._scroll, self._footer, self._header):
            widget.show()
        self._form.setEnabled(not (record is not None and record.deleted))
        self._refresh()
        self._scroll.verticalScrollBar().setValue(place)

    def _refresh(self) -> None:
        """Header, notice, errors and buttons for the current record and edits."""
        record, values = self._record, self._values()
        if self._creating:
            self.number.setText("New job · not saved yet")
        elif record is not None:
            number = record.values["job_number"] or "New job (not on the server yet)"
            self.number.setText(number)
        self.heading.setText(values.get("title") or ("New job" if self._creating else "Untitled"))
        self._paint_chip(values.get("status"))
        customer = self.customer_picker.customer()
        self._refresh_customer(customer)
        self._refresh_notice()
        self._refresh_details()
        self._refresh_actions(values, customer)
        self._show_errors(self._problems())
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty or self._creating)
        self.revert_button.setEnabled(dirty or self._creating)
        self.revert_button.setText("Cancel" if self._creating else "Revert")
        self.server_id.setText(record.uuid or "" if record is not None else "")
        # A summary-only job's dates may be unknown too (bare list items): then the
        # note above says so, rather than two dashes here.
        dates_known = record is not None and not (
            record.summary_only and record.values["created_at"] is None)
        self._show_note(self.record_info, (
            f"Created {formatting.timestamp(record.values['created_at']) or '—'}, "
            f"updated {formatting.timestamp(record.values['updated_at']) or '—'}")
            if record is not None and record.uuid and dates_known else "")

    def _paint_chip(self, status: str | None) -> None:
        # A stylesheet costs a restyle: only when the status or the scheme changed.
        key = (status, theme.dark_mode())
        if key == self._chip_key:
            return
        self._chip_key = key
        chip = theme.status_chip(status, theme.dark_mode())
        self.chip.setText(status or "")
        self.chip.setStyleSheet(
            f"background: {chip.background.name()}; color: {chip.text.name()};"
            "border-radius: 9px; padding: 2px 10px;")

    def _refresh_customer(self, customer: CustomerRecord | None) -> None:
        lines = [] if customer is None else [
            line for line in (customer.phone, customer.email, customer.address) if line]
        self._show_note(self.customer_info, "\n".join(lines))

    def _refresh_notice(self) -> None:
        record = self._record
        self.notice_button.hide()
        self.discard_button.hide()
        text, tone = "", ""
        if self._creating:
            text = "Fill in at least a title and a customer, then Save (Ctrl+S)."
        elif record is None:
            pass
        elif record.deleted:
            text, tone = "This job is in the Trash.", "pending"
            self.notice_button.setText("Restore")
            self.notice_button.setToolTip("Bring the job back from the Trash")
            self.notice_button.show()
        elif record.sync_state == "conflict":
            text = formatting.conflict_summary(c.field for c in record.conflicts)
            tone = "conflict"
            self.notice_button.setText("Resolve…")
            self.notice_button.setToolTip("Compare both versions and choose, field by field")
            self.notice_button.show()
        elif record.sync_state == "rejected":
            reason = formatting.humanize(record.last_error or "no reason given")
            text = f"The server refused this change: {reason}\n"
            text += "Fix it and save again, or discard your changes."
            tone = "rejected"
            self.discard_button.show()
        elif record.sync_state == "pending":
            text, tone = "Saved on this computer · waiting to sync.", "pending"
            if record.last_error:
                text += f"\nLast attempt: {formatting.humanize(record.last_error)}"
        self.notice_text.setText(text)
        colour = theme.accent(tone).name() if tone else self.palette().text().color().name()
        self.notice_text.setStyleSheet(f"color: {colour};")
        self.notice.setVisible(bool(text))

    def _refresh_actions(self, values: Mapping[str, Any],
                         customer: CustomerRecord | None) -> None:
        live = self._record is not None and not self._record.deleted and not self._creating
        status = values.get("status")
        self.start_button.setEnabled(live and move_refusal(status, Status.IN_PROGRESS) is None)
        self.complete_button.setEnabled(live and move_refusal(status, Status.COMPLETE) is None)
        phone = quick_links.phone_url(customer.phone if customer else None)
        self.call_button.setEnabled(phone is not None)
        self.call_button.setToolTip(f"Call {customer.display_name} ({customer.phone})"
                                    if phone is not None and customer else
                                    "No phone number for this customer")
        email = quick_links.email_url(customer.email if customer else None)
        self.email_button.setEnabled(email is not None)
        self.email_button.setToolTip(f"Write to {customer.email}" if email is not None and customer
                                     else "No email address for this customer")
        located = quick_links.maps_url(values) is not None
        self.navigate_button.setEnabled(located)
        self.copy_address_button.setEnabled(located)

    # -- editing ------------------------------------------------------------------------

    def _values(self) -> dict[str, Any]:
        return {f: e.value() for f, e in self.editors.items()}

    @staticmethod
    def _job_values(values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` as the store takes them: a customer created here and not yet on
        the server is named by its local id."""
        local_id = local_id_of(values.get("customer_uuid"))
        if local_id is None:
            return dict(values)
        return {**{k: v for k, v in values.items() if k != "customer_uuid"},
                CUSTOMER_LOCAL_ID: local_id}

    def changes(self) -> dict[str, Any]:
        """Raw values of the fields the user changed since the job was loaded."""
        return {f: v for f, v in self._values().items() if v != self._loaded.get(f)}

    def is_dirty(self) -> bool:
        return bool(self._loaded) and bool(self.changes())

    def _problems(self) -> dict[str, str]:
        if not self._loaded:
            return {}
        current = None if self._creating or self._record is None else self._record.values
        changes = self._values() if self._creating else self.changes()
        problems: dict[str, str] = {}
        try:
            validate_job(self._job_values(changes), current)
        except InvalidJob as invalid:
            for error in invalid.errors:
                problems.setdefault(error.field, error.problem)
        if self._server_problem is not None:
            field, text = self._server_problem
            if field not in self.changes():
                problems.setdefault(field, SERVER_SAYS + formatting.humanize(text))
        if self._record is not None and not self._creating:
            changed = self.changes()
            for flag in self._record.flags.values():
                if flag.column not in changed:
                    problems.setdefault(flag.column, SERVER_SENT + flag.describe())
        return problems

    def _show_errors(self, problems: Mapping[str, str]) -> None:
        shown = {f: p for f, p in problems.items()
                 if self._show_all_errors or f in self._touched or p.startswith(_NOTES)}
        if self.details_unknown:
            # A field not shown has no note either (its value is not known here).
            shown = {f: p for f, p in shown.items() if f not in UNKNOWN_UNTIL_DETAILS}
        for field, label in self._errors.items():
            problem = shown.get(field)
            self._show_note(label, "" if problem is None else
                            problem if problem.startswith(_NOTES) else
                            f"{formatting.label(field)} {problem}")
            editor = self.editors[field]
            target = editor.lineEdit() if isinstance(editor, TimeEdit) else editor
            if isinstance(target, QWidget) and bool(target.property("invalid")) != bool(problem):
                target.setProperty("invalid", bool(problem))
                target.style().unpolish(target)
                target.style().polish(target)
        others = [f"{formatting.label(f)} {p}" for f, p in shown.items() if f not in self._errors]
        if self._show_all_errors and shown and not others:
            others = ["Fix the fields marked in red, then save."]
        self.summary.setText("\n".join(others))

    def _edited(self, field: str) -> None:
        if self._loading:
            return
        self._touched.add(field)
        if field == "customer_uuid" and self._creating:
            self._fill_address()
        self._refresh()

    def _show_people(self) -> None:
        """The pickers' technicians and locations by name, as last read."""
        session = self._session
        self.technician_picker.set_team(session.team_choices(), set(session.team_names))
        company = session.company
        self.location_picker.set_locations(company.locations if company else {})

    def _name_technician(self, user_id: str) -> None:
        name, ok = QInputDialog.getText(
            self, "Name this technician", f"Name for {self._session.technician(user_id)} "
            f"(user id {user_id}), shown in every view:")
        if not ok:
            return
        try:
            name = self._session.name_technician(user_id, name)
        except FieldError as exc:
            self.message.emit(f"Not named: the name {exc.problem}")
            return
        self.message.emit(f"{user_id[:SHORT_ID]}… is now {name}")

    def _fill_address(self) -> None:
        """A new job's customer gives it their address, unless one was typed: the
        technician goes where the customer lives unless told otherwise."""
        customer = self.customer_picker.customer()
        if customer is None or any(self.editors[f].value() for f in SERVICE_ADDRESS):
            return
        for field, value in service_address(customer).items():
            self.editors[field].set_value(value)

    def _assign_to_me(self) -> None:
        me = self._session.my_user_id
        if not me:
            self.message.emit("Choose who you are in Settings first (I am:)")
            return
        editor = self.editors["assigned_to_user_id"]
        editor.set_value(me)
        self._edited("assigned_to_user_id")

    def save(self, *, asked: bool = False) -> bool:
        """Write the edits locally; refused (and explained) while anything is invalid.
        Completing a job asks for its amount and work note first (``completion``): not
        saved until the user goes on, unless ``asked`` already."""
        if not self._loaded or not (self._creating or self.is_dirty()):
            return False
        problems = {f: p for f, p in self._problems().items() if not p.startswith(_NOTES)}
        if problems:
            self._show_all_errors = True
            self._refresh()
            self._focus_field(next(iter(problems)))
            self.message.emit("Not saved: " + "; ".join(
                f"{formatting.label(f)} {p}" for f, p in problems.items()))
            return False
        completing = (not self._creating and self._record is not None
                      and self.changes().get("status") == Status.COMPLETE.value)
        if completing and not asked:
            assert self._record is not None
            self.completion = ask_completion({**self._record.values, **self.changes()}, self,
                                             self._save_completed, self._completion_closed)
            return False
        try:
            if self._creating:
                values = {f: v for f, v in self._values().items() if v not in (None, "")}
                record = self._session.create_job(self._job_values(values))
                self._creating = False
            else:
                assert self._record is not None
                record = self._session.update_job(self._record.local_id,
                                                  self._job_values(self.changes()))
        except InvalidJob as invalid:
            self._show_all_errors = True
            self._touched.update(e.field for e in invalid.errors)
            self._refresh()
            self._show_errors({e.field: e.problem for e in invalid.errors})
            self.message.emit(f"Not saved: {invalid}")
            return False
        self._record = record
        self._load(record.values)
        store, names = self._session.store, self._session.technicians()
        after = (next_job_text(store, record, names) if completing
                 else clash_text(double_bookings(store, record.values, record.local_id), names))
        number = record.values["job_number"] or "new job"
        self.message.emit(f"{'Completed' if completing else 'Saved'} {number} · waiting to sync"
                          + (f" · {after}" if after else ""))
        self.saved.emit(record.local_id)
        return True

    def cancel(self) -> bool:
        """Esc: drop a new job or unsaved edits. Returns whether there was anything."""
        if self._creating:
            self._creating = False
            self._record = None
            self._show_nothing()
            self.message.emit("New job discarded")
            return True
        if self._record is not None and self.is_dirty():
            self._load(self._record.values)
            self.message.emit("Edits reverted")
            return True
        return False

    def _focus_field(self, field: str) -> None:
        if field in self.editors:
            editor = cast(QWidget, self.editors[field])
            self._scroll.ensureWidgetVisible(editor)
            editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- quick actions ------------------------------------------------------------------

    def _quick(self, status: Status, extras: Mapping[str, Any] | None = None) -> None:
        try:
            changes = {**status_move(self._values(), status.value, now_iso()), **(extras or {})}
        except InvalidJob as invalid:
            self.message.emit("Not saved: " + "; ".join(
                f"{formatting.label(e.field)} {e.problem}" for e in invalid.errors))
            return
        self._set_values(changes)
        self.save(asked=extras is not None)

    def _set_values(self, changes: Mapping[str, Any]) -> None:
        self._loading = True
        try:
            for field, value in changes.items():
                self.editors[field].set_value(value)
        finally:
            self._loading = False
        self._touched.update(changes)

    def _save_completed(self, extras: Mapping[str, Any]) -> None:
        self._set_values(extras)
        self.save(asked=True)

    def start(self) -> None:
        self._quick(Status.IN_PROGRESS)

    def complete(self) -> None:
        """Ask for the amount and work note, then complete the job with them."""
        if self._record is None or self._creating:
            return
        self.completion = ask_completion({**self._record.values, **self.changes()}, self,
                                         self._complete_with, self._completion_closed)

    def _complete_with(self, extras: Mapping[str, Any]) -> None:
        self._quick(Status.COMPLETE, extras)

    def _completion_closed(self) -> None:
        self.completion = None

    def call(self) -> None:
        """Dial with the phone app; where there is none, copy the number and say so."""
        customer = self.customer_picker.customer()
        url = quick_links.phone_url(customer.phone if customer else None)
        if url is None or customer is None or customer.phone is None:
            return
        if quick_links.has_tel_handler() is not False and QDesktopServices.openUrl(url):
            self.message.emit(f"Calling {customer.display_name} on {customer.phone}")
            return
        self._copy(customer.phone, f"No app on this computer makes calls: copied "
                                   f"{customer.phone} to the clipboard")

    def email(self) -> None:
        customer = self.customer_picker.customer()
        url = quick_links.email_url(customer.email if customer else None)
        if url is None or customer is None or customer.email is None:
            return
        if not QDesktopServices.openUrl(url):
            self._copy(customer.email, f"No mail app opened: copied {customer.email} to the "
                                       "clipboard")

    def copy_address(self) -> None:
        address = quick_links.address_text(self._values())
        if address:
            self._copy(address, f"Copied the address: {address}")

    def _copy(self, text: str, said: str) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(text)
        self.message.emit(said)

    def navigate(self) -> None:
        url = quick_links.maps_url(self._values())
        if url is not None:
            QDesktopServices.openUrl(url)

    # -- sync states ----------------------------------------------------------------------

    def _notice_clicked(self) -> None:
        record = self._record
        if record is None:
            return
        if record.deleted:
            self.restore_requested.emit(record.local_id)
        elif record.sync_state == "conflict":
            self.resolve_requested.emit(record.local_id)

    def discard(self) -> None:
        record = self._record
        if record is None:
            return
        answer = QMessageBox.question(
            self, "Discard changes",
            "Discard the changes to this job that are not on the server yet? "
            "The job goes back to the server's version.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            kept = self._session.discard_changes(record.local_id)
        except InvalidJob as invalid:
            self.message.emit(str(invalid))
            return
        self._record = None
        self.show_job(kept.local_id if kept else None)
        self.message.emit("Changes discarded")
