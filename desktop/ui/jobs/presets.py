"""The sidebar's presets (Today, My jobs, All jobs...), called views on screen: each one
a named ``JobQuery`` (what a person asks the list for)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from desktop.core.jobs import ACTIVE_STATUS_VALUES, Status
from desktop.core.store import JobQuery


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    section: str
    tooltip: str
    #: The preset's query for "today" and "my user id"; ``None`` when it cannot apply.
    build: Callable[[date, str], JobQuery | None]
    #: A count above zero is something to act on, drawn as an alert.
    alert: bool = False


def _week(today: date) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def _this_week(today: date, _me: str) -> JobQuery:
    monday, sunday = _week(today)
    return JobQuery(date_from=monday, date_to=sunday)


def _mine(_today: date, me: str) -> JobQuery | None:
    return JobQuery(assigned_to=me, statuses=ACTIVE_STATUS_VALUES) if me else None


PRESETS: tuple[Preset, ...] = (
    Preset("today", "Today", "Schedule", "Jobs scheduled for today",
         lambda today, _me: JobQuery(date_from=today, date_to=today)),
    Preset("mine", "My jobs", "Schedule",
         "Open jobs assigned to you (choose who you are in Settings)", _mine),
    Preset("week", "This week", "Schedule", "Jobs scheduled Monday to Sunday of this week",
         _this_week),
    Preset("unscheduled", "Unscheduled", "Schedule", "Open jobs with no date yet",
         lambda _t, _m: JobQuery(unscheduled=True, statuses=ACTIVE_STATUS_VALUES)),
    Preset("approval", "Needs approval", "Work", "Jobs waiting for the customer's approval",
         lambda _t, _m: JobQuery(statuses=(Status.NEEDS_APPROVAL.value,))),
    Preset("urgent", "Emergency / urgent", "Work", "Open emergency and urgent jobs",
         lambda _t, _m: JobQuery(urgent=True, statuses=ACTIVE_STATUS_VALUES), alert=True),
    Preset("all", "All jobs", "Work", "Every job except those in the Trash",
         lambda _t, _m: JobQuery()),
    Preset("waiting", "Changes waiting", "Sync",
         "Your changes not yet on the server, and changes the server refused",
         lambda _t, _m: JobQuery(sync_states=("pending", "rejected"), deleted="include")),
    Preset("conflicts", "Conflicts", "Sync",
         "Jobs changed here and on the server differently: pick which to keep",
         lambda _t, _m: JobQuery(sync_states=("conflict",), deleted="include"), alert=True),
    Preset("trash", "Trash", "Sync", "Deleted jobs; select one and Restore to bring it back",
         lambda _t, _m: JobQuery(deleted="only")),
)
PRESETS_BY_KEY = {v.key: v for v in PRESETS}
DEFAULT_PRESET = "today"


def preset_by_name(name: str) -> Preset:
    """A preset by key or label, case and spacing ignored (for ``--view``, its name there)."""
    wanted = "".join(name.lower().split())
    for preset in PRESETS:
        if wanted in (preset.key, "".join(preset.label.lower().split())):
            return preset
    choices = ", ".join(v.key for v in PRESETS)
    raise ValueError(f"unknown view {name!r}; choose one of: {choices}")


@dataclass(frozen=True)
class Filters:
    """What the filter bar narrows the current preset to."""

    statuses: tuple[str, ...] = ()
    priority: str | None = None
    assigned_to: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""

    @property
    def active(self) -> bool:
        return self != Filters(search=self.search)


def _later(a: date | None, b: date | None) -> date | None:
    return max(a, b) if a and b else a or b


def _earlier(a: date | None, b: date | None) -> date | None:
    return min(a, b) if a and b else a or b


def narrow(base: JobQuery | None, filters: Filters, sort: str, descending: bool
           ) -> JobQuery | None:
    """The preset's query narrowed by the filters; ``None`` when nothing can match."""
    if base is None:
        return None
    statuses = base.statuses
    if filters.statuses:
        statuses = tuple(s for s in filters.statuses if not base.statuses or s in base.statuses)
        if not statuses:
            return None
    if base.priority and filters.priority and base.priority != filters.priority:
        return None
    if base.assigned_to and filters.assigned_to and base.assigned_to != filters.assigned_to:
        return None
    date_from = _later(base.date_from, filters.date_from)
    date_to = _earlier(base.date_to, filters.date_to)
    if date_from and date_to and date_from > date_to:
        return None
    if base.unscheduled and (filters.date_from or filters.date_to):
        return None
    return JobQuery(
        statuses=statuses,
        priority=base.priority or filters.priority,
        customer_uuid=base.customer_uuid,
        assigned_to=base.assigned_to or filters.assigned_to,
        date_from=date_from,
        date_to=date_to,
        unscheduled=base.unscheduled,
        urgent=base.urgent,
        sync_states=base.sync_states,
        deleted=base.deleted,
        search=filters.search.strip(),
        sort=sort,
        descending=descending,
    )
