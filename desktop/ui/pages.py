"""What the main window's pages (Schedule, Board, Dashboard) share: the window's
query in, opened jobs and notes out, and reads that wait while the page is hidden.

The List page is the job table itself, a Qt view with its own model; the others are
made the first time they are shown and stay in the window's stack of pages.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.core.store import JobQuery
from desktop.ui.session import Session
from desktop.ui.tasks import LatestReads


class Page(QWidget):
    """A page of the main window. A refresh that comes while it is hidden (a sync, an
    edit on another page) is kept for when it is shown: one read then, not one per
    refresh meanwhile, and none at all for a page nobody looks at again."""

    #: A job the user opened on the page, or picked with one click (its local id).
    job_activated = Signal(int)
    #: What ``selected_ids`` returns changed (the window's job actions follow it).
    selection_changed = Signal()
    #: A one-line note for the status bar.
    message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.reads = LatestReads(session.reads, self)
        #: A refresh came while the page was hidden.
        self._stale = False

    def set_query(self, query: JobQuery | None) -> None:
        """Show the jobs matching the main window's filters (``None``: none can match,
        and the page says so)."""
        self._stale = False
        self.show_query(query)

    def refresh(self) -> None:
        """Read again (the jobs changed); a hidden page reads when it is shown again."""
        if not self.defer_while_hidden():
            self.reload()

    def defer_while_hidden(self) -> bool:
        """Whether the page is hidden, and so reloads when it is shown again instead."""
        self._stale = not self.isVisible()
        return self._stale

    def _lay_out_with_hint(self, content: QWidget) -> QLabel:
        """Lay the page out as ``content``, with a centred note to show in its place
        when the page has nothing to show and says why; returns the note."""
        hint = QLabel(self)
        hint.setObjectName("emptyState")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint, 1)
        layout.addWidget(content, 1)
        return hint

    def selected_ids(self) -> list[int]:
        """The jobs picked on the page, which Move to Trash and the job actions act on."""
        return []

    def settled(self) -> bool:
        """Whether no read is under way."""
        return not self.reads.busy

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def show_query(self, query: JobQuery | None) -> None:
        """Show a new query's jobs: read them, whether the page is in sight or not."""
        raise NotImplementedError

    def reload(self) -> None:
        """Read the current query's jobs again."""
        raise NotImplementedError
