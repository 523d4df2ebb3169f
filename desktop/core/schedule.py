"""The schedule's arithmetic: visible days, side-by-side layout, and what a drop changes.

Times are whole minutes since midnight, as the API's "HH:MM" fields are. The read
of a visible range is one SQL query over the sort index on ``scheduled_date`` with
the list's own filters, returning only the fields a schedule draws.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from desktop.core.jobs import DONE_STATUSES, FieldError, InvalidJob, parse_day
from desktop.core.store import JobQuery, Store
from desktop.core.store.queries import where_clause

#: One day (a lane per technician, hours down), a week (days across, hours down), or
#: the dispatch board's week: a row per technician, a cell per day.
Span = Literal["day", "week", "team"]

SNAP_MINUTES = 15
DAY_MINUTES = 24 * 60
#: The latest time the API's "HH:MM" fields can hold.
LAST_MINUTE = DAY_MINUTES - 1
#: Working hours, shown without scrolling.
WORK_START = 6 * 60
WORK_END = 20 * 60
#: How long a job with a start and no end is drawn, and how long a job dropped from
#: the tray is booked for.
DEFAULT_MINUTES = 60
#: Shorter jobs are drawn (and laid out) this long, so each stays visible and clickable.
MIN_DRAWN_MINUTES = 15
#: The most lines a technician's row of the team week takes: a busier day shows one
#: line fewer and "+N more" on the last.
MAX_ROW_LINES = 5


# -- days ------------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def visible_days(anchor: date, span: Span) -> list[date]:
    """The day shown, or the Monday-to-Sunday week (the team week too)."""
    if span == "day":
        return [anchor]
    monday = week_start(anchor)
    return [monday + timedelta(days=n) for n in range(7)]


def shift(anchor: date, span: Span, steps: int) -> date:
    """``anchor`` moved by ``steps`` days or weeks."""
    return anchor + timedelta(days=steps * (1 if span == "day" else 7))


# -- times -----------------------------------------------------------------------------


# Cached: a week's thousands of jobs share a few dozen times.
@functools.lru_cache(maxsize=4096)
def parse_minutes(text: str | None) -> int | None:
    """Minutes since midnight of an "HH:MM" time; ``None`` when empty or unreadable."""
    if not text or len(text) != 5 or text[2] != ":":
        return None
    hours, minutes = text[:2], text[3:]
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    value = int(hours) * 60 + int(minutes)
    return value if int(minutes) < 60 and value < DAY_MINUTES else None


def format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def snap(minutes: float, step: int = SNAP_MINUTES) -> int:
    """To the nearest ``step``, kept to starts that fit in the day."""
    # Halves round up, the same way wherever they fall (``round`` would go to even).
    snapped = math.floor(minutes / step + 0.5) * step
    return min(max(snapped, 0), DAY_MINUTES - step)


def duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


# -- what the schedule draws -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleItem:
    """One job as the schedule draws it: only the fields it shows, as plain values."""

    local_id: int
    job_number: str | None
    title: str | None
    customer_name: str | None
    status: str | None
    priority: str | None
    is_urgent: bool
    is_emergency: bool
    day: date | None
    start: int | None
    end: int | None
    assignee: str | None
    sync_state: str

    @property
    def timed(self) -> bool:
        """Whether the job has a start time (else it belongs in the all-day row)."""
        return self.start is not None

    @property
    def emergency(self) -> bool:
        return self.is_emergency or self.priority == "Emergency"

    def booked_span(self) -> tuple[int, int]:
        """Start and end of the time the job books its technician for: a missing or
        too-early end books ``DEFAULT_MINUTES``. Only for a timed job."""
        start = self.start if self.start is not None else 0
        end = self.end if self.end is not None and self.end > start else start + DEFAULT_MINUTES
        return start, min(end, DAY_MINUTES)

    def drawn_span(self) -> tuple[int, int]:
        """Start and end as drawn: a missing or too-early end gets a visible length."""
        start = self.start if self.start is not None else 0
        end = self.end if self.end is not None and self.end > start else start + DEFAULT_MINUTES
        return start, min(max(end, start + MIN_DRAWN_MINUTES), DAY_MINUTES)

    @classmethod
    def from_values(cls, local_id: int, values: Mapping[str, Any],
                    customer_name: str | None, sync_state: str) -> ScheduleItem:
        return cls(
            local_id=local_id,
            job_number=values["job_number"],
            title=values["title"],
            customer_name=customer_name,
            status=values["status"],
            priority=values["priority"],
            is_urgent=bool(values["is_urgent"]),
            is_emergency=bool(values["is_emergency"]),
            day=parse_day(values["scheduled_date"]),
            start=parse_minutes(values["scheduled_time_start"]),
            end=parse_minutes(values["scheduled_time_end"]),
            assignee=values["assigned_to_user_id"],
            sync_state=sync_state,
        )


_ITEM_FIELDS = ("job_number", "title", "status", "priority", "is_urgent", "is_emergency",
                "scheduled_date", "scheduled_time_start", "scheduled_time_end",
                "assigned_to_user_id")
_SELECT_ITEMS = ("SELECT j.local_id, j.customer_name, j.sync_state, "
                 + ", ".join(f"j.{f}" for f in _ITEM_FIELDS))


def items_sql(query: JobQuery, first: date, last: date) -> tuple[str, list[Any]]:
    """The live jobs matching ``query`` scheduled from ``first`` to ``last``.

    The query's own dates give way to the range; the Trash is never on a schedule.
    """
    ranged = replace(query, date_from=first, date_to=last, unscheduled=False,
                     deleted="exclude", sort="scheduled", descending=False)
    where, params = where_clause(ranged)
    # A week is a narrow range of the schedule index, which also carries the status
    # and priority filters; left to itself SQLite would rather fetch every job of a
    # status and sort them. A technician, customer, search or sync filter has a
    # narrower index of its own.
    narrower = query.assigned_to or query.customer_uuid or query.search.strip() or (
        query.sync_states)
    source = "jobs j" if narrower else "jobs j INDEXED BY ix_sort_scheduled"
    order = "j.scheduled_date, j.scheduled_time_start, j.local_id"
    return f"{_SELECT_ITEMS} FROM {source} WHERE {where} ORDER BY {order}", params


def _read(store: Store, sql: str, params: Sequence[Any]) -> list[ScheduleItem]:
    with store.read() as conn:
        rows = conn.exec_driver_sql(sql, tuple(params)).all()
    # Built straight from the row (no dict per job): a busy week has thousands.
    return [ScheduleItem(local_id, number, title, customer_name, status, priority,
                         bool(urgent), bool(emergency), parse_day(day), parse_minutes(start),
                         parse_minutes(end), assignee, sync_state)
            for (local_id, customer_name, sync_state, number, title, status, priority, urgent,
                 emergency, day, start, end, assignee) in rows]


def read_items(store: Store, query: JobQuery, first: date, last: date) -> list[ScheduleItem]:
    return _read(store, *items_sql(query, first, last))


# -- dispatch safety ---------------------------------------------------------------------


def clashes(items: Iterable[ScheduleItem]) -> dict[int, list[int]]:
    """The double bookings among ``items``: for each job booked at the same time as
    another of the same technician on the same day, those others' local ids.

    Unassigned and untimed jobs book nobody. Times are half-open, so a job ending at
    10:00 and the next starting at 10:00 do not clash.
    """
    booked: dict[tuple[str, date], list[ScheduleItem]] = {}
    for item in items:
        if item.assignee and item.day is not None and item.start is not None:
            booked.setdefault((item.assignee, item.day), []).append(item)
    found: dict[int, list[int]] = {}
    for group in booked.values():
        group.sort(key=ScheduleItem.booked_span)
        running: list[tuple[int, ScheduleItem]] = []
        for item in group:
            start, end = item.booked_span()
            running = [(e, other) for e, other in running if e > start]
            for _end, other in running:
                found.setdefault(item.local_id, []).append(other.local_id)
                found.setdefault(other.local_id, []).append(item.local_id)
            running.append((end, item))
    return found


_SAME_DAY_SQL = (f"{_SELECT_ITEMS} FROM jobs j INDEXED BY ix_jobs_assigned "
                 "WHERE j.assigned_to_user_id = ? AND j.scheduled_date = ? "
                 "AND j.deleted_at IS NULL ORDER BY j.scheduled_time_start, j.local_id")


def double_bookings(store: Store, values: Mapping[str, Any], local_id: int
                    ) -> list[ScheduleItem]:
    """The other live jobs its technician is booked for while this job (its
    ``values``) is on, by start time; none for a job with no technician or time."""
    if not values.get("assigned_to_user_id") or not values.get("scheduled_date"):
        return []
    same_day = _read(store, _SAME_DAY_SQL,
                     (values["assigned_to_user_id"], values["scheduled_date"]))
    others = {i.local_id: i for i in same_day}
    return [others[n] for n in clashes(same_day).get(local_id, []) if n in others]


_NEXT_SQL = (f"{_SELECT_ITEMS} FROM jobs j INDEXED BY ix_jobs_assigned "
             "WHERE j.assigned_to_user_id = ? AND j.scheduled_date = ? "
             "AND j.deleted_at IS NULL AND j.local_id != ? "
             f"AND j.status NOT IN ({', '.join('?' * len(DONE_STATUSES))}) "
             "AND (j.scheduled_time_start >= ? OR j.scheduled_time_start IS NULL) "
             "ORDER BY j.scheduled_time_start IS NULL, j.scheduled_time_start, j.local_id "
             "LIMIT 1")


def next_job_today(store: Store, assignee: str | None, done_id: int, now: datetime
                   ) -> ScheduleItem | None:
    """The technician's next job today once ``done_id`` is finished: the first not yet
    done that starts now or later, else one with no set time; ``None`` if none."""
    if not assignee:
        return None
    found = _read(store, _NEXT_SQL, (assignee, now.date().isoformat(), done_id,
                                     *DONE_STATUSES, format_minutes(now.hour * 60 + now.minute)))
    return found[0] if found else None


def in_the_past(drop: Drop, now: datetime) -> bool:
    """Whether a drop puts a job before ``now`` (a day gone, or an earlier time today;
    today's all-day row is not past)."""
    today = now.date()
    if drop.day != today:
        return drop.day < today
    return drop.start is not None and snap(drop.start) < now.hour * 60 + now.minute


# -- lanes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lane:
    """A column of the day view: one assignee's jobs, or the unassigned ones (``None``)."""

    assignee: str | None


UNASSIGNED = Lane(None)


def lanes_for(items: Iterable[ScheduleItem], always: Iterable[str] = ()) -> list[Lane]:
    """Unassigned first, then the assignees in ``always`` (in that order), then everyone
    else with a job in ``items``, by id."""
    wanted = [a for a in dict.fromkeys(always) if a]
    others = sorted({i.assignee for i in items if i.assignee} - set(wanted))
    return [UNASSIGNED, *(Lane(a) for a in [*wanted, *others])]


# -- layout ------------------------------------------------------------------------------


def overlap_layout(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """(column, column count) for each half-open span [start, end), in the given order.

    As calendars do: spans that overlap, directly or through others, form a cluster;
    within it each span takes the leftmost column free at its start, and every span
    of the cluster shares the cluster's column count. Taking spans by start makes the
    count the most spans that overlap at any one moment, the fewest possible. Each
    span must end after it starts.
    """
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1], i))
    columns = [0] * len(spans)
    result = [(0, 1)] * len(spans)
    cluster: list[int] = []
    column_ends: list[int] = []
    cluster_end = 0
    for index in order:
        start, end = spans[index]
        if cluster and start >= cluster_end:
            for member in cluster:
                result[member] = (columns[member], len(column_ends))
            cluster, column_ends = [], []
        for column, column_end in enumerate(column_ends):
            if column_end <= start:
                column_ends[column] = end
                columns[index] = column
                break
        else:
            columns[index] = len(column_ends)
            column_ends.append(end)
        cluster_end = end if not cluster else max(cluster_end, end)
        cluster.append(index)
    for member in cluster:
        result[member] = (columns[member], len(column_ends))
    return result


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one job goes: its column, then either its span in the timeline beside the
    jobs it overlaps, or its cell in the all-day row (``start`` is ``None``)."""

    column: int
    start: int | None
    end: int | None
    #: Timeline: the side-by-side position and count; all-day row: the cell's column
    #: and how many columns that day's cells take.
    slot: int
    slots: int
    #: All-day row only: the cell's row.
    row: int = 0


def arrange_column(items: Iterable[ScheduleItem], column: int, max_all_day_rows: int
                   ) -> tuple[dict[int, Placement], int]:
    """Place one column's jobs; returns the placements by local id and the rows the
    all-day band needs for them (at least one, to drop on).

    Jobs with times sit side by side where they overlap. More jobs without times than
    ``max_all_day_rows`` fill several narrower columns of cells, so every one stays on
    screen to hover and drag.
    """
    timed: list[ScheduleItem] = []
    untimed: list[ScheduleItem] = []
    for item in items:
        (timed if item.timed else untimed).append(item)
    spans = [i.drawn_span() for i in timed]
    placements = {
        item.local_id: Placement(column, span[0], span[1], slot, slots)
        for item, span, (slot, slots) in zip(timed, spans, overlap_layout(spans), strict=True)
    }
    rows = max(1, min(len(untimed), max_all_day_rows))
    cells = -(-len(untimed) // rows)
    for n, item in enumerate(untimed):
        placements[item.local_id] = Placement(column, None, None, n // rows, cells,
                                              row=n % rows)
    return placements, rows


@dataclass(frozen=True, slots=True)
class More:
    """Overlapping jobs past a column's room, behind one "+N more" block in its last
    slot, from the first one's start to the last one's end."""

    column: int
    start: int
    end: int
    slot: int
    slots: int
    ids: tuple[int, ...]

    def placement(self) -> Placement:
        return Placement(self.column, self.start, self.end, self.slot, self.slots)


def cap_slots(placements: Mapping[int, Placement], max_slots: int
              ) -> tuple[dict[int, Placement], list[More]]:
    """Keep at most ``max_slots`` side by side (two at least: a job and "+N more").

    Where more overlap, the jobs in the first ``max_slots - 1`` slots keep theirs, the
    others are left out, and each run of them that overlaps goes behind one ``More``
    in the last slot. Clusters of overlapping jobs never overlap each other, so the
    last slot of a crowded cluster holds nothing else.
    """
    max_slots = max(2, max_slots)
    kept: dict[int, Placement] = {}
    hidden: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for local_id, placed in placements.items():
        if placed.start is None or placed.end is None or placed.slots <= max_slots:
            kept[local_id] = placed
        elif placed.slot < max_slots - 1:
            kept[local_id] = replace(placed, slots=max_slots)
        else:
            hidden.setdefault((placed.column, placed.slots), []).append(
                (placed.start, placed.end, local_id))
    mores: list[More] = []
    for (column, _slots), spans in hidden.items():
        spans.sort()
        run: list[tuple[int, int, int]] = []
        for span in [*spans, None]:
            if run and (span is None or span[0] >= max(e for _s, e, _i in run)):
                mores.append(More(column, run[0][0], max(e for _s, e, _i in run),
                                  max_slots - 1, max_slots, tuple(i for *_, i in run)))
                run = []
            if span is not None:
                run.append(span)
    return kept, mores


@dataclass(frozen=True, slots=True)
class RowCell:
    """One technician's jobs of one day in the team week, by start time (jobs with no
    set time last): the first ``shown`` each get a line, the rest are behind a
    "+N more" on the cell's last line."""

    row: int
    column: int
    items: tuple[ScheduleItem, ...]
    shown: int

    @property
    def hidden(self) -> int:
        return len(self.items) - self.shown


@dataclass(frozen=True)
class RowsLayout:
    """The team week: each row's height in lines, and its cells by (row, column)."""

    lines: tuple[int, ...]
    cells: dict[tuple[int, int], RowCell]


def _cell_order(item: ScheduleItem) -> tuple[bool, int, int]:
    return item.start is None, item.start or 0, item.local_id


def arrange_rows(items: Iterable[ScheduleItem], lanes: Sequence[Lane], days: Sequence[date],
                 max_lines: int = MAX_ROW_LINES) -> RowsLayout:
    """Lay out the team week: a row per lane (technician), a column per day.

    A row is as tall as its busiest day, in lines of one job each, from one line to
    ``max_lines``; a day with more jobs than that shows one fewer and "+N more".
    Jobs of no lane or day shown are left out.
    """
    rows = {lane.assignee: n for n, lane in enumerate(lanes)}
    columns = {day: n for n, day in enumerate(days)}
    groups: dict[tuple[int, int], list[ScheduleItem]] = {}
    for item in items:
        row, column = rows.get(item.assignee), columns.get(item.day)  # type: ignore[arg-type]
        if row is not None and column is not None:
            groups.setdefault((row, column), []).append(item)
    lines = [1] * len(lanes)
    for (row, _column), group in groups.items():
        lines[row] = max(lines[row], min(len(group), max_lines))
    cells = {}
    for (row, column), group in groups.items():
        group.sort(key=_cell_order)
        fits = len(group) <= lines[row]
        cells[row, column] = RowCell(row, column, tuple(group),
                                     len(group) if fits else lines[row] - 1)
    return RowsLayout(tuple(lines), cells)


# -- drops -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drop:
    """Where a job was dropped: a day, a start (``None`` in the all-day row), and in the
    day view the lane, which reassigns the job (``None`` keeps its assignee). A drop
    on the team week's cell keeps the job's times (``keep_time``): it changes only the
    day and the technician."""

    day: date
    start: int | None = None
    lane: Lane | None = None
    keep_time: bool = False


def nudged(item: ScheduleItem, days: int, minutes: int) -> Drop | None:
    """Where a keyboard move takes a job: ``days`` later and ``minutes`` later (a job
    with no times only changes day; one with no day has nowhere to move from)."""
    if item.day is None:
        return None
    start = None if item.start is None else max(0, item.start + minutes)
    return Drop(item.day + timedelta(days=days), start)


def _refuse(field: str, problem: str) -> InvalidJob:
    return InvalidJob([FieldError(field, problem)])


def drop_changes(current: Mapping[str, Any], drop: Drop) -> dict[str, Any]:
    """The changes for ``Session.update_job`` that put a job where it was dropped.

    A job keeps its length; one without an end keeps having none; one without times
    gets ``DEFAULT_MINUTES`` (cut at 23:59). The all-day row clears the times. Raises
    ``InvalidJob`` naming the field when the job cannot keep its length there.
    """
    target: dict[str, Any] = {}
    if parse_day(current.get("scheduled_date")) != drop.day:
        target["scheduled_date"] = drop.day.isoformat()
    if drop.keep_time:
        if drop.lane is not None and drop.lane.assignee != current.get("assigned_to_user_id"):
            target["assigned_to_user_id"] = drop.lane.assignee
        return target
    old_start = parse_minutes(current.get("scheduled_time_start"))
    old_end = parse_minutes(current.get("scheduled_time_end"))
    if drop.start is None:
        start_text: str | None = None
        end_text: str | None = None
    else:
        start = snap(drop.start)
        start_text = format_minutes(start)
        if old_start is None:
            end_text = format_minutes(min(start + DEFAULT_MINUTES, LAST_MINUTE))
        elif old_end is None:
            end_text = None
        else:
            length = old_end - old_start
            if length <= 0:
                raise _refuse("scheduled_time_end", f"must be after scheduled_time_start "
                              f"({format_minutes(old_start)}); fix the job's times first")
            if start + length > LAST_MINUTE:
                latest = (LAST_MINUTE - length) // SNAP_MINUTES * SNAP_MINUTES
                raise _refuse("scheduled_time_end", f"would pass 23:59: a "
                              f"{duration_text(length)} job starting {start_text} ends the "
                              f"next day (start it by {format_minutes(latest)})")
            end_text = format_minutes(start + length)
    for field, value in (("scheduled_time_start", start_text),
                         ("scheduled_time_end", end_text)):
        if current.get(field) != value:
            target[field] = value
    if drop.lane is not None and drop.lane.assignee != current.get("assigned_to_user_id"):
        target["assigned_to_user_id"] = drop.lane.assignee
    return target


def unschedule_changes(current: Mapping[str, Any]) -> dict[str, Any]:
    """The changes that take a job off the schedule: no date, no times."""
    fields = ("scheduled_date", "scheduled_time_start", "scheduled_time_end")
    return {f: None for f in fields if current.get(f) is not None}
