"""A local database that cannot be used: the dialog that says so, and the idle check.

The dialog carries the store's own message (what is wrong, what to do) and offers
what helps: moving a damaged or newer file aside and rebuilding from the server, or
trying again once a full disk or a read-only folder is fixed. The idle check runs
SQLite's quick_check on the reader thread a while after start-up and every few
hours, so a page gone bad is reported before a query trips over it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QPushButton, QWidget

from desktop.core.store.database import unsent_changes
from desktop.core.store.errors import DatabaseDamaged, StoreUnusable
from desktop.ui.session import Session


class Choice(enum.Enum):
    REBUILD = "rebuild"
    RETRY = "retry"
    QUIT = "quit"
    LATER = "later"


def _unsent_note(error: StoreUnusable) -> str:
    unsent = unsent_changes(error.path)
    if unsent is None:
        return ("\n\nChanges made here and not yet sent cannot be read from the file; "
                "it is kept as it is.")
    if unsent:
        return (f"\n\n{unsent} job(s) or customer(s) in it hold changes not yet sent. "
                "Rebuilding leaves them unsent: they stay in the moved-aside file.")
    return ""


class DatabaseProblemDialog(QMessageBox):
    """What is wrong with the local database, and the way out that helps.

    Shown with ``open()``; ``chosen`` carries the user's ``Choice``.
    """

    chosen = Signal(object)

    def __init__(self, error: StoreUnusable, parent: QWidget | None = None, *,
                 running: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("JobDesk: local database")
        self.setIcon(QMessageBox.Icon.Critical if not running else QMessageBox.Icon.Warning)
        text = str(error)
        self.setText(text[0].upper() + text[1:])
        self._choices: dict[QAbstractButton, Choice] = {}
        if error.rebuild_helps:
            self.setInformativeText(_unsent_note(error).strip())
            self._add("Move aside and rebuild", QMessageBox.ButtonRole.AcceptRole,
                      Choice.REBUILD)
        else:
            self._add("Try again", QMessageBox.ButtonRole.AcceptRole, Choice.RETRY)
        if running:
            later = self._add("Later", QMessageBox.ButtonRole.RejectRole, Choice.LATER)
        else:
            later = self._add("Quit", QMessageBox.ButtonRole.RejectRole, Choice.QUIT)
        self.setEscapeButton(later)
        self.setDefaultButton(later)
        self.buttonClicked.connect(lambda button: self.chosen.emit(self._choices[button]))

    def _add(self, label: str, role: QMessageBox.ButtonRole, choice: Choice) -> QPushButton:
        button = self.addButton(label, role)
        self._choices[button] = choice
        return button

    def button_for(self, choice: Choice) -> QAbstractButton:
        return next(b for b, c in self._choices.items() if c is choice)


#: The first check waits until start-up's own reads and the first sync are done.
FIRST_CHECK_MS = 3 * 60_000
#: Then the file is read through again every few hours of a session.
CHECK_EVERY_MS = 4 * 3600_000
#: A check due while a sync is running waits this long and looks again.
BUSY_RETRY_MS = 60_000


class IdleCheck(QObject):
    """Runs the store's quick_check on the session's reader when nothing else is busy;
    ``damaged`` carries the damage found."""

    damaged = Signal(object)

    def __init__(self, session: Session, busy: Callable[[], bool],
                 parent: QObject | None = None, *, first_ms: int = FIRST_CHECK_MS,
                 every_ms: int = CHECK_EVERY_MS) -> None:
        super().__init__(parent)
        self._session = session
        self._busy = busy
        self._every_ms = every_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._due)
        self._timer.start(first_ms)

    def _due(self) -> None:
        if self._busy():
            self._timer.start(BUSY_RETRY_MS)
            return
        # On the reader, never the GUI thread: reading a large file takes seconds.
        self._session.reads.run(self._session.store.quick_check, self._checked)

    def _checked(self, damage: DatabaseDamaged | None) -> None:
        if damage is not None:
            self.damaged.emit(damage)
            return
        self._timer.start(self._every_ms)
