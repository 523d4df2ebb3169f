"""The File menu: a job's sheet, a technician's route sheet, and exports of what the
window shows (the list as CSV, a week of the schedule as a calendar)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from desktop.core.schedule import week_start
from desktop.core.store import JobQuery
from desktop.ui.documents import export
from desktop.ui.session import Session


@dataclass(frozen=True)
class FileMenuContext:
    """What the File menu needs from the window it sits in, and nothing more."""

    #: The window: the dialogs' parent, closed by Quit.
    window: QWidget
    session: Session
    #: Says the outcome of an action on the status bar.
    note: Callable[[str], None]
    #: The job open in the detail panel, if any.
    current_job: Callable[[], int | None]
    #: What the window shows (the preset narrowed by the filters); None: nothing.
    query: Callable[[], JobQuery | None]
    #: The day a route sheet or a week's calendar is for.
    day: Callable[[], date]
    #: The list's columns as the user arranged them, for the CSV.
    visible_columns: Callable[[], list[int]]
    new_action: QAction
    settings_action: QAction


class FileMenu(QMenu):
    def __init__(self, context: FileMenuContext) -> None:
        super().__init__("&File", context.window)
        self._context = context
        self.addAction(context.new_action)
        self.addSeparator()
        self._add("&Print job sheet…", self.print_job_sheet, QKeySequence.StandardKey.Print)
        self._add("Pre&view job sheet…", self.preview_job_sheet)
        self._add("Save job sheet as P&DF…", self.save_job_sheet)
        self._add("Print &route sheet…", self.print_route_sheet)
        self._add("Previe&w route sheet…", self.preview_route_sheet)
        self._add("Save route sheet as PD&F…", self.save_route_sheet)
        self.addSeparator()
        self._add("&Export list as CSV…", self.export_csv, "Ctrl+E")
        self._add("Export list as CSV, every fie&ld…", self.export_every_field)
        self._add("Export &week to calendar (.ics)…", self.export_week)
        self.addSeparator()
        self.addAction(context.settings_action)
        self._add("&Quit", context.window.close, QKeySequence.StandardKey.Quit)

    def _add(self, text: str, slot: Callable[[], object],
             shortcut: QKeySequence.StandardKey | str | None = None) -> None:
        action = self.addAction(text)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())

    def _job(self) -> int | None:
        local_id = self._context.current_job()
        if local_id is None:
            self._context.note("Select a job first: a job sheet is for one job")
        return local_id

    def _technician(self) -> str | None:
        query = self._context.query()
        technician = (query.assigned_to if query is not None else None) or \
            self._context.session.my_user_id
        if not technician:
            self._context.note("Choose a technician in the filter bar, or who you are "
                               "in Settings (I am:), for a route sheet")
        return technician or None

    def print_job_sheet(self) -> None:
        c = self._context
        if (local_id := self._job()) is not None:
            export.ask_print_job_sheet(c.window, c.session, local_id, c.note)

    def preview_job_sheet(self) -> None:
        c = self._context
        if (local_id := self._job()) is not None:
            export.ask_preview_job_sheet(c.window, c.session, local_id)

    def preview_route_sheet(self) -> None:
        c = self._context
        if (technician := self._technician()) is not None:
            export.ask_preview_route_sheet(c.window, c.session, technician, c.day())

    def save_job_sheet(self) -> None:
        c = self._context
        if (local_id := self._job()) is not None:
            export.ask_save_job_sheet(c.window, c.session, local_id, c.note)

    def print_route_sheet(self) -> None:
        c = self._context
        if (technician := self._technician()) is not None:
            export.ask_print_route_sheet(c.window, c.session, technician, c.day(), c.note)

    def save_route_sheet(self) -> None:
        c = self._context
        if (technician := self._technician()) is not None:
            export.ask_save_route_sheet(c.window, c.session, technician, c.day(), c.note)

    def _query(self) -> JobQuery | None:
        query = self._context.query()
        if query is None:
            self._context.note("Nothing to export: this view shows no jobs")
        return query

    def export_csv(self) -> None:
        c = self._context
        if (query := self._query()) is not None:
            export.ask_export_csv(c.window, c.session, query, c.visible_columns(), c.note)

    def export_every_field(self) -> None:
        c = self._context
        if (query := self._query()) is not None:
            export.ask_export_csv(c.window, c.session, query, None, c.note)

    def export_week(self) -> None:
        c = self._context
        if (query := self._query()) is not None:
            export.ask_export_week_ics(c.window, c.session, query, week_start(c.day()),
                                       c.note)
