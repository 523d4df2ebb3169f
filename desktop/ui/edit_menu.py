"""The Edit menu: Undo and Redo of every local edit (architecture.md §undo).

A text field with focus keeps Ctrl+Z for its own typing (Qt gives it the key
first); everywhere else the keys undo and redo the last saved edit, drag, status
move or Trash move, through ``Session.undo``/``redo``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from desktop.core.jobs import InvalidJob
from desktop.core.store import JobMissing
from desktop.core.undo import Stale, Step
from desktop.ui import formatting
from desktop.ui.session import Session


def refusal(error: BaseException) -> str:
    """Why an undo or redo was refused, in words naming the job and field."""
    if isinstance(error, Stale):
        return f"{error.job}: {formatting.label(error.field)} {error.problem}"
    if isinstance(error, InvalidJob):
        return "; ".join(f"{formatting.label(e.field)} {e.problem}" for e in error.errors)
    if isinstance(error, JobMissing):
        return "the job is no longer here"
    return str(error)


class EditMenu(QMenu):
    def __init__(self, window: QWidget, session: Session, note: Callable[[str], None],
                 ready: Callable[[], bool], applied: Callable[[Step], None]) -> None:
        """``ready`` settles unsaved edits in the panel first (False: stay put);
        ``applied`` shows the jobs an undo or redo changed."""
        super().__init__("&Edit", window)
        self._window = window
        self._session = session
        self._note = note
        self._ready = ready
        self._applied = applied
        self.undo_action = self._add("Undo", self.undo, [QKeySequence("Ctrl+Z")])
        # Ctrl+Y too: what Windows users reach for.
        self.redo_action = self._add("Redo", self.redo, [QKeySequence("Ctrl+Shift+Z"),
                                                         QKeySequence("Ctrl+Y")])
        session.history_changed.connect(self.refresh)
        self.refresh()

    def _add(self, text: str, slot: Callable[[], object],
             keys: list[QKeySequence]) -> QAction:
        action = self.addAction(text)
        action.setShortcuts(keys)
        action.triggered.connect(lambda _checked=False: slot())
        # Window-wide, also while the menu bar is hidden or another page has focus.
        self._window.addAction(action)
        return action

    def refresh(self) -> None:
        history = self._session.history
        for action, word, step in ((self.undo_action, "Undo", history.next_undo()),
                                   (self.redo_action, "Redo", history.next_redo())):
            action.setEnabled(step is not None)
            action.setText(f"{word} {step.label}" if step is not None else word)

    def _busy(self) -> bool:
        if self._session.stepping:
            self._note("Still moving the jobs of the last undo or redo…")
        return self._session.stepping

    def undo(self) -> None:
        if not self._busy() and self._ready() and not self._session.undo(
                lambda step: self._done("Undone", step),
                lambda error: self._refused("undo", error)):
            self._note("Nothing to undo")

    def redo(self) -> None:
        if not self._busy() and self._ready() and not self._session.redo(
                lambda step: self._done("Redone", step),
                lambda error: self._refused("redo", error)):
            self._note("Nothing to redo")

    def _done(self, word: str, step: Step) -> None:
        self._note(f"{word}: {step.label}")
        self._applied(step)

    def _refused(self, verb: str, error: BaseException) -> None:
        self._note(f"Cannot {verb}: {refusal(error)}")
