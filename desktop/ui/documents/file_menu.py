"""The File menu: a job's sheet, a technician's route sheet, and exports of what the
window shows (the list as CSV, a week of the schedule as a calendar)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from desktop.core.schedule import week_start
from desktop.core.store import JobQuery
from desktop.ui.documents import export

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow


class FileMenu(QMenu):
    def __init__(self, window: MainWindow) -> None:
        super().__init__("&File", window)
        self._window = window
        self.addAction(window.new_action)
        self.addSeparator()
        self._add("&Print job sheet…", self.print_job_sheet, QKeySequence.StandardKey.Print)
        self._add("Save job sheet as P&DF…", self.save_job_sheet)
        self._add("Print &route sheet…", self.print_route_sheet)
        self._add("Save route sheet as PD&F…", self.save_route_sheet)
        self.addSeparator()
        self._add("&Export list as CSV…", self.export_csv, "Ctrl+E")
        self._add("Export &week to calendar (.ics)…", self.export_week)
        self.addSeparator()
        self.addAction(window.settings_action)
        self._add("&Quit", window.close, QKeySequence.StandardKey.Quit)

    def _add(self, text: str, slot: Callable[[], object],
             shortcut: QKeySequence.StandardKey | str | None = None) -> None:
        action = self.addAction(text)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())

    def _note(self, text: str) -> None:
        self._window.status.note(text)

    def _job(self) -> int | None:
        local_id = self._window.detail.current_id
        if local_id is None:
            self._note("Select a job first: a job sheet is for one job")
        return local_id

    def _day(self) -> date:
        """The schedule's day while it is shown, else today."""
        window = self._window
        return window.schedule.anchor if window.page_key == "schedule" else date.today()

    def _technician(self) -> str | None:
        query = self._window.query
        technician = (query.assigned_to if query is not None else None) or \
            self._window.session.my_user_id
        if not technician:
            self._note("Choose a technician in the filter bar, or set your user id in "
                       "Settings, for a route sheet")
        return technician or None

    def print_job_sheet(self) -> None:
        if (local_id := self._job()) is not None:
            export.ask_print_job_sheet(self._window, self._window.session, local_id,
                                          self._note)

    def save_job_sheet(self) -> None:
        if (local_id := self._job()) is not None:
            export.ask_save_job_sheet(self._window, self._window.session, local_id,
                                         self._note)

    def print_route_sheet(self) -> None:
        if (technician := self._technician()) is not None:
            export.ask_print_route_sheet(self._window, self._window.session, technician,
                                            self._day(), self._note)

    def save_route_sheet(self) -> None:
        if (technician := self._technician()) is not None:
            export.ask_save_route_sheet(self._window, self._window.session, technician,
                                           self._day(), self._note)

    def _query(self) -> JobQuery | None:
        query = self._window.query
        if query is None:
            self._note("Nothing to export: this view shows no jobs")
        return query

    def export_csv(self) -> None:
        window = self._window
        if (query := self._query()) is not None:
            export.ask_export_csv(window, window.session, query,
                                     window.table.visible_columns(), self._note)

    def export_week(self) -> None:
        window = self._window
        if (query := self._query()) is not None:
            export.ask_export_week_ics(window, window.session, query,
                                          week_start(self._day()), self._note)
