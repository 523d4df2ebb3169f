"""The Schedule view on a real store: where jobs are drawn, dragging them, navigating."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QToolTip, QWidget

from desktop.core.schedule import UNASSIGNED, Lane, week_start
from desktop.core.store import JobQuery, Store
from desktop.ui import theme
from desktop.ui.jobs.drag import job_mime
from desktop.ui.schedule.page import NOTHING_TO_SHOW, SchedulePage
from desktop.ui.schedule.text import day_text
from desktop.ui.schedule.tray import tray_query
from desktop.ui.session import Session
from tests.ui.helpers import drag_to
from tests.ui.schedule.scheduled_jobs import (
    MONDAY,
    TECH_A,
    TECH_B,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    open_schedule,
    put_jobs,
    timed_job,
)


def _slot(view: SchedulePage, day: date, minutes: int, lane: Lane | None = None) -> QPoint:
    """A point in ``day``'s column at a time of day (a little below its line)."""
    column = view.grid.column_rect(day, lane)
    assert column is not None
    return QPoint(column.center().x(), round(view.grid.y_of(minutes)) + 2)


# -- where jobs are drawn ----------------------------------------------------------------


def test_a_job_is_drawn_in_its_day_column_and_time_slot(qtbot: Any, store: Store,
                                                        session: Session) -> None:
    ids = put_jobs(store, timed_job(THURSDAY, "09:00", "10:30"))
    view = open_schedule(qtbot, session)
    assert view.grid.days[0] == MONDAY and len(view.grid.days) == 7
    rect = view.grid.item_rect(ids["JOB-1"])
    column = view.grid.column_rect(THURSDAY)
    assert rect is not None and column is not None
    assert column.left() <= rect.left() and rect.right() <= column.right()
    assert abs(rect.top() - view.grid.y_of(9 * 60)) <= 2
    assert abs(rect.bottom() - view.grid.y_of(10 * 60 + 30)) <= 3
    # Other days' columns do not hold it.
    tuesday = view.grid.column_rect(TUESDAY)
    assert tuesday is not None and not tuesday.intersects(rect)


def test_overlapping_jobs_sit_side_by_side(qtbot: Any, store: Store,
                                           session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00"),
                   timed_job(TUESDAY, "09:30", "11:00"), timed_job(TUESDAY, "13:00", "14:00"))
    view = open_schedule(qtbot, session)
    first, second, alone = (view.grid.item_rect(ids[f"JOB-{n}"]) for n in (1, 2, 3))
    column = view.grid.column_rect(TUESDAY)
    assert first is not None and second is not None and alone is not None and column
    assert not first.intersects(second)
    assert first.right() < second.left()
    assert first.width() < column.width() / 2 and second.width() < column.width() / 2
    # A job overlapping nothing has the whole column.
    assert alone.width() > column.width() * 0.9


def test_jobs_without_times_are_in_the_all_day_row(qtbot: Any, store: Store,
                                                   session: Session) -> None:
    ids = put_jobs(store, {"scheduled_date": MONDAY.isoformat()},
               timed_job(MONDAY, "08:00", "09:00"))
    view = open_schedule(qtbot, session)
    band = view.grid.band_rect()
    untimed, timed = view.grid.item_rect(ids["JOB-1"]), view.grid.item_rect(ids["JOB-2"])
    assert untimed is not None and timed is not None
    assert band.contains(untimed)
    assert not band.intersects(timed) and timed.top() > band.bottom()


def test_working_hours_are_shown_and_the_rest_is_a_scroll_away(
        qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "22:00", "23:00"))
    view = open_schedule(qtbot, session)
    grid = view.grid
    assert grid.top_minute() == 6 * 60
    assert abs(grid.y_of(20 * 60) - grid.viewport().height()) <= 2
    late = grid.item_rect(ids["JOB-1"])
    assert late is not None and late.top() > grid.viewport().height()
    grid.verticalScrollBar().setValue(grid.verticalScrollBar().maximum())
    late = grid.item_rect(ids["JOB-1"])
    assert late is not None and grid.viewport().rect().contains(late)


def test_the_day_view_has_a_lane_per_assignee_and_one_unassigned(
        qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_B),
               timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_A),
               timed_job(TUESDAY, "11:00", "12:00"),
               timed_job(MONDAY, "09:00", "10:00"))
    view = open_schedule(qtbot, session)
    view.set_span("day")
    qtbot.waitUntil(view.settled)
    assert view.grid.days == [TUESDAY]
    assert view.grid.lanes == [UNASSIGNED, Lane(TECH_A), Lane(TECH_B)]
    for number, lane in (("JOB-1", Lane(TECH_B)), ("JOB-2", Lane(TECH_A)),
                         ("JOB-3", UNASSIGNED)):
        rect, column = view.grid.item_rect(ids[number]), view.grid.column_rect(TUESDAY, lane)
        assert rect is not None and column is not None
        assert column.contains(rect), number
    assert view.grid.item_rect(ids["JOB-4"]) is None


def test_the_query_filters_what_is_shown(qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00", priority="High"),
               timed_job(TUESDAY, "11:00", "12:00"), {"priority": "High"}, {})
    view = open_schedule(qtbot, session, JobQuery(priority="High", date_from=MONDAY,
                                          date_to=MONDAY))
    assert [i.local_id for i in view.grid.items()] == [ids["JOB-1"]]
    assert view.tray.ids() == [ids["JOB-3"]]
    view.set_query(None)
    qtbot.waitUntil(view.settled)
    assert view.grid.items() == [] and view.tray.ids() == []
    assert view.grid.hint == NOTHING_TO_SHOW


def test_the_tray_lists_open_jobs_without_a_date(qtbot: Any, store: Store,
                                                  session: Session) -> None:
    ids = put_jobs(store, {"priority": "Low"}, {"priority": "Emergency", "is_emergency": True},
               {"status": "Complete"}, timed_job(TUESDAY, "09:00", "10:00"))
    view = open_schedule(qtbot, session)
    # Open, undated jobs only, the most pressing first.
    assert view.tray.ids() == [ids["JOB-2"], ids["JOB-1"]]
    assert view.tray.heading.text() == "Unscheduled · 2"
    query = tray_query(JobQuery())
    assert query is not None and view.tray.ids() == store.ids(query)
    index = view.tray.model.index(0, 0)
    assert "JOB-2" in view.tray.model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_the_tray_pages_a_long_list(qtbot: Any, store: Store, session: Session) -> None:
    put_jobs(store, *({"title": f"Undated {n}"} for n in range(300)))
    view = open_schedule(qtbot, session)
    assert view.tray.model.rowCount() == 300
    # One view over the id list (with its scroll bars and headers), not a widget per job.
    assert len(view.tray.findChildren(QWidget)) < 30
    last = view.tray.model.index(299, 0)
    view.tray.list.scrollTo(last)
    assert "Undated" in view.tray.model.data(last, Qt.ItemDataRole.DisplayRole)


# -- dragging ----------------------------------------------------------------------------


def test_dropping_a_job_on_another_day_and_time_reschedules_it(
        qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:30"))
    view = open_schedule(qtbot, session)
    notes: list[str] = []
    view.message.connect(notes.append)
    drop = drag_to(view.grid.viewport(), _slot(view, THURSDAY, 14 * 60 + 5),
                    job_mime(ids["JOB-1"]))
    assert drop.isAccepted()
    record = store.get(ids["JOB-1"])
    assert record is not None
    assert (record["scheduled_date"], record["scheduled_time_start"],
            record["scheduled_time_end"]) == (THURSDAY.isoformat(), "14:00", "15:30")
    assert record.sync_state == "pending"
    assert notes == [f"Rescheduled JOB-1 to {day_text(THURSDAY)} 14:00"]
    # Drawn in its new place at once, and still there once the re-read is in.
    for _ in range(2):
        rect, column = view.grid.item_rect(ids["JOB-1"]), view.grid.column_rect(THURSDAY)
        assert rect is not None and column is not None and column.contains(rect)
        assert abs(rect.top() - view.grid.y_of(14 * 60)) <= 2
        qtbot.waitUntil(view.settled)


def test_the_grip_on_a_dragged_job_is_kept(qtbot: Any, store: Store,
                                           session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "11:00"))
    view = open_schedule(qtbot, session)
    # Held by its middle (an hour below its top) and let go at 15:00: it starts at 14:00.
    drag_to(view.grid.viewport(), _slot(view, TUESDAY, 15 * 60),
             job_mime(ids["JOB-1"], grip_minutes=60))
    record = store.get(ids["JOB-1"])
    assert record is not None and record["scheduled_time_start"] == "14:00"


def test_dropping_in_another_lane_reassigns(qtbot: Any, store: Store,
                                            session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_A),
               timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_B))
    view = open_schedule(qtbot, session)
    view.set_span("day")
    qtbot.waitUntil(view.settled)
    notes: list[str] = []
    view.message.connect(notes.append)
    drag_to(view.grid.viewport(), _slot(view, TUESDAY, 9 * 60, Lane(TECH_B)),
             job_mime(ids["JOB-1"]))
    record = store.get(ids["JOB-1"])
    assert record is not None
    assert record["assigned_to_user_id"] == TECH_B
    assert record["scheduled_time_start"] == "09:00" and record.sync_state == "pending"
    # JOB-2 already has that technician then: the reassignment says so.
    assert notes == ["Assigned JOB-1 to Technician bbbb · Double-booked: Technician bbbb "
                     "also has JOB-2 (09:00\u201310:00) then"]
    # The lane it left stays, to drag it back to.
    qtbot.waitUntil(view.settled)
    assert Lane(TECH_A) in (view.grid.lanes or [])
    drag_to(view.grid.viewport(), _slot(view, TUESDAY, 9 * 60, UNASSIGNED),
             job_mime(ids["JOB-1"]))
    record = store.get(ids["JOB-1"])
    assert record is not None and record["assigned_to_user_id"] is None


def test_a_drop_in_the_all_day_row_clears_the_times(qtbot: Any, store: Store,
                                                    session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00"))
    view = open_schedule(qtbot, session)
    column = view.grid.column_rect(MONDAY)
    assert column is not None
    drag_to(view.grid.viewport(), QPoint(column.center().x(), view.grid.band_rect().center().y()),
             job_mime(ids["JOB-1"]))
    record = store.get(ids["JOB-1"])
    assert record is not None
    assert (record["scheduled_date"], record["scheduled_time_start"],
            record["scheduled_time_end"]) == (MONDAY.isoformat(), None, None)


def test_dragging_from_the_tray_schedules_the_job(qtbot: Any, store: Store,
                                                  session: Session) -> None:
    ids = put_jobs(store, {"title": "Needs a date"})
    view = open_schedule(qtbot, session)
    notes: list[str] = []
    view.message.connect(notes.append)
    mime = view.tray.model.mimeData([view.tray.model.index(0, 0)])
    drag_to(view.grid.viewport(), _slot(view, TUESDAY, 10 * 60), mime)
    record = store.get(ids["JOB-1"])
    assert record is not None
    assert (record["scheduled_date"], record["scheduled_time_start"],
            record["scheduled_time_end"]) == (TUESDAY.isoformat(), "10:00", "11:00")
    assert notes == [f"Scheduled JOB-1 for {day_text(TUESDAY)} 10:00"]
    qtbot.waitUntil(view.settled)
    assert view.tray.ids() == []
    assert view.grid.item_rect(ids["JOB-1"]) is not None


def test_dropping_a_job_on_the_tray_unschedules_it(qtbot: Any, store: Store,
                                                   session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00"))
    view = open_schedule(qtbot, session)
    drag_to(view.tray.list.viewport(), QPoint(20, 20), job_mime(ids["JOB-1"]))
    record = store.get(ids["JOB-1"])
    assert record is not None
    assert (record["scheduled_date"], record["scheduled_time_start"]) == (None, None)
    qtbot.waitUntil(view.settled)
    assert view.tray.ids() == [ids["JOB-1"]]
    assert view.grid.item_rect(ids["JOB-1"]) is None


def test_an_invalid_drop_is_refused_and_changes_nothing(qtbot: Any, store: Store,
                                                       session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "11:00"))
    view = open_schedule(qtbot, session)
    before = store.get(ids["JOB-1"])
    notes: list[str] = []
    view.message.connect(notes.append)
    changed: list[list[int]] = []
    session.jobs_changed.connect(changed.append)
    view.grid.scroll_to_minutes(18 * 60)
    drag_to(view.grid.viewport(), _slot(view, TUESDAY, 23 * 60), job_mime(ids["JOB-1"]))
    assert store.get(ids["JOB-1"]) == before
    assert changed == []
    assert len(notes) == 1
    assert notes[0].startswith("Not moved: End time would pass 23:59")
    assert "start it by 21:45" in notes[0]
    rect = view.grid.item_rect(ids["JOB-1"])
    assert rect is not None and abs(rect.top() - view.grid.y_of(9 * 60)) <= 2


def test_a_drop_the_store_refuses_is_explained(qtbot: Any, store: Store,
                                               session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00"))
    view = open_schedule(qtbot, session)
    session.delete_jobs([ids["JOB-1"]])
    notes: list[str] = []
    view.message.connect(notes.append)
    drag_to(view.grid.viewport(), _slot(view, TUESDAY, 12 * 60), job_mime(ids["JOB-1"]))
    assert notes == ["Not moved: Job is in the Trash; restore it before editing"]
    record = store.get(ids["JOB-1"])
    assert record is not None and record["scheduled_time_start"] == "09:00"


def test_other_drags_are_not_taken(qtbot: Any, store: Store, session: Session) -> None:
    put_jobs(store, timed_job(TUESDAY, "09:00", "10:00"))
    view = open_schedule(qtbot, session)
    mime = QMimeData()
    mime.setText("hello")
    assert not drag_to(view.grid.viewport(), _slot(view, TUESDAY, 12 * 60), mime).isAccepted()


# -- navigation, keys, opening -----------------------------------------------------------


def test_navigation_by_buttons_and_keys(qtbot: Any, store: Store, session: Session) -> None:
    view = open_schedule(qtbot, session)
    grid = view.grid
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert view.anchor == TUESDAY + timedelta(days=7)
    assert grid.days[0] == MONDAY + timedelta(days=7)
    qtbot.mouseClick(view.previous_button, Qt.MouseButton.LeftButton)
    assert grid.days[0] == MONDAY
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert view.anchor == WEDNESDAY and grid.days[0] == MONDAY
    qtbot.keyClick(grid, Qt.Key.Key_PageDown)
    assert view.anchor == WEDNESDAY + timedelta(days=7) and grid.days[0] == MONDAY + timedelta(
        days=7)
    qtbot.keyClick(grid, Qt.Key.Key_PageUp)
    for _ in range(3):
        qtbot.keyClick(grid, Qt.Key.Key_Left)
    assert view.anchor == MONDAY - timedelta(days=1)
    assert grid.days[0] == MONDAY - timedelta(days=7), "a day before Monday is last week"
    qtbot.keyClick(grid, Qt.Key.Key_D)
    assert view.span == "day" and grid.days == [MONDAY - timedelta(days=1)]
    assert view.day_button.isChecked()
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert grid.days == [MONDAY]
    assert view.next_button.accessibleName() == "Next day"
    qtbot.keyClick(grid, Qt.Key.Key_W)
    assert view.span == "week" and view.week_button.isChecked()
    assert view.next_button.accessibleName() == "Next week"
    qtbot.mouseClick(view.today_button, Qt.MouseButton.LeftButton)
    assert view.anchor == date.today()
    assert grid.days[0] == week_start(date.today())
    view.show_day(TUESDAY)
    qtbot.keyClick(grid, Qt.Key.Key_Home)
    assert view.anchor == date.today()
    assert view.title.text()
    qtbot.waitUntil(view.settled)


def test_moving_to_another_week_reads_its_jobs(qtbot: Any, store: Store,
                                               session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00"),
               timed_job(TUESDAY + timedelta(days=7), "09:00", "10:00"))
    view = open_schedule(qtbot, session)
    assert [i.local_id for i in view.grid.items()] == [ids["JOB-1"]]
    view.step(1)
    qtbot.waitUntil(view.settled)
    assert [i.local_id for i in view.grid.items()] == [ids["JOB-2"]]


def test_double_click_and_enter_open_the_job(qtbot: Any, store: Store,
                                             session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00"),
                   timed_job(TUESDAY, "13:00", "14:00"), {"title": "Undated"})
    view = open_schedule(qtbot, session)
    rect = view.grid.item_rect(ids["JOB-2"])
    assert rect is not None
    with qtbot.waitSignal(view.job_activated) as opened:
        qtbot.mouseDClick(view.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [ids["JOB-2"]]
    # By keys: Up and Down walk the focused day's jobs, Enter opens the one selected.
    view.grid.setFocus()
    qtbot.keyClick(view.grid, Qt.Key.Key_Up)
    assert view.grid.selected == ids["JOB-1"]
    with qtbot.waitSignal(view.job_activated) as opened:
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    assert opened.args == [ids["JOB-1"]]
    with qtbot.waitSignal(view.job_activated) as opened:
        view.tray.list.doubleClicked.emit(view.tray.model.index(0, 0))
    assert opened.args == [ids["JOB-3"]]


def test_alt_arrows_move_the_selected_job_without_a_mouse(qtbot: Any, store: Store,
                                                         session: Session) -> None:
    sunday = MONDAY + timedelta(days=6)
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:30"), timed_job(sunday, "22:30", "23:30"))
    view = open_schedule(qtbot, session)
    view.grid.setFocus()
    view.grid.select(ids["JOB-1"])
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(view.grid, Qt.Key.Key_Right, alt)
    qtbot.keyClick(view.grid, Qt.Key.Key_Down, alt)
    moved = store.get(ids["JOB-1"])
    assert moved is not None and moved.sync_state == "pending"
    assert (moved["scheduled_date"], moved["scheduled_time_start"],
            moved["scheduled_time_end"]) == ((TUESDAY + timedelta(days=1)).isoformat(),
                                             "09:15", "10:45")
    assert view.grid.selected == ids["JOB-1"], "the job stays selected for the next move"

    # Past the week's last day the view follows the job into the next week.
    view.grid.select(ids["JOB-2"])
    qtbot.keyClick(view.grid, Qt.Key.Key_Right, alt)
    assert view.days()[0] == MONDAY + timedelta(days=7)
    qtbot.waitUntil(lambda: view.grid.selected == ids["JOB-2"])
    # Up to 23:45 it fits; past midnight is refused, named, and changes nothing.
    qtbot.keyClick(view.grid, Qt.Key.Key_Down, alt)
    before = store.get(ids["JOB-2"])
    assert before is not None and before["scheduled_time_end"] == "23:45"
    messages: list[str] = []
    view.message.connect(messages.append)
    qtbot.keyClick(view.grid, Qt.Key.Key_Down, alt)
    assert store.get(ids["JOB-2"]) == before
    assert messages and messages[-1].startswith("Not moved") and "23:59" in messages[-1]


def test_each_job_has_a_tooltip(qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:30", title="Replace valve",
                             priority="Emergency", is_emergency=True))
    view = open_schedule(qtbot, session)
    rect = view.grid.item_rect(ids["JOB-1"])
    assert rect is not None
    viewport = view.grid.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QHelpEvent.Type.ToolTip, rect.center(),
                                                viewport.mapToGlobal(rect.center())))
    text = QToolTip.text()
    QToolTip.hideText()
    for part in ("JOB-1", "Replace valve", "Ada Lovelace", day_text(TUESDAY), "09:00\u201310:30",
                 "Scheduled", "Emergency"):
        assert part in text


def test_the_view_follows_edits_made_elsewhere(qtbot: Any, store: Store,
                                               session: Session) -> None:
    ids = put_jobs(store, {"title": "Undated"})
    view = open_schedule(qtbot, session)
    assert view.grid.items() == []
    session.update_job(ids["JOB-1"], {"scheduled_date": WEDNESDAY.isoformat(),
                                      "scheduled_time_start": "08:00"})
    qtbot.waitUntil(lambda: view.settled() and bool(view.grid.items()))
    assert view.grid.item_rect(ids["JOB-1"]) is not None
    assert view.tray.ids() == []


def test_edits_made_while_hidden_are_read_when_shown(qtbot: Any, store: Store,
                                                     session: Session) -> None:
    ids = put_jobs(store, {"title": "Undated"})
    view = open_schedule(qtbot, session)
    view.hide()
    session.update_job(ids["JOB-1"], {"scheduled_date": WEDNESDAY.isoformat()})
    assert view.settled() and view.grid.items() == [], "nothing read while hidden"
    view.show()
    qtbot.waitUntil(lambda: view.settled() and bool(view.grid.items()))
    assert [i.local_id for i in view.grid.items()] == [ids["JOB-1"]]
    assert view.tray.ids() == []


@pytest.mark.parametrize("widget", ["grid", "tray", "buttons"])
def test_the_view_has_accessible_names(qtbot: Any, store: Store, session: Session,
                                       widget: str) -> None:
    view = open_schedule(qtbot, session)
    if widget == "grid":
        assert view.grid.accessibleName() == "Schedule"
        assert "Page Up" in view.grid.accessibleDescription()
    elif widget == "tray":
        assert view.tray.list.accessibleName() == "Unscheduled jobs"
    else:
        names = [b.accessibleName() for b in (view.today_button, view.previous_button,
                                              view.next_button, view.day_button,
                                              view.week_button)]
        assert names == ["Today", "Previous week", "Next week", "Day", "Week"]


# -- dispatch safety -----------------------------------------------------------------------


def _outlined(view: SchedulePage, local_id: int) -> bool:
    """Whether the block is outlined in the danger colour (the double-booking mark)."""
    rect = view.grid.item_rect(local_id)
    assert rect is not None
    image = view.grid.viewport().grab().toImage()
    danger = theme.accent("danger", theme.dark_mode()).rgb()
    y = rect.top() + 1
    return any(image.pixel(x, y) == danger for x in range(rect.left() + 4, rect.right() - 4))


def test_a_drop_that_books_a_technician_twice_is_flagged_and_marked_on_both_blocks(
        qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_A),
               timed_job(TUESDAY, "13:00", "14:00", assigned_to_user_id=TECH_A),
               timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_B))
    view = open_schedule(qtbot, session)
    first, second = ids["JOB-1"], ids["JOB-2"]
    assert view.grid.clashes(first) == [] and not _outlined(view, first)
    notes: list[str] = []
    view.message.connect(notes.append)
    drag_to(view.grid.viewport(), _slot(view, TUESDAY, 9 * 60 + 30), job_mime(second))
    record = store.get(second)
    assert record is not None and record["scheduled_time_start"] == "09:30"
    assert notes[-1].startswith("Rescheduled JOB-2")
    assert "Double-booked" in notes[-1] and "JOB-1 (09:00\u201310:00)" in notes[-1]
    qtbot.waitUntil(lambda: view.grid.clashes(first) == [second])
    assert view.grid.clashes(second) == [first]
    assert view.grid.clashes(ids["JOB-3"]) == [], "another technician's job is no clash"
    assert _outlined(view, first) and _outlined(view, second)
    assert not _outlined(view, ids["JOB-3"])
    rect = view.grid.item_rect(first)
    assert rect is not None
    viewport = view.grid.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QHelpEvent.Type.ToolTip, rect.center(),
                                                viewport.mapToGlobal(rect.center())))
    text = QToolTip.text()
    QToolTip.hideText()
    assert "Double-booked" in text and "JOB-2 (09:30\u201310:30)" in text


def test_a_drop_into_the_past_asks_and_moves_only_when_told(qtbot: Any, store: Store,
                                                            session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00"))
    past = date.today() - timedelta(days=10)
    view = open_schedule(qtbot, session, day=past)
    notes: list[str] = []
    view.message.connect(notes.append)
    drag_to(view.grid.viewport(), _slot(view, past, 11 * 60), job_mime(ids["JOB-1"]))
    question = view.question
    assert question is not None and question.isVisible()
    assert day_text(past) in question.text() and "already passed" in question.text()
    before = store.get(ids["JOB-1"])
    assert before is not None and before["scheduled_date"] == TUESDAY.isoformat()
    qtbot.mouseClick(question.button(QMessageBox.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    assert view.question is None
    assert store.get(ids["JOB-1"]) == before
    assert notes[-1] == "Not moved: JOB-1 stays where it was"

    drag_to(view.grid.viewport(), _slot(view, past, 11 * 60), job_mime(ids["JOB-1"]))
    question = view.question
    assert question is not None
    yes = question.button(QMessageBox.StandardButton.Yes)
    assert yes.text() == "Move anyway"
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    after = store.get(ids["JOB-1"])
    assert after is not None
    assert (after["scheduled_date"], after["scheduled_time_start"]) == (past.isoformat(),
                                                                      "11:00")
    assert notes[-1] == f"Rescheduled JOB-1 to {day_text(past)} 11:00"


# -- "+N more" where too many overlap ------------------------------------------------------


def test_too_many_overlapping_jobs_show_more_which_lists_the_rest(
        qtbot: Any, store: Store, session: Session) -> None:
    count = 12
    ids = put_jobs(store, *(timed_job(TUESDAY, "09:00", "11:00", title=f"Visit {n}")
                            for n in range(count)), timed_job(TUESDAY, "14:00", "15:00"))
    view = open_schedule(qtbot, session)
    opened: list[int] = []
    view.job_activated.connect(opened.append)
    column = view.grid.column_rect(TUESDAY)
    assert column is not None
    mores = view.grid.more_rects()
    assert len(mores) == 1
    behind, rect = mores[0]
    numbers = {i: n for n, i in ids.items()}
    visits = [ids[f"JOB-{n}"] for n in range(1, count + 1)]
    drawn = [i for i in visits if view.grid.item_rect(i) is not None]
    # Every one of the twelve is either drawn or behind "+N more", never both.
    assert sorted(drawn + behind) == sorted(visits) and len(behind) >= 2
    assert column.contains(rect) and abs(rect.top() - view.grid.y_of(9 * 60)) <= 2
    for local_id in drawn:
        block = view.grid.item_rect(local_id)
        assert block is not None and not block.intersects(rect)
    # The job at 14:00 overlaps nothing and keeps the whole column.
    alone = view.grid.item_rect(ids[f"JOB-{count + 1}"])
    assert alone is not None and alone.width() > column.width() * 0.9

    qtbot.mouseClick(view.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    menu = view.grid.more_menu
    assert menu is not None
    assert [a.text().split("  ")[1] for a in menu.actions()] == [numbers[i] for i in behind]
    menu.actions()[0].trigger()
    assert opened == [behind[0]]
    menu.close()

    # Wider, more fit side by side and fewer are behind "+N more".
    view.resize(2400, 820)
    qtbot.waitUntil(lambda: len(view.grid.more_rects()[0][0]) < len(behind)
                    if view.grid.more_rects() else True)
