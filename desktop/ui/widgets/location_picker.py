"""The Location field: the company's offices by name, not by uuid."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QWidget

NO_LOCATION = "No location"


class LocationPicker(QComboBox):
    """None or one of the company's locations, by name; a location the company's
    list does not name (not read yet, or since removed) shows its short id."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem(NO_LOCATION, None)
        self.activated.connect(lambda _i: self.edited.emit())

    def set_locations(self, locations: Mapping[str, str]) -> None:
        current = self.value()
        with QSignalBlocker(self):
            while self.count() > 1:
                self.removeItem(1)
            for uuid, name in sorted(locations.items(), key=lambda item: item[1].casefold()):
                self.addItem(name, uuid)
        self.set_value(current)

    def value(self) -> str | None:
        data = self.currentData()
        return str(data) if data else None

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self):
            uuid = str(value) if value else None
            index = self.findData(uuid) if uuid else 0
            if index < 0:
                self.addItem(f"Location {uuid[:4]}" if uuid else NO_LOCATION, uuid)
                index = self.count() - 1
            self.setCurrentIndex(index)
