"""Choosing, field by field, between this computer's edit and the server's.

The picks are applied as one edit: the core checks the merged job by the rules of
any edit (``validate_changes``), and a refusal is shown here, by the fields it
names, with nothing changed, so the user can pick again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.core.jobs import InvalidJob
from desktop.core.merge import DELETED
from desktop.core.store import JobMissing, JobRecord
from desktop.core.team import technician_name
from desktop.ui import formatting
from desktop.ui.session import Session

MINE, THEIRS = "mine", "theirs"


#: How the sides of an edit-versus-delete conflict read.
_DELETION = {"edited": "Keep the job, with my changes", "deleted": "Deleted on the server"}


def _shown(field: str, value: Any, team: Mapping[str, str]) -> str:
    if field == DELETED:
        return _DELETION.get(str(value), str(value)) if value is not None else ""
    if field == "assigned_to_user_id":
        return technician_name(value, team)
    return formatting.value(field, value)


def _name(field: str) -> str:
    return "The job" if field == DELETED else formatting.label(field)


class ConflictDialog(QDialog):
    """Base, mine and theirs side by side; Apply needs a choice for every field."""

    def __init__(self, session: Session, record: JobRecord,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._record = record
        number = record.values["job_number"] or "new job"
        self.setWindowTitle(f"Resolve conflict · {number}")
        self.setAccessibleName("Resolve conflict")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"<b>{record.values['title'] or number}</b> was changed on this computer and "
            "on the server in different ways. Choose which value to keep for each field; "
            "everything else was merged already.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        grid_host = QWidget(self)
        grid = QGridLayout(grid_host)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        for column, title in enumerate(("Field", "Before both edits", "This computer",
                                        "Server")):
            heading = QLabel(f"<b>{title}</b>", grid_host)
            grid.addWidget(heading, 0, column)
        self._groups: dict[str, QButtonGroup] = {}
        self._buttons: dict[str, dict[str, QRadioButton]] = {}
        self._names: dict[str, QLabel] = {}
        for row, conflict in enumerate(record.conflicts, start=1):
            name = _name(conflict.field)
            name_label = QLabel(name, grid_host)
            self._names[conflict.field] = name_label
            grid.addWidget(name_label, row, 0, Qt.AlignmentFlag.AlignTop)
            base = QLabel(_shown(conflict.field, conflict.base, session.team_names),
                          grid_host)
            base.setWordWrap(True)
            base.setProperty("role", "hint")
            grid.addWidget(base, row, 1, Qt.AlignmentFlag.AlignTop)
            group = QButtonGroup(self)
            buttons = {}
            for column, (side, value) in enumerate(((MINE, conflict.mine),
                                                    (THEIRS, conflict.theirs)), start=2):
                button = QRadioButton(_shown(conflict.field, value, session.team_names),
                                      grid_host)
                button.setAccessibleName(f"{name}: keep {'mine' if side == MINE else 'server'}")
                button.setToolTip("Keep this computer's value" if side == MINE
                                  else "Take the server's value")
                group.addButton(button)
                buttons[side] = button
                grid.addWidget(button, row, column, Qt.AlignmentFlag.AlignTop)
            group.buttonToggled.connect(lambda _b, _c: self._update())
            self._groups[conflict.field] = group
            self._buttons[conflict.field] = buttons
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(3, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        layout.addWidget(scroll, 1)

        #: Why the picks were not applied, in the core's words; empty while none.
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setProperty("role", "error")
        self.problem.setAccessibleName("Why these choices cannot be applied")
        self.problem.hide()
        layout.addWidget(self.problem)

        box = QDialogButtonBox(self)
        self.all_mine = QPushButton("Keep all mine", self)
        self.all_mine.setToolTip("Choose this computer's value for every field")
        self.all_theirs = QPushButton("Take all the server's", self)
        self.all_theirs.setToolTip("Choose the server's value for every field")
        box.addButton(self.all_mine, QDialogButtonBox.ButtonRole.ActionRole)
        box.addButton(self.all_theirs, QDialogButtonBox.ButtonRole.ActionRole)
        self.apply = box.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.all_mine.clicked.connect(lambda: self.choose_all(MINE))
        self.all_theirs.clicked.connect(lambda: self.choose_all(THEIRS))
        box.accepted.connect(self._apply)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.resize(720, min(520, 200 + 48 * len(record.conflicts)))
        self._update()

    def choose(self, field: str, side: str) -> None:
        self._buttons[field][side].setChecked(True)

    def choose_all(self, side: str) -> None:
        for field in self._buttons:
            self.choose(field, side)

    def choices(self) -> dict[str, str]:
        chosen = {}
        for field, buttons in self._buttons.items():
            for side, button in buttons.items():
                if button.isChecked():
                    chosen[field] = side
        return chosen

    def _update(self) -> None:
        self.apply.setEnabled(len(self.choices()) == len(self._buttons))
        # New picks: the last refusal was about the old ones.
        self._show_problem("", ())

    def _apply(self) -> None:
        try:
            self._session.resolve_conflict(self._record.local_id, self.choices())
        except InvalidJob as refused:
            self._show_problem(
                "These choices cannot be applied; nothing was changed. Pick again:\n"
                + "\n".join(formatting.humanize(f"{formatting.label(e.field)} {e.problem}")
                            for e in refused.errors),
                [e.field for e in refused.errors])
            return
        except JobMissing:
            self._show_problem("This job is no longer on this computer; nothing to apply.",
                               ())
            self.apply.setEnabled(False)
            return
        self.accept()

    def _show_problem(self, text: str, fields: Sequence[str]) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        for field, label in self._names.items():
            role = "error" if field in fields else ""
            if label.property("role") != role:
                label.setProperty("role", role)
                label.style().unpolish(label)
                label.style().polish(label)

    def problem_fields(self) -> list[str]:
        """The conflicted fields the last refusal named (marked in red in the grid)."""
        return [f for f, label in self._names.items() if label.property("role") == "error"]
