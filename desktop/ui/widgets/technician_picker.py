"""The Assigned field: a pick from the team by name, "Me", and naming an id in place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QToolButton, QWidget

from desktop.core.team import UNASSIGNED, technician_name
from desktop.ui import theme

#: ``(user id, name as shown)`` for each technician, in the order offered.
Choices = Sequence[tuple[str, str]]


def fill_technicians(combo: QComboBox, choices: Choices, first: int) -> None:
    """Put one item per technician after the combo's first ``first`` items, each
    carrying its user id, keeping the current pick where it is still offered."""
    current = combo.currentData()
    with QSignalBlocker(combo):
        while combo.count() > first:
            combo.removeItem(first)
        for user_id, shown in choices:
            combo.addItem(shown, user_id)
        if current is not None:
            index = combo.findData(current)
            if index >= 0:
                combo.setCurrentIndex(index)


class TechnicianPicker(QWidget):
    """Unassigned or one technician, by name. An id no one has named shows as
    "Technician 0b70" and the Name button names it here, for every view."""

    edited = Signal()
    #: The user asked to name this user id.
    naming = Signal(str)
    #: The user asked to assign the job to themselves.
    me_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox(self)
        self.combo.addItem(UNASSIGNED, None)
        self.combo.setAccessibleName("Assigned to")
        # Room for "Technician 0b70" and most names, however narrow the panel.
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(15)
        self.combo.activated.connect(self._picked)
        layout.addWidget(self.combo, 1)
        self.me = QToolButton(self)
        self.me.setText("Me")
        theme.set_icon(self.me, "me")
        self.me.setAccessibleName("Assign to me")
        self.me.setToolTip("Assign to me (who you are is set in Settings)")
        self.me.clicked.connect(self.me_wanted)
        layout.addWidget(self.me)
        self.name_button = QToolButton(self)
        self.name_button.setText("Name…")
        self.name_button.setToolTip("Give this technician a name, shown everywhere")
        self.name_button.clicked.connect(lambda: self.naming.emit(self.combo.currentData()))
        layout.addWidget(self.name_button)
        self._named: set[str] = set()
        self._choices: list[tuple[str, str]] = []
        self._update_name_button()

    def set_team(self, choices: Choices, named: set[str]) -> None:
        """The technicians to offer; ``named``: the ids that have a name."""
        current = self.value()
        self._choices, self._named = list(choices), set(named)
        fill_technicians(self.combo, self._choices, 1)
        self.set_value(current)

    def value(self) -> str | None:
        data = self.combo.currentData()
        return str(data) if data else None

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.combo):
            user_id = str(value) if value else None
            index = self.combo.findData(user_id) if user_id else 0
            if index < 0:
                # An id the team has not heard of yet (set elsewhere, or just arrived).
                self.combo.addItem(technician_name(user_id, {}), user_id)
                index = self.combo.count() - 1
            self.combo.setCurrentIndex(index)
        self._update_name_button()

    def _picked(self, _index: int) -> None:
        self._update_name_button()
        self.edited.emit()

    def _update_name_button(self) -> None:
        user_id = self.value()
        self.name_button.setVisible(user_id is not None and user_id not in self._named)
