"""The window's bottom line: notes with Undo on the left, sync state on the right."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QToolButton, QWidget

from desktop.ui import theme
from desktop.ui.sync.status import StatusText

NOTE_MS = 12_000


class StatusBar(QStatusBar):
    sync_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.note_label = QLabel(self)
        self.note_label.setAccessibleName("Last action")
        self.undo_button = QPushButton("Undo", self)
        self.undo_button.setToolTip("Undo the last action")
        self.undo_button.setFlat(True)
        self.undo_button.hide()
        self.undo_button.clicked.connect(self._undo_clicked)
        self.addWidget(self.note_label)
        self.addWidget(self.undo_button)

        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(120)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Sync progress")
        self.progress.hide()
        self.sync_label = QToolButton(self)
        self.sync_label.setAutoRaise(True)
        self.sync_label.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.sync_label.setAccessibleName("Sync status")
        self.sync_label.clicked.connect(self.sync_clicked)
        self.usage_label = QLabel(self)
        self.usage_label.setAccessibleName("API requests used this month")
        self.usage_label.setToolTip("The company's API requests this month, shared by every "
                                    "device; sync spends at most this device's share")
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.sync_label)
        self.addPermanentWidget(self.usage_label)
        self._undo: Callable[[], None] | None = None
        self._clear = QTimer(self, singleShot=True, interval=NOTE_MS)
        self._clear.timeout.connect(lambda: self.note(""))

    def note(self, text: str, undo: Callable[[], None] | None = None) -> None:
        """A short message about the last action, with an Undo button if it can be undone."""
        self.note_label.setText(text)
        self._undo = undo
        self.undo_button.setVisible(undo is not None)
        if text:
            self._clear.start()

    def _undo_clicked(self) -> None:
        undo, self._undo = self._undo, None
        self.undo_button.hide()
        self.note_label.setText("")
        if undo is not None:
            undo()

    def set_sync(self, status: StatusText, progress: tuple[int, int] | None) -> None:
        self.sync_label.setText(status.text)
        self.sync_label.setToolTip(status.tooltip or status.text)
        colour = theme.accent(status.tone).name() if status.tone in theme.ACCENTS else ""
        self.sync_label.setStyleSheet(f"color: {colour};" if colour else "")
        if progress is None:
            self.progress.hide()
        else:
            done, total = progress
            self.progress.setRange(0, max(total, 0))
            self.progress.setValue(min(done, total) if total else 0)
            self.progress.show()

    def set_usage(self, text: str) -> None:
        self.usage_label.setText(text)
        self.usage_label.setVisible(bool(text))
