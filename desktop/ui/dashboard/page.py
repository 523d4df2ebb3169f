"""The Dashboard page: jobs by status, the next two weeks, this month's money, and sync.

The figures are SQL aggregates (``core.store.reports``) read on the worker thread
and drawn by the charts in ``charts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from desktop.core.company import load as load_company
from desktop.core.jobs import WORKFLOW
from desktop.core.store import JobQuery, Store, reports
from desktop.core.sync import LAST_SYNC_META
from desktop.ui import formatting
from desktop.ui.dashboard.charts import Bar, BarChart, SyncPanel, money_text
from desktop.ui.pages import Page
from desktop.ui.session import Session

#: Days the schedule chart covers, today included.
DAYS = 14
#: Edits come in bursts (a multi-select delete): read once after the last of them.
REFRESH_DELAY_MS = 150
#: "Synced 3 min ago" keeps counting while nothing else happens.
CLOCK_MS = 30_000

TITLE = "Dashboard"
NO_QUERY_TEXT = "No job can match this view with these filters: there is nothing to count."
TRASH_TEXT = "Jobs in the Trash are not counted on the dashboard."


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard draws, as plain values read in one go."""

    statuses: dict[str | None, int]
    per_day: list[tuple[date, int]]
    month: reports.MonthAmounts
    sync_states: dict[str, int]
    last_sync: dict[str, Any] | None
    #: The company's name, once read from the server (see ``core.company``).
    company: str | None = None


def read_figures(store: Store, query: JobQuery, today: date) -> Figures:
    company = load_company(store)
    return Figures(
        statuses=reports.status_counts(store, query),
        per_day=reports.jobs_per_day(store, query, today, DAYS),
        month=reports.month_amounts(store, query, today),
        sync_states=store.count_by_sync_state(),
        last_sync=store.get_meta(LAST_SYNC_META),
        company=company.name if company is not None else None,
    )


# -- the page -----------------------------------------------------------------------


class DashboardPage(Page):
    """Shows no single job, so it never opens one."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._query: JobQuery | None = None
        self.figures: Figures | None = None
        self.setAccessibleName("Dashboard")
        self.statuses = BarChart("Jobs by status", "Jobs", horizontal=True, parent=self)
        self.days = BarChart("Scheduled, next two weeks", "Jobs", horizontal=False,
                             parent=self)
        self.money = BarChart("This month: estimated and actual", "Amount",
                              horizontal=True, axis_text=money_text, parent=self)
        self.sync = SyncPanel(self)
        self._charts = QWidget(self)
        grid = QGridLayout(self._charts)
        grid.setContentsMargins(12, 12, 12, 12)
        grid.setSpacing(12)
        self.title = QLabel(TITLE, self._charts)
        self.title.setObjectName("jobTitle")
        self.title.setAccessibleName("Dashboard title")
        grid.addWidget(self.title, 0, 0, 1, 2)
        grid.addWidget(self.statuses, 1, 0)
        grid.addWidget(self.days, 1, 1)
        grid.addWidget(self.money, 2, 0)
        grid.addWidget(self.sync, 2, 1)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 2)
        self.hint = self._lay_out_with_hint(self._charts)
        self._later = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._later.timeout.connect(self.refresh)
        self._clock = QTimer(self, interval=CLOCK_MS)
        self._clock.timeout.connect(self.sync.update)
        self._clock.start()
        session.jobs_changed.connect(lambda _ids: self._later.start())
        self.set_query(None)

    def show_query(self, query: JobQuery | None) -> None:
        """The schedule and money charts keep to their own dates."""
        counted = query is not None and query.deleted != "only"
        self._query = query if counted else None
        self.hint.setText(NO_QUERY_TEXT if query is None else TRASH_TEXT)
        self.hint.setVisible(not counted)
        self._charts.setVisible(counted)
        if self._query is None:
            self.figures = None
        self.reload()

    def refresh(self) -> None:
        # Reading now makes the read an edit put off for later needless.
        self._later.stop()
        super().refresh()

    def reload(self) -> None:
        self.reads.restart()
        query, store, today = self._query, self.session.store, date.today()
        if query is not None:
            self.reads.run(lambda: read_figures(store, query, today), self._show)

    def settled(self) -> bool:
        return super().settled() and not self._later.isActive()

    def _show(self, figures: Figures) -> None:
        self.figures = figures
        self.title.setText(f"{figures.company} · {TITLE}" if figures.company else TITLE)
        counts = figures.statuses
        known = [s.value for s in WORKFLOW]
        bars = [Bar(s, counts.get(s, 0), f"{counts.get(s, 0):,}", s) for s in known]
        other = sum(n for s, n in counts.items() if s not in known)
        if other:
            bars.append(Bar("Other", other, f"{other:,}", "Other"))
        self.statuses.set_bars(bars, f"{sum(counts.values()):,} jobs in all")
        today = figures.per_day[0][0]
        self.days.set_bars(
            [Bar(f"{'Today' if day == today else formatting.weekday_text(day)}\n{day.day}",
                 n, f"{n:,}",
                 bold=day == today) for day, n in figures.per_day],
            f"{sum(n for _d, n in figures.per_day):,} jobs from today to "
            f"{formatting.date_text(figures.per_day[-1][0], year=False)}")
        month = figures.month
        self.money.set_bars(
            [Bar(f"Estimated, {month.jobs:,} jobs", float(month.estimated),
                 formatting.money(month.estimated)),
             Bar(f"Estimated, {month.with_actual:,} done", float(month.estimated_with_actual),
                 formatting.money(month.estimated_with_actual)),
             Bar(f"Actual, {month.with_actual:,} done", float(month.actual),
                 formatting.money(month.actual), "ok")],
            f"Jobs scheduled in {formatting.month_text(month.first_day)}; done: with an actual "
            "amount recorded")
        self.sync.set_state(figures.sync_states, figures.last_sync)
