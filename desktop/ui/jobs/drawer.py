"""The job panel as a drawer over the right of the window, for screens too narrow to
keep it beside the list (a 1366 or 1280 px laptop): the list keeps every column,
and the job slides over it while one is open."""

from __future__ import annotations

from PySide6.QtCore import QRect, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

#: The drawer's width, and the share of the window it may take at most.
WIDTH = 380
SHARE = 0.5


class Drawer(QFrame):
    #: The user closed the drawer (its button, or Esc with nothing to cancel).
    closed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("drawer")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 0, 0, 0)
        layout.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(14, 4, 6, 0)
        self.close_button = QToolButton(self)
        self.close_button.setText("Close")
        self.close_button.setToolTip("Hide the job and show the whole list (Esc)")
        self.close_button.setAccessibleName("Close the job panel")
        self.close_button.clicked.connect(self.closed)
        bar.addStretch(1)
        bar.addWidget(self.close_button)
        layout.addLayout(bar)
        self._layout = layout
        self.hide()

    def hold(self, panel: QWidget) -> None:
        """Take the panel in (out of the splitter it was docked in)."""
        self._layout.addWidget(panel, 1)
        panel.show()

    def place(self, area: QRect) -> None:
        """Lie along the right edge of ``area`` (the window's content), above it."""
        width = min(WIDTH, int(area.width() * SHARE))
        self.setGeometry(area.right() - width + 1, area.top(), width, area.height())
        self.raise_()
