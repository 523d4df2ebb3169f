"""The schedule names days, ranges, hours and times in the system's locale: the month
first and a 12-hour clock in the US, the day first with dots and a 24-hour clock in
Germany; the bare C locale of a server reads as it always has."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtGui import QFontMetrics, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from desktop.core.store import Store
from desktop.ui import formatting
from desktop.ui.jobs.drag import job_mime
from desktop.ui.schedule.geometry import GUTTER
from desktop.ui.schedule.text import day_text, range_title
from desktop.ui.session import Session
from tests.ui.helpers import drag_to
from tests.ui.schedule.scheduled_jobs import (
    MONDAY,
    THURSDAY,
    TUESDAY,
    open_schedule,
    put_jobs,
    timed_job,
)

NNBSP = "\u202f"  # what ICU puts between a time and its AM or PM
DASH = "\u2013"

#: Per locale: a day, one day in full, a week in one month, a week across months, a
#: week across years, and the hour labels of 9 in the morning and 1 in the afternoon.
EXPECTED = {
    "en_US": ("Thu, Dec 3", "Thursday, December 3, 2026", f"Dec 7 {DASH} 13, 2026",
              f"Nov 30 {DASH} Dec 6, 2026", f"Dec 28, 2026 {DASH} Jan 3, 2027",
              (f"9{NNBSP}AM", f"1{NNBSP}PM")),
    "de_DE": ("Do. 3. Dez.", "Donnerstag, 3. Dezember 2026", f"7. {DASH} 13. Dez. 2026",
              f"30. Nov. {DASH} 6. Dez. 2026", f"28. Dez. 2026 {DASH} 3. Jan. 2027",
              ("09:00", "13:00")),
    "C": ("Thu 3 Dec", "Thursday 3 December 2026", f"7 {DASH} 13 Dec 2026",
          f"30 Nov {DASH} 6 Dec 2026", f"28 Dec 2026 {DASH} 3 Jan 2027", ("09:00", "13:00")),
}


@pytest.mark.parametrize("in_locale", list(EXPECTED), indirect=True)
def test_days_ranges_and_hours_read_in_the_locale(in_locale: str) -> None:
    assert (day_text(date(2026, 12, 3)),
            range_title([date(2026, 12, 3)]),
            range_title([date(2026, 12, 7), date(2026, 12, 13)]),
            range_title([date(2026, 11, 30), date(2026, 12, 6)]),
            range_title([date(2026, 12, 28), date(2027, 1, 3)]),
            (formatting.hour_text(9), formatting.hour_text(13))) == EXPECTED[in_locale]


@pytest.mark.parametrize("in_locale", list(EXPECTED), indirect=True)
def test_every_hour_label_fits_beside_the_timeline(in_locale: str, qtbot: Any,
                                                   session: Session) -> None:
    view = open_schedule(qtbot, session)
    metrics = QFontMetrics(view.grid.font())
    # The label is drawn right-aligned 8 px short of the gutter's edge.
    widest = max(metrics.horizontalAdvance(formatting.hour_text(hour)) for hour in range(1, 24))
    assert widest <= GUTTER - 8


@pytest.mark.parametrize("in_locale", ["en_US"], indirect=True)
def test_the_week_a_tooltip_and_a_drop_read_on_a_12_hour_clock(
        in_locale: str, qtbot: Any, store: Store, session: Session) -> None:
    ids = put_jobs(store, timed_job(TUESDAY, "09:00", "10:30"))
    view = open_schedule(qtbot, session)
    assert view.title.text() == formatting.date_range(MONDAY, view.grid.days[-1])
    assert view.title.text().startswith(f"{MONDAY:%b} {MONDAY.day} {DASH} ")

    rect = view.grid.item_rect(ids["JOB-1"])
    assert rect is not None
    viewport = view.grid.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QHelpEvent.Type.ToolTip, rect.center(),
                                                viewport.mapToGlobal(rect.center())))
    tip = QToolTip.text()
    QToolTip.hideText()
    assert f"{TUESDAY:%a}, {TUESDAY:%b} {TUESDAY.day}, 9:00{DASH}10:30{NNBSP}AM" in tip

    notes: list[str] = []
    view.message.connect(notes.append)
    column = view.grid.column_rect(THURSDAY)
    assert column is not None
    slot = column.center()
    slot.setY(round(view.grid.y_of(14 * 60 + 5)) + 2)
    assert drag_to(viewport, slot, job_mime(ids["JOB-1"])).isAccepted()
    assert notes == [f"Rescheduled JOB-1 to {THURSDAY:%a}, {THURSDAY:%b} {THURSDAY.day} "
                     f"2:00{NNBSP}PM"]
