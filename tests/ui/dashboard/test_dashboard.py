"""The dashboard on known jobs: the figures it reads, and drawing them in both schemes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop.core.jobs import Status
from desktop.core.store import JobQuery
from desktop.core.sync import LAST_SYNC_META
from desktop.ui import theme
from desktop.ui.dashboard.charts import ticks, tone_colour
from desktop.ui.dashboard.page import DAYS, DashboardPage
from desktop.ui.session import Session
from tests.conftest import make_customer

TODAY = date.today()


@pytest.fixture
def jobs(session: Session) -> dict[str, int]:
    """Jobs around today: two today, one tomorrow, one past the two weeks, one in the
    Trash today; amounts on today's jobs only (today is always in this month)."""
    store = session.store
    customer = make_customer(store)

    def job(title: str, **values: object) -> int:
        return store.create_job({"customer_uuid": customer, "title": title,
                                 **values}).local_id

    made = {
        "today": job("Boiler", status="Scheduled", scheduled_date=TODAY.isoformat(),
                     estimated_amount="120.50", actual_amount="130.25"),
        "also_today": job("Faucet", status="In Progress", priority="Emergency",
                          scheduled_date=TODAY.isoformat(), estimated_amount="80.00"),
        "tomorrow": job("Drain", status="Scheduled",
                        scheduled_date=(TODAY + timedelta(days=1)).isoformat()),
        "later": job("Panel", status="New",
                     scheduled_date=(TODAY + timedelta(days=DAYS)).isoformat()),
        "unscheduled": job("Fan", status="New"),
    }
    store.delete_job(job("Old", status="Scheduled", scheduled_date=TODAY.isoformat(),
                         estimated_amount="999.00"))
    return made


def _dashboard(qtbot: Any, session: Session, query: JobQuery | None = None) -> DashboardPage:
    dashboard = DashboardPage(session)
    qtbot.addWidget(dashboard)
    dashboard.resize(1200, 720)
    dashboard.show()
    dashboard.set_query(JobQuery() if query is None else query)
    qtbot.waitUntil(dashboard.settled)
    return dashboard


def test_the_dashboard_reads_the_figures_of_the_live_jobs(qtbot: Any, session: Session,
                                                          jobs: dict[str, int]) -> None:
    finished = datetime.now(UTC) - timedelta(minutes=5)
    session.store.put_meta(LAST_SYNC_META, {"status": "ok", "pushed": 1, "pulled": 7,
                                            "requests": 3, "finished_at": finished.isoformat()})
    dashboard = _dashboard(qtbot, session)
    figures = dashboard.figures
    assert figures is not None
    assert figures.statuses == {"Scheduled": 2, "In Progress": 1, "New": 2}
    assert figures.per_day[:2] == [(TODAY, 2), (TODAY + timedelta(days=1), 1)]
    assert len(figures.per_day) == DAYS and sum(n for _d, n in figures.per_day) == 3
    month = figures.month
    assert (month.estimated, month.actual, month.estimated_with_actual) == (
        Decimal("200.50"), Decimal("130.25"), Decimal("120.50"))
    assert month.with_actual == 1 and month.jobs >= 2
    # The five live jobs wait to be sent; the one created and trashed here costs nothing.
    assert figures.sync_states == {"pending": 5}

    # What is drawn is those numbers.
    bars = {b.label: b.value for b in dashboard.statuses.bars}
    assert bars == {**{s.value: 0 for s in Status}, "Scheduled": 2, "In Progress": 1,
                    "New": 2}
    assert [b.value for b in dashboard.days.bars][:2] == [2, 1]
    assert [b.text for b in dashboard.money.bars] == ["$200.50", "$120.50", "$130.25"]
    assert "5 changes waiting" in dashboard.sync.accessibleDescription()
    assert dashboard.sync.last_text().text == "Synced 5 min ago"


def test_the_dashboard_follows_filters_and_edits(qtbot: Any, session: Session,
                                                 jobs: dict[str, int]) -> None:
    dashboard = _dashboard(qtbot, session, JobQuery(priority="Emergency"))
    assert dashboard.figures is not None
    assert dashboard.figures.statuses == {"In Progress": 1}
    assert dashboard.figures.per_day[0] == (TODAY, 1)
    assert dashboard.figures.month.estimated == Decimal("80.00")

    session.update_job(jobs["today"], {"priority": "Emergency"})
    qtbot.waitUntil(dashboard.settled)
    assert dashboard.figures.statuses == {"In Progress": 1, "Scheduled": 1}
    # Hidden, it reads again only when shown.
    dashboard.hide()
    session.update_job(jobs["tomorrow"], {"priority": "Emergency"})
    qtbot.waitUntil(dashboard.settled)
    assert dashboard.figures.statuses == {"In Progress": 1, "Scheduled": 1}
    dashboard.show()
    qtbot.waitUntil(dashboard.settled)
    assert dashboard.figures.statuses == {"In Progress": 1, "Scheduled": 2}

    dashboard.set_query(None)
    assert not dashboard.hint.isHidden() and dashboard.figures is None
    assert "nothing to count" in dashboard.hint.text()
    dashboard.set_query(JobQuery(deleted="only"))
    assert "Trash" in dashboard.hint.text() and dashboard.figures is None


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF())
                + 0.0722 * channel(c.blueF()))

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("dark", [False, True])
def test_the_dashboard_draws_readably_in_both_schemes(qtbot: Any, session: Session,
                                                      jobs: dict[str, int], dark: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    monkeypatch.setattr(theme, "is_dark", lambda: dark)
    theme.apply_theme(app)
    try:
        dashboard = _dashboard(qtbot, session)
        image = dashboard.grab().toImage()
        assert not image.isNull() and image.width() >= 1200
        panel = dashboard.statuses
        corner = panel.mapTo(dashboard, panel.rect().center())
        base = QColor(image.pixel(corner.x(), 30 + panel.y()))
        palette = panel.palette()
        assert (base.lightness() < 80) == dark
        assert _contrast(palette.color(QPalette.ColorRole.Text), base) >= 7
        assert _contrast(palette.color(QPalette.ColorRole.PlaceholderText), base) >= 2.5
        for tone in (Status.NEW.value, Status.COMPLETE.value, "ok", ""):
            assert _contrast(tone_colour(tone, palette, dark), base) >= 3, tone
    finally:
        theme.apply_theme(app)


def test_axis_ticks_are_round_and_cover_the_top_value() -> None:
    assert ticks(0) == [0.0, 1.0]
    assert ticks(3) == [0.0, 1.0, 2.0, 3.0]
    assert ticks(93) == [0.0, 50.0, 100.0]
    assert ticks(75_824) == [0.0, 20_000.0, 40_000.0, 60_000.0, 80_000.0]
    assert ticks(8) == [0.0, 2.0, 4.0, 6.0, 8.0]
