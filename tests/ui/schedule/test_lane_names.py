"""The day view's lanes name their technicians, and follow a name given meanwhile."""

from __future__ import annotations

from datetime import date
from typing import Any

from desktop.core.schedule import Lane
from desktop.core.store import Store
from desktop.core.store import team as team_store
from desktop.ui.formatting import Technicians
from desktop.ui.schedule.text import lane_title
from desktop.ui.session import Session
from tests.ui.schedule.scheduled_jobs import (
    TECH_A,
    TECH_B,
    TUESDAY,
    open_schedule,
    put_jobs,
    timed_job,
)


def _titles(view: Any) -> list[str]:
    return [title for title, *_rest in view.grid._titles(date.today())]


def test_lanes_say_each_technicians_name(qtbot: Any, store: Store, session: Session) -> None:
    put_jobs(store, timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_B),
         timed_job(TUESDAY, "09:00", "10:00", assigned_to_user_id=TECH_A),
         timed_job(TUESDAY, "11:00", "12:00"))
    team_store.name(store, [(TECH_A, "Alex Rivera")])
    session.refresh_team()
    view = open_schedule(qtbot, session)
    view.set_span("day")
    qtbot.waitUntil(view.settled)
    assert _titles(view) == ["Unassigned", "Alex Rivera", "Technician bbbb"]
    session.name_technician(TECH_B, "Bo Chen")
    assert _titles(view) == ["Unassigned", "Alex Rivera", "Bo Chen"]


def test_my_lane_is_marked() -> None:
    team = {TECH_A: "Alex Rivera"}
    assert lane_title(Lane(TECH_A), Technicians(TECH_A, team)) == "Alex Rivera (me)"
    assert lane_title(Lane(TECH_B), Technicians(TECH_B, team)) == "Me"
    assert lane_title(Lane(None), Technicians("", team)) == "Unassigned"
