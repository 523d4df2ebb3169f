"""Money, dates and times in the system's locale: a 12-hour clock and the month first
in the US, euros and a 24-hour clock in Germany, pounds in Britain; the bare C locale
of a server reads as it always has."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QLocale

from desktop.core.store import JobQuery
from desktop.ui import formatting
from desktop.ui.jobs.rows import SORT_COLUMNS
from desktop.ui.main_window import MainWindow

NNBSP = "\u202f"  # what ICU puts between a time and its AM or PM
DASH = "\u2013"


EXPECTED = {
    "en_US": ("$1,234.50", f"9:00{DASH}11:30{NNBSP}AM", f"11:00{NNBSP}AM{DASH}1:30{NNBSP}PM",
              "Thu, Dec 3", "Dec 3, 2025", f"Dec 3, 2026 2:30{NNBSP}PM"),
    "de_DE": ("1.234,50\xa0€", f"09:00{DASH}11:30", f"11:00{DASH}13:30", "Do. 3. Dez.",
              "3. Dez. 2025", "3. Dez. 2026 14:30"),
    "en_GB": ("£1,234.50", f"09:00{DASH}11:30", f"11:00{DASH}13:30", "Thu 3 Dec", "3 Dec 2025",
              "3 Dec 2026 14:30"),
    "C": ("$1,234.50", f"09:00{DASH}11:30", f"11:00{DASH}13:30", "Thu 03 Dec", "03 Dec 2025",
          "03 Dec 2026 14:30"),
}


@pytest.mark.parametrize("in_locale", list(EXPECTED), indirect=True)
def test_values_read_in_the_locale(in_locale: str) -> None:
    today = date(2026, 12, 1)
    assert (formatting.money(Decimal("1234.5")),
            formatting.time_window("09:00", "11:30"),
            formatting.time_window("11:00", "13:30"),
            formatting.day(date(2026, 12, 3), today),
            formatting.day(date(2025, 12, 3), today),
            formatting.moment_text(datetime(2026, 12, 3, 14, 30))) == EXPECTED[in_locale]
    assert formatting.day(today, today) == "Today"


@pytest.mark.parametrize("in_locale", ["en_US"], indirect=True)
def test_the_list_shows_a_12_hour_clock_in_the_us(in_locale: str, window: MainWindow,
                                                  qtbot: Any) -> None:
    store = window.session.store
    timed = next(r for r in store.page(JobQuery(), 0, 60)
                 if r.values["scheduled_time_start"] and r.values["estimated_amount"])
    window.model.invalidate([timed.local_id])
    row = window.model.row_of(timed.local_id)
    assert row is not None
    texts = window.model.row_at(row).texts
    assert texts[SORT_COLUMNS["scheduled"]].endswith(("AM", "PM"))
    assert texts[SORT_COLUMNS["estimated_amount"]].startswith("$")


@pytest.mark.parametrize("in_locale", ["de_DE"], indirect=True)
def test_the_dashboard_counts_money_in_euros_in_germany(in_locale: str, window: MainWindow,
                                                        qtbot: Any) -> None:
    window.show_page("dashboard")
    qtbot.waitUntil(window.settled)
    assert all(bar.text.endswith("€") for bar in window.dashboard.money.bars)
    month = QLocale("de_DE").monthName(date.today().month)
    assert f"Jobs scheduled in {month} {date.today().year};" in window.dashboard.money.caption
