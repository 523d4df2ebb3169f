"""The Schedule: a day or week of jobs on a timeline, the team week (a row per
technician, a cell per day, as dispatch boards lay it out), and the tray of jobs with
no date.

Dragging a job to another day, time or lane reschedules or reassigns it; dragging
from the tray schedules it, dragging onto the tray takes it off the schedule. Every
such change goes through ``Session.update_job``, like an edit in the detail panel:
validated, recorded for sync, announced to the rest of the window.

A drop before now asks first; a drop or edit that books a technician twice at once
says so, naming the other jobs, and both blocks are outlined.

Keys on the grid: Left/Right a day, Page Up/Page Down a week, Home or T today,
D, W and R the day, week and team week, Up/Down the jobs of the day, Enter opens one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.jobs import InvalidJob, parse_day
from desktop.core.schedule import (
    Drop,
    Lane,
    ScheduleItem,
    Span,
    double_bookings,
    drop_changes,
    in_the_past,
    lanes_for,
    nudged,
    parse_minutes,
    read_items,
    shift,
    snap,
    unschedule_changes,
    visible_days,
)
from desktop.core.store import JobMissing, JobQuery, JobRecord
from desktop.ui import formatting, theme
from desktop.ui.pages import Page
from desktop.ui.schedule.grid import ScheduleGrid
from desktop.ui.schedule.team_grid import TeamGrid
from desktop.ui.schedule.text import clash_text, day_text, lane_title, range_title, tooltip
from desktop.ui.schedule.tray import ScheduleTray
from desktop.ui.session import Session

log = logging.getLogger(__name__)

NOTHING_TO_SHOW = "Nothing to show for this view and these filters."
#: More jobs changed at once than this wait for the re-read to be drawn.
FEW_CHANGES = 20
_DATE_FIELDS = ("scheduled_date", "scheduled_time_start", "scheduled_time_end")
#: Keyed by int, as ``QKeyEvent.key()`` answers.
_SPAN_KEYS: dict[int, Span] = {Qt.Key.Key_D: "day", Qt.Key.Key_W: "week", Qt.Key.Key_R: "team"}


def _sorted(items: list[ScheduleItem]) -> list[ScheduleItem]:
    """In the order the store reads them (day, then start with no time first, then id)."""
    return sorted(items, key=lambda i: (i.day or date.min,
                                        -1 if i.start is None else i.start, i.local_id))


class SchedulePage(Page):
    """The Schedule page: navigation bar, the grid, and the Unscheduled tray."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._query: JobQuery | None = None
        self._span: Span = "week"
        self._anchor = date.today()
        #: A job moved by keyboard out of sight: selected again once its days are read.
        self._follow: int | None = None
        #: The question a drop into the past asks, while it is open.
        self.question: QMessageBox | None = None
        self.setAccessibleName("Schedule view")
        self._read_soon = QTimer(self, singleShot=True, interval=0)
        self._read_soon.timeout.connect(self._read_days)
        self.grid = ScheduleGrid(self)
        self.team = TeamGrid(self)
        self._views = QStackedWidget(self)
        self._views.addWidget(self.grid)
        self._views.addWidget(self.team)
        self.tray = ScheduleTray(session, self)
        self._build_bar()
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._views)
        splitter.addWidget(self.tray)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setCollapsible(0, False)
        splitter.setSizes([900, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(splitter, 1)

        for view in (self.grid, self.team):
            view.job_nudged.connect(self._nudge)
            view.job_dropped.connect(self.drop_job)
            view.job_activated.connect(self.job_activated)
            view.selection_changed.connect(self._grid_selection_changed)
        self.tray.job_activated.connect(self.job_activated)
        self.tray.list.selectionModel().currentChanged.connect(
            lambda _current, _previous: self._tray_selection_changed())
        self.tray.unschedule_requested.connect(self.unschedule)
        session.jobs_changed.connect(self._jobs_changed)
        session.team_changed.connect(self._team_changed)
        self.set_query(None)

    def _build_bar(self) -> None:
        self.bar = QWidget(self)
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(8, 6, 8, 6)
        self.today_button = self._button("Today", "Go to today (T or Home)", self.go_today)
        theme.set_icon(self.today_button, "calendar")
        self.today_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.previous_button = self._button("Previous", "", lambda: self.step(-1))
        self.previous_button.setArrowType(Qt.ArrowType.LeftArrow)
        self.next_button = self._button("Next", "", lambda: self.step(1))
        self.next_button.setArrowType(Qt.ArrowType.RightArrow)
        self.title = QLabel(self.bar)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.day_button = self._button("Day", "One day, a lane per technician (D)",
                                       lambda: self.set_span("day"))
        self.week_button = self._button("Week", "Monday to Sunday (W)",
                                        lambda: self.set_span("week"))
        self.team_button = self._button("Team", "The week with a row per technician (R)",
                                        lambda: self.set_span("team"))
        self._spans = QButtonGroup(self)
        for button in (self.day_button, self.week_button, self.team_button):
            button.setCheckable(True)
            self._spans.addButton(button)
        for widget in (self.today_button, self.previous_button, self.next_button):
            row.addWidget(widget)
        row.addSpacing(8)
        row.addWidget(self.title, 1)
        row.addWidget(self.day_button)
        row.addWidget(self.week_button)
        row.addWidget(self.team_button)

    def _button(self, text: str, tip: str, slot: Callable[[], object]) -> QToolButton:
        button = QToolButton(self.bar)
        button.setText(text)
        button.setAccessibleName(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # -- what the main window drives ------------------------------------------------------

    def show_query(self, query: JobQuery | None) -> None:
        """The query's own dates give way to the visible range."""
        self._query = query
        for view in (self.grid, self.team):
            view.set_hint("" if query is not None else NOTHING_TO_SHOW)
        self.tray.set_query(query)
        self._show_range(reload=True)

    def reload(self) -> None:
        """Nothing is redrawn if nothing changed."""
        self._read_days()
        self.tray.refresh()

    def settled(self) -> bool:
        return (super().settled() and not self._read_soon.isActive()
                and self.tray.settled())

    def _jobs_changed(self, local_ids: list[int]) -> None:
        # Edited in the list while the schedule is not on screen: read once, when it
        # is shown again, rather than after every edit.
        if self.defer_while_hidden():
            return
        # A few jobs (a drop, a save, an undo) are drawn where they now are at once,
        # from their rows; the re-read that follows puts every filter right.
        if len(local_ids) <= FEW_CHANGES:
            for record in self.session.store.rows(local_ids).values():
                self._show_now(record)
        # After the repaint that shows the edit: the read's Python work would
        # otherwise share the interpreter with that paint. A burst of edits is read once.
        self._read_soon.start()
        self.tray.jobs_changed(local_ids)

    # -- navigation -----------------------------------------------------------------------

    @property
    def span(self) -> Span:
        return self._span

    @property
    def anchor(self) -> date:
        """The day in focus: the day shown, or the week's highlighted day."""
        return self._anchor

    def days(self) -> list[date]:
        return visible_days(self._anchor, self._span)

    @property
    def view(self) -> ScheduleGrid | TeamGrid:
        """The grid shown: the timeline, or the team week."""
        return self.team if self._span == "team" else self.grid

    def set_span(self, span: Span) -> None:
        self._span = span
        self._views.setCurrentWidget(self.view)
        # The other grid kept what it last showed: read afresh.
        self._show_range(reload=True)

    def show_day(self, day: date) -> None:
        """Focus ``day``; a week span follows it into another week."""
        self._anchor = day
        self._show_range()

    def go_today(self) -> None:
        self.show_day(date.today())

    def step(self, periods: int) -> None:
        """Forward (or back) a day or a week at a time, as the span is."""
        self.show_day(shift(self._anchor, self._span, periods))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        # Keyed by int, as ``key()`` answers (``Qt.Key`` is an int enum).
        moves: dict[int, Callable[[], date]] = {
            Qt.Key.Key_Left: lambda: shift(self._anchor, "day", -1),
            Qt.Key.Key_Right: lambda: shift(self._anchor, "day", 1),
            Qt.Key.Key_PageUp: lambda: shift(self._anchor, "week", -1),
            Qt.Key.Key_PageDown: lambda: shift(self._anchor, "week", 1),
            Qt.Key.Key_Home: date.today, Qt.Key.Key_T: date.today}
        if key in moves:
            self.show_day(moves[key]())
        elif key in _SPAN_KEYS:
            self.set_span(_SPAN_KEYS[key])
        else:
            super().keyPressEvent(event)

    def _show_range(self, *, reload: bool = False) -> None:
        days = self.days()
        {"day": self.day_button, "week": self.week_button,
         "team": self.team_button}[self._span].setChecked(True)
        unit = "day" if self._span == "day" else "week"
        for button, word, keys in ((self.previous_button, "Previous", "Left / Page Up"),
                                   (self.next_button, "Next", "Right / Page Down")):
            button.setAccessibleName(f"{word} {unit}")
            button.setToolTip(f"{word} {unit} ({keys})")
        self.title.setText(range_title(days))
        view = self.view
        moved = days != view.days or (self._span == "week") != (view.lanes is None)
        if moved:
            view.set_columns(days, self._lanes([]), self._anchor, self.session.technicians())
            view.set_items([])
        else:
            view.set_focus_day(self._anchor)
        if moved or reload:
            self._read_days()
        self._describe()

    def _lanes(self, items: list[ScheduleItem]) -> list[Lane] | None:
        """The day span's lanes (the team week's rows): the ones already shown stay
        while the days do."""
        if self._span == "week":
            return None
        view = self.view
        kept = [lane.assignee for lane in view.lanes or [] if lane.assignee
                ] if view.days == self.days() else []
        wanted = [self.session.my_user_id, self._query.assigned_to if self._query else None]
        return lanes_for(items, [a for a in (*wanted, *kept) if a])

    def _grid_selection_changed(self, local_id: int | None) -> None:
        self._describe()
        if local_id is not None:
            # One click shows the job, as in the list; the tray's pick gives way.
            self.tray.list.setCurrentIndex(QModelIndex())
            self.job_activated.emit(local_id)
        self.selection_changed.emit()

    def _team_changed(self) -> None:
        for named in (self.grid, self.team):
            named.set_names(self.session.technicians())

    def _tray_selection_changed(self) -> None:
        local_id = self.tray.current_id()
        if local_id is not None:
            self.view.select(None)
            self.job_activated.emit(local_id)
        self.selection_changed.emit()

    def selected_ids(self) -> list[int]:
        item = self.view.selected_item()
        if item is not None:
            return [item.local_id]
        local_id = self.tray.current_id()
        return [] if local_id is None else [local_id]

    def _describe(self) -> None:
        days = self.days()
        count = len(self.view.items())
        selected = self.view.selected_item()
        where = f"Selected: {tooltip(selected)}. " if selected is not None else ""
        self.view.setAccessibleDescription(
            f"{range_title(days)}: {count} job{'s' if count != 1 else ''}. {where}Left and "
            "Right move a day, Page Up and Page Down a week, Up and Down through the day's "
            "jobs, Enter opens one.")

    # -- reading --------------------------------------------------------------------------

    def _read_days(self) -> None:
        self.reads.restart()
        query = self._query
        if query is None:
            self._show_items([])
            return
        store, days = self.session.store, self.days()
        self.reads.run(lambda: read_items(store, query, days[0], days[-1]),
                        self._show_items, self._failed)

    def _failed(self, error: BaseException) -> None:
        log.error("reading the schedule failed", exc_info=error)
        self.message.emit(f"Could not read the schedule: {error}")

    def _show_items(self, items: list[ScheduleItem]) -> None:
        lanes = self._lanes(items)
        view = self.view
        if items == view.items() and lanes == view.lanes:
            return
        if lanes != view.lanes:
            view.set_columns(self.days(), lanes, self._anchor, self.session.technicians())
        view.set_items(items)
        if self._follow is not None and any(i.local_id == self._follow for i in items):
            view.select(self._follow)
            self._follow = None
        self._describe()

    # -- edits ----------------------------------------------------------------------------

    def drop_job(self, local_id: int, drop: Drop, *, past_ok: bool = False) -> bool:
        """Put a job where it was dropped; refused (with the reason) if it cannot go there.
        A drop before now asks first (``question``) and moves the job only if the user
        says so: False until then."""
        record = self.session.store.get(local_id)
        if record is None:
            self.message.emit("Not moved: the job is no longer here")
            return False
        try:
            changes = drop_changes(record.values, drop)
        except InvalidJob as invalid:
            self.message.emit(_refusal("Not moved", invalid))
            return False
        if not changes:
            return True
        # A drop that keeps the job's times lands at its own start.
        landing = replace(drop, start=parse_minutes(record.values["scheduled_time_start"])
                          ) if drop.keep_time else drop
        if (not past_ok and any(f in changes for f in _DATE_FIELDS)
                and in_the_past(landing, datetime.now())):
            self._ask_past(record, drop, landing)
            return False
        updated = self._update(record, changes, "Not moved", "Reschedule")
        if updated is None:
            return False
        clash = clash_text(double_bookings(self.session.store, updated.values,
                                           updated.local_id), self.session.technicians())
        self.message.emit(" · ".join(t for t in (self._moved_text(record, updated, changes),
                                                 clash) if t))
        return True

    def _ask_past(self, record: JobRecord, drop: Drop, landing: Drop) -> None:
        """Window-modal and answered later: no event loop of its own inside a drop."""
        when = day_text(landing.day) + ("" if landing.start is None
                                        else f" {formatting.minutes_clock(snap(landing.start))}")
        box = QMessageBox(QMessageBox.Icon.Question, "Schedule in the past?",
                          f"{when} has already passed. Move {_number(record)} there anyway?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText("Move anyway")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            self.question = None
            if box.clickedButton() is yes:
                self.drop_job(record.local_id, drop, past_ok=True)
            else:
                self.message.emit(f"Not moved: {_number(record)} stays where it was")

        box.finished.connect(answered)
        self.question = box
        box.open()

    def _nudge(self, local_id: int, days: int, minutes: int) -> None:
        item = self.view.selected_item()
        drop = None if item is None else nudged(item, days, minutes)
        if drop is not None and self.drop_job(local_id, drop) and drop.day not in self.days():
            self._follow = local_id
            self.show_day(drop.day)

    def unschedule(self, local_id: int) -> bool:
        record = self.session.store.get(local_id)
        if record is None:
            self.message.emit("Not taken off the schedule: the job is no longer here")
            return False
        changes = unschedule_changes(record.values)
        if not changes:
            return True
        if self._update(record, changes, "Not taken off the schedule", "Unschedule") is None:
            return False
        self.message.emit(f"Took {_number(record)} off the schedule")
        return True

    def _update(self, record: JobRecord, changes: Mapping[str, Any],
                failure: str, label: str) -> JobRecord | None:
        try:
            updated = self.session.update_job(record.local_id, changes, label)
        except InvalidJob as invalid:
            self.message.emit(_refusal(failure, invalid))
            return None
        except JobMissing:
            self.message.emit(f"{failure}: the job is no longer here")
            return None
        # The job just moved is the one picked, and the panel shows where it went.
        self.view.select(record.local_id)
        self.job_activated.emit(record.local_id)
        return updated

    def _show_now(self, record: JobRecord) -> None:
        """Draw an edited job where it now is without waiting for the re-read."""
        item = ScheduleItem.from_values(record.local_id, record.values,
                                        record.customer_name, record.sync_state)
        items = [i for i in self.view.items() if i.local_id != record.local_id]
        days = self.days()
        if not record.deleted and item.day is not None and days[0] <= item.day <= days[-1]:
            items.append(item)
        self._show_items(_sorted(items))

    def _moved_text(self, before: JobRecord, after: JobRecord,
                    changes: Mapping[str, Any]) -> str:
        number = _number(after)
        parts = []
        if any(f in changes for f in _DATE_FIELDS):
            day = parse_day(after.values["scheduled_date"])
            start = after.values["scheduled_time_start"]
            when = (day_text(day) if day else "") + (f" {formatting.clock(start)}" if start
                                                    else ", no set time")
            if before.values["scheduled_date"] is None:
                parts.append(f"Scheduled {number} for {when}")
            else:
                parts.append(f"Rescheduled {number} to {when}")
        if "assigned_to_user_id" in changes:
            who = lane_title(Lane(after.values["assigned_to_user_id"]),
                             self.session.technicians())
            who = "nobody" if who == "Unassigned" else who
            parts.append(f"assigned {number} to {who}" if not parts else f"assigned to {who}")
        text = " · ".join(parts)
        return text[:1].upper() + text[1:]


def _number(record: JobRecord) -> str:
    number = record.values["job_number"]
    return str(number) if number else "the new job"


def _refusal(prefix: str, invalid: InvalidJob) -> str:
    return f"{prefix}: " + "; ".join(
        f"{formatting.label(e.field)} {e.problem}" for e in invalid.errors)
