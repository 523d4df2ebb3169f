"""The team week on a real store: a row per technician, a cell per day, "+N more" with
the list of a busy day, and dragging a job to another technician's day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from desktop.core.schedule import MAX_ROW_LINES, UNASSIGNED, Lane
from desktop.core.store import Store
from desktop.core.undo import Step
from desktop.ui.jobs.drag import job_mime
from desktop.ui.schedule.page import SchedulePage
from desktop.ui.schedule.text import day_text
from desktop.ui.session import Session
from tests.ui.helpers import drag_to
from tests.ui.schedule.scheduled_jobs import (
    MONDAY,
    TECH_A,
    TECH_B,
    THURSDAY,
    TUESDAY,
    open_schedule,
    put_jobs,
    timed_job,
)


def _team(qtbot: Any, session: Session) -> SchedulePage:
    view = open_schedule(qtbot, session)
    qtbot.keyClick(view, Qt.Key.Key_R)
    qtbot.waitUntil(view.settled)
    assert view.span == "team" and view.team_button.isChecked()
    assert view.view is view.team and view.team.isVisible() and not view.grid.isVisible()
    return view


def test_a_row_per_technician_and_a_cell_per_day(qtbot: Any, store: Store,
                                                 session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_A),
                   timed_job(TUESDAY, "08:00", "09:00", assigned_to_user_id=TECH_A),
                   timed_job(THURSDAY, "09:00", "10:00", assigned_to_user_id=TECH_B),
                   {"scheduled_date": MONDAY.isoformat()})
    team = _team(qtbot, session).team
    assert team.lanes == [UNASSIGNED, Lane(TECH_A), Lane(TECH_B)]
    assert team.days[0] == MONDAY and len(team.days) == 7
    for number, day, lane in (("JOB-1", TUESDAY, Lane(TECH_A)),
                              ("JOB-3", THURSDAY, Lane(TECH_B)),
                              ("JOB-4", MONDAY, UNASSIGNED)):
        rect, cell = team.item_rect(ids[number]), team.cell_rect(day, lane)
        assert rect is not None and cell is not None
        assert cell.contains(rect), number
    # By start time within the day: the 08:00 job's line is above the 09:00 one's.
    early, late = team.item_rect(ids["JOB-2"]), team.item_rect(ids["JOB-1"])
    assert early is not None and late is not None and early.bottom() < late.top()
    assert not team.grab().isNull()


def test_a_busy_day_shows_more_which_lists_every_job_to_open(qtbot: Any, store: Store,
                                                              session: Session) -> None:
    count = MAX_ROW_LINES + 3
    ids = put_jobs(store, *(timed_job(TUESDAY, f"{7 + n:02d}:00", f"{7 + n:02d}:30",
                                      assigned_to_user_id=TECH_A) for n in range(count)))
    view = _team(qtbot, session)
    team = view.team
    opened: list[int] = []
    view.job_activated.connect(opened.append)
    cell = team.cell(TUESDAY, Lane(TECH_A))
    assert cell is not None and (cell.shown, cell.hidden) == (MAX_ROW_LINES - 1, 4)
    shown = [team.item_rect(ids[f"JOB-{n + 1}"]) for n in range(count)]
    assert all(r is not None for r in shown[:MAX_ROW_LINES - 1])
    assert all(r is None for r in shown[MAX_ROW_LINES - 1:])
    more = team.more_rect(TUESDAY, Lane(TECH_A))
    assert more is not None
    qtbot.mouseClick(team.viewport(), Qt.MouseButton.LeftButton, pos=more.center())
    menu = team.more_menu
    assert menu is not None
    texts = [a.text() for a in menu.actions()]
    assert len(texts) == count
    assert texts[0].startswith("07:00") and "JOB-1" in texts[0]
    assert "JOB-8" in texts[-1]
    menu.actions()[-1].trigger()
    assert opened == [ids["JOB-8"]] and team.selected == ids["JOB-8"]
    menu.close()


def test_double_bookings_are_marked_in_the_cell_and_the_list(qtbot: Any, store: Store,
                                                              session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_A),
                   timed_job(TUESDAY, "09:30", "10:30", assigned_to_user_id=TECH_A),
                   timed_job(TUESDAY, "11:00", "12:00", assigned_to_user_id=TECH_A))
    team = _team(qtbot, session).team
    assert team.clashes(ids["JOB-1"]) == [ids["JOB-2"]]
    assert team.clashes(ids["JOB-3"]) == []
    cell = team.cell(TUESDAY, Lane(TECH_A))
    assert cell is not None
    menu = team.show_more(cell, QPoint(0, 0))
    assert [a.text().endswith("double-booked") for a in menu.actions()] == [True, True, False]
    menu.close()


def test_a_drop_on_another_cell_moves_day_and_technician_keeping_the_times(
        qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:30", assigned_to_user_id=TECH_A),
                   timed_job(THURSDAY, "13:00", "14:00", assigned_to_user_id=TECH_B))
    view = _team(qtbot, session)
    team = view.team
    notes: list[str] = []
    view.message.connect(notes.append)
    target = team.cell_rect(THURSDAY, Lane(TECH_B))
    assert target is not None
    assert drag_to(team.viewport(), target.center(), job_mime(ids["JOB-1"])).isAccepted()
    record = store.get(ids["JOB-1"])
    assert record is not None
    assert (record["scheduled_date"], record["scheduled_time_start"],
            record["scheduled_time_end"], record["assigned_to_user_id"]) == (
        THURSDAY.isoformat(), "09:00", "10:30", TECH_B)
    assert notes[-1].startswith("Rescheduled JOB-1") and "assigned to Technician bbbb" in notes[-1]
    qtbot.waitUntil(lambda: (rect := team.item_rect(ids["JOB-1"])) is not None
                    and target.contains(rect))

    # Undone, it goes back to its own row and day.
    undone: list[Step] = []
    assert session.undo(undone.append, lambda error: None)
    assert undone and undone[0].label.startswith("Reschedule")
    home = team.cell_rect(TUESDAY, Lane(TECH_A))
    assert home is not None
    qtbot.waitUntil(lambda: (rect := team.item_rect(ids["JOB-1"])) is not None
                    and home.contains(rect))
    # The name column and the header take no drops.
    assert not drag_to(team.viewport(), QPoint(5, target.center().y()),
                       job_mime(ids["JOB-1"])).isAccepted()


def test_a_job_from_the_tray_dropped_on_a_cell_gets_that_day_and_technician(
        qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, {"title": "Undated"},
                   timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_A))
    view = _team(qtbot, session)
    qtbot.waitUntil(lambda: view.tray.ids() == [ids["JOB-1"]])
    mime = view.tray.model.mimeData([view.tray.model.index(0, 0)])
    friday = MONDAY + timedelta(days=4)
    target = view.team.cell_rect(friday, Lane(TECH_A))
    assert target is not None
    drag_to(view.team.viewport(), target.center(), mime)
    record = store.get(ids["JOB-1"])
    assert record is not None
    assert (record["scheduled_date"], record["scheduled_time_start"],
            record["assigned_to_user_id"]) == (friday.isoformat(), None, TECH_A)


def test_a_drop_on_a_past_day_asks_first(qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_A))
    view = _team(qtbot, session)
    past = date.today() - timedelta(days=8)
    view.show_day(past)
    qtbot.waitUntil(view.settled)
    # A week with none of the technician's jobs has only the Unassigned row.
    assert view.team.lanes == [UNASSIGNED]
    target = view.team.cell_rect(past, UNASSIGNED)
    assert target is not None
    before = store.get(ids["JOB-1"])
    drag_to(view.team.viewport(), target.center(), job_mime(ids["JOB-1"]))
    question = view.question
    assert question is not None and f"{day_text(past)} 09:00" in question.text()
    question.button(QMessageBox.StandardButton.Cancel).click()
    assert store.get(ids["JOB-1"]) == before


def test_keys_step_through_the_days_jobs_move_one_and_open_it(
        qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_B),
                   timed_job(TUESDAY, "08:00", "09:00", assigned_to_user_id=TECH_A),
                   timed_job(THURSDAY, "09:00", "10:00", assigned_to_user_id=TECH_A))
    view = _team(qtbot, session)
    team = view.team
    opened: list[int] = []
    view.job_activated.connect(opened.append)
    team.setFocus()
    # Technician by technician down the focused day (Tuesday): A's job, then B's.
    qtbot.keyClick(team, Qt.Key.Key_Down)
    assert team.selected == ids["JOB-2"]
    qtbot.keyClick(team, Qt.Key.Key_Down)
    assert team.selected == ids["JOB-1"]
    qtbot.keyClick(team, Qt.Key.Key_Down)
    assert team.selected == ids["JOB-1"], "the last stays selected"
    qtbot.keyClick(team, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    record = store.get(ids["JOB-1"])
    assert record is not None
    assert (record["scheduled_date"], record["scheduled_time_start"],
            record["assigned_to_user_id"]) == (
        (TUESDAY + timedelta(days=1)).isoformat(), "09:00", TECH_B)
    # Each job picked shows in the panel (the page opens its pick); Enter opens it too.
    assert opened[:2] == [ids["JOB-2"], ids["JOB-1"]]
    del opened[:]
    qtbot.keyClick(team, Qt.Key.Key_Return)
    assert opened == [ids["JOB-1"]]
