"""The status board: a column per status; drag a card to another column to move the job on.

Columns follow the API's statuses in ``Status`` order; jobs whose status this version
does not know gather in an Other column, shown only while it holds any. Loading is
two reads on the worker thread, in order: each column's count, then every column's
whole id list. Meanwhile a column paints its first cards from a small read of its
own, as the job list shows its first page, and blank cards below them. A filter
change keeps the old board on screen until the counts are in. An edit (a drop here,
a save elsewhere) moves only the jobs it touched, each to its place in its new
column, found with the query's own ORDER BY; many at once re-read the board.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QScrollArea, QWidget

from desktop.core.jobs import WORKFLOW, InvalidJob, Status, move_refusal, status_move
from desktop.core.store import JobQuery, JobRecord, reports
from desktop.core.store.edits import now_iso
from desktop.core.store.queries import has_narrow_index
from desktop.ui import formatting
from desktop.ui.board.column import BoardColumn
from desktop.ui.jobs.completion import CompleteDialog, ask_completion, next_job_text
from desktop.ui.pages import Page
from desktop.ui.session import Session

#: The columns, in the order a job moves through them.
STATUSES = tuple(s.value for s in WORKFLOW)
OTHER = "Other"
#: More jobs changed at once than this re-read the whole board instead.
FEW_CHANGES = 50
#: How long the id lists' read waits after the counts are in. Qt paints them on the
#: screen's next frame (a timer of its own); that paint reads and draws the first
#: cards, and the read's Python work would otherwise share the GIL with it.
FIRST_PAINT_MS = 40

NO_QUERY_TEXT = "No job can match this view with these filters."
TRASH_TEXT = "Jobs in the Trash are not on the board."
NOTHING_TEXT = "No jobs match this view and these filters."


def job_name(record: JobRecord) -> str:
    return record.values["job_number"] or f"“{record.values['title'] or 'new job'}”"


class BoardPage(Page):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._query: JobQuery | None = None
        self._counted = False
        #: The question completing a job asks, while it is open.
        self.completion: CompleteDialog | None = None
        self.setAccessibleName("Status board")
        row = QWidget(self)
        columns = QHBoxLayout(row)
        columns.setContentsMargins(8, 8, 8, 8)
        columns.setSpacing(8)
        self.columns = [BoardColumn(session, status, status, row) for status in STATUSES]
        self.columns.append(BoardColumn(session, None, OTHER, row))
        for column in self.columns:
            columns.addWidget(column)
            column.dropped.connect(lambda local_id, c=column: self.move_job(local_id, c.status))
            column.cards.opened.connect(self.job_activated)
            column.cards.menu_requested.connect(self._card_menu)
            column.cards.selectionModel().currentChanged.connect(
                lambda current, _previous, c=column: self._current_changed(c, current))
        self.nothing = QLabel(NOTHING_TEXT, row)
        self.nothing.setObjectName("emptyState")
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.nothing.setWordWrap(True)
        columns.addWidget(self.nothing, 1)
        for column in self.columns:
            for changed in (column.model.modelReset, column.model.rowsInserted,
                            column.model.rowsRemoved):
                changed.connect(self._columns_changed)
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(row)
        self.hint = self._lay_out_with_hint(self._scroll)
        session.jobs_changed.connect(self._jobs_changed)
        self.set_query(None)

    # -- what the board shows ---------------------------------------------------------

    @property
    def other(self) -> BoardColumn:
        return self.columns[-1]

    def column(self, status: str | None) -> BoardColumn:
        """The column a job of this status sits in."""
        for column in self.columns[:-1]:
            if column.status == status:
                return column
        return self.other

    def show_query(self, query: JobQuery | None) -> None:
        self.reads.restart()
        self._counted = False
        if query is None or query.deleted == "only":
            self._query = None
            for column in self.columns:
                column.model.clear()
            self.hint.setText(NO_QUERY_TEXT if query is None else TRASH_TEXT)
            self.hint.show()
            self._scroll.hide()
            return
        self._query = reports.live(query)
        self.hint.hide()
        self._scroll.show()
        live, store = self._query, self.session.store
        if has_narrow_index(live):
            # Few matches (a search, a customer, dates): one read of them all gives the
            # counts and every column's order, where a first page per column would run
            # the same search again for each (about 10 ms apiece for a common word).
            self.reads.run(lambda: reports.ids_by_status(store, live), self._show_all)
            return
        self.reads.run(lambda: reports.status_counts(store, live), self._show_counts)

    def reload(self) -> None:
        """The board stays as it is until the new id lists are in, and redraws only
        what they change."""
        if self._query is None:
            return
        self.reads.restart()
        self._read_ids(reread=True)

    @property
    def counted(self) -> bool:
        """Whether the columns show the current filters' counts and can draw their
        first cards (their whole id lists may still be on the way)."""
        return self._counted or self._query is None

    def _read_ids(self, *, reread: bool, after_ms: int = 0) -> None:
        query, store = self._query, self.session.store
        assert query is not None
        self.reads.run(lambda: reports.ids_by_status(store, query),
                        lambda groups: self._show_ids(groups, reread), after_ms=after_ms)

    def _show_all(self, groups: dict[str | None, list[int]]) -> None:
        self._show_counts({s: len(ids) for s, ids in groups.items()}, first_pages=False)
        self._show_ids(groups, reread=False)

    def _show_counts(self, counts: dict[str | None, int], *, first_pages: bool = True) -> None:
        assert self._query is not None
        self._counted = True
        for status, column in zip(STATUSES, self.columns[:-1], strict=True):
            first = replace(self._query, statuses=(status,)) if first_pages else None
            column.model.show_count(first, counts.get(status, 0))
        # Several unknown statuses would come in a different order by their own query
        # than in the id list: Other waits for its ids.
        self.other.model.show_count(None, sum(n for status, n in counts.items()
                                              if status not in STATUSES))
        # Folded and unfolded columns take their places (and the board its new width)
        # now, so a paint before the next layout pass reads and draws only the columns
        # in sight, not every column piled up where the old ones were.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        if first_pages:
            self._read_ids(reread=False, after_ms=FIRST_PAINT_MS)

    def _show_ids(self, groups: dict[str | None, list[int]], reread: bool) -> None:
        self._counted = True
        for column in self.columns[:-1]:
            column.model.set_ids(groups.get(column.status, []))
        # Unknown statuses one after another, each in the query's order.
        unknown = sorted((s for s in groups if s not in STATUSES), key=lambda s: (s is None, s))
        self.other.model.set_ids([i for status in unknown for i in groups[status]])
        if reread:
            for column in self.columns:
                column.model.reread()

    def _columns_changed(self) -> None:
        self.other.setVisible(self.other.model.total > 0)
        self.nothing.setVisible(not any(c.model.total for c in self.columns))

    # -- edits ------------------------------------------------------------------------

    def _jobs_changed(self, local_ids: list[int]) -> None:
        if self._query is None:
            return
        if len(local_ids) > FEW_CHANGES or not all(c.model.complete for c in self.columns):
            self.refresh()
            return
        store, query = self.session.store, self._query
        records = store.rows(local_ids)
        shown = reports.matching(store, query, local_ids)
        for local_id in local_ids:
            for column in self.columns:
                if column.model.take(local_id):
                    break
            record = records.get(local_id)
            if record is None or local_id not in shown:
                continue
            target = self.column(record.values["status"]).model
            target.put(reports.insertion_point(store, query, target.ids(), local_id), local_id)

    def move_job(self, local_id: int, status: str | None,
                 extras: Mapping[str, Any] | None = None) -> bool:
        """Move a job to a column's status, as dropping its card there does. Start and
        Complete record when, as the quick actions do; a refused move changes nothing
        and says why. Complete asks for the amount and work note first (``completion``,
        whose answer moves the job with ``extras``): False until then."""
        record = self.session.store.get(local_id)
        if record is None or record.deleted or record.values["status"] == status:
            return False
        name = job_name(record)
        if status is None:
            self.message.emit(f"{name} not moved: {OTHER} holds statuses this version does "
                              "not know; drop the card on a status column")
            return False
        completing = status == Status.COMPLETE.value
        try:
            changes = status_move(record.values, status, now_iso())
            if completing and extras is None:
                self.completion = ask_completion(
                    record.values, self, partial(self.move_job, local_id, status),
                    partial(setattr, self, "completion", None))
                return False
            updated = self.session.update_job(local_id, {**changes, **(extras or {})},
                                              f"Move to {status}:")
        except InvalidJob as invalid:
            self.message.emit(f"{name} not moved: " + "; ".join(
                f"{formatting.label(e.field)} {e.problem}" for e in invalid.errors))
            return False
        after = (next_job_text(self.session.store, updated, self.session.technicians())
                 if completing else "")
        self.message.emit(f"Moved {name} to {status}" + (f" · {after}" if after else ""))
        self.column(status).cards.select_job(local_id)
        return True

    # -- cards ------------------------------------------------------------------------

    def _current_changed(self, column: BoardColumn, current: QModelIndex) -> None:
        # One card is current on the whole board, not one per column.
        if current.isValid():
            for other in self.columns:
                if other is not column and other.cards.currentIndex().isValid():
                    other.cards.setCurrentIndex(QModelIndex())
            local_id = column.model.id_at(current.row())
            if local_id is not None:
                # One click shows the job, as in the list.
                self.job_activated.emit(local_id)
        self.selection_changed.emit()

    def selected_ids(self) -> list[int]:
        for column in self.columns:
            local_id = column.cards.current_id()
            if local_id is not None:
                return [local_id]
        return []

    def _card_menu(self, local_id: int, where: QPoint) -> None:
        record = self.session.store.get(local_id)
        if record is None:
            return
        current = record.values["status"]
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction("Open", lambda: self.job_activated.emit(local_id))
        moves = menu.addMenu("Move to")
        for status in STATUSES:
            action = moves.addAction(status, partial(self.move_job, local_id, status))
            action.setEnabled(status != current and move_refusal(current, status) is None)
        menu.popup(where)
