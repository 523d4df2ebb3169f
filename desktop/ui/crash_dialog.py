"""The window an unexpected error opens: what happened in a sentence, and the details
(version, platform, traceback) one click away, ready to paste into a bug report."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

ICON_PX = 48
DETAILS_COLUMNS = 90
#: How long "Copy details" says it copied before it reads as a button again.
COPIED_MS = 2000


class CrashDialog(QDialog):
    """Shows ``message``; "Copy details" puts ``details`` on the clipboard. Both arrive
    redacted: this window never sees an API key."""

    def __init__(self, message: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Something went wrong")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(480)
        self._details_text = details

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(ICON_PX, ICON_PX))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.message = QLabel(message, self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.message, 1)

        self.details = QPlainTextEdit(details, self)
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        # Wide enough for a traceback's "File ..., line N, in name" lines.
        self.details.setMinimumSize(
            self.details.fontMetrics().horizontalAdvance("x" * DETAILS_COLUMNS), 220)
        self.details.hide()

        buttons = QDialogButtonBox(self)
        self.show_details = QPushButton("Show details", self)
        self.show_details.setCheckable(True)
        self.show_details.toggled.connect(self._toggle_details)
        self.copy_details = QPushButton("Copy details", self)
        self.copy_details.setToolTip("Copy the version, platform and error details, to paste "
                                     "into a message to support")
        self.copy_details.clicked.connect(self.copy)
        buttons.addButton(self.show_details, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_details, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.close_button.setFocus()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._details_text)
        self.copy_details.setText("Copied")
        QTimer.singleShot(COPIED_MS, self, lambda: self.copy_details.setText("Copy details"))

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.show_details.setText("Hide details" if shown else "Show details")
        self.adjustSize()
