"""Job details under summary list shapes: which jobs are mirrored whole, and when.

The server's list items may be whole jobs, summaries with ``updated_at`` and
``deleted_at``, or summaries without them (the seed's example item); each item
says which by what it carries, and the pull records the shape it last met
(``LIST_SHAPE_META``). Under a summary shape the mirror is tiered: every job is
mirrored from its summary, and only the jobs someone will work on soon are read
whole (one GET each) during the scan: active ones and those scheduled in the next
days (``wants_details``). The rest are *summary-only* (``summary_only``): their
other fields are unknown here, not empty. They are read when opened while online
(``fetch_details``), or trickled in spare budget, most recent first (``trickle``).

A summary without stamps shows no change of a field it does not show (notes,
address, times, amounts), so active jobs' details are read again by a budgeted
priority queue (``refresh_details``). Every other job held whole is trusted for
``INACTIVE_BOUND_S`` (a week, as long as a device's reconciliation round takes to
show such a change to the jobs it works on under the stamped shapes) after its
details were read; then it is marked summary-only again (``demote_stale``, no
request), its last known values kept, and the trickle or an opening reads it again.
So no job is shown as whole with details older than that week without saying so; how
soon they are read again is what the spare budget allows, most recent jobs first.
Under the other two shapes nothing is owed: a whole item is the record, and a stamp
shows any change, which the scan then reads.

``details_at`` says when a job's whole record was last read, or last proved
unchanged by its stamps, by the sync engine's clock (``Cycle.clock``). Staleness is
an interval on that one clock, never a comparison with the server's stamps, so the
rule that the laptop's clock is never compared with the server's holds; and the
engine's clock is there on every path, offline too, where the server's ``Date``
(to the second, and only while replies arrive) is not.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal

from sqlalchemy import Connection

from desktop.core.api import ApiClient, NotFound
from desktop.core.budget import FULL_EVERY
from desktop.core.jobs import ACTIVE_STATUS_VALUES, ServerJob, Status
from desktop.core.store import JobRecord, Store
from desktop.core.store.database import meta_get
from desktop.core.store.edits import now_iso
from desktop.core.store.mirror import (
    apply_remote,
    is_stamped,
    is_summary,
    mark_gone,
    rows_by_uuid,
)
from desktop.core.sync.cycle import JOB_TROUBLE, Cycle

log = logging.getLogger(__name__)

ListShape = Literal["full", "summary", "bare"]
#: The list shape the last page written showed (see ``list_shape``).
LIST_SHAPE_META = "list_shape"
#: Jobs scheduled up to this many days after today are read whole by the scan, unless
#: finished: an invoiced or completed visit needs nothing more in the field, and a
#: first sync reads no more than the active jobs and the odd ones in statuses this
#: version does not know (a server's own "On Hold").
SOON_DAYS: Final = 2
_FINISHED: Final = (Status.COMPLETE.value, Status.INVOICED.value)
#: Under bare summaries only a GET shows a change to a field no summary carries, so
#: the details of active jobs are read again once older than a bound: a job
#: scheduled today within ``URGENT_BOUND_S`` (a hidden change then shows within 30
#: minutes with a sync every five, 5.5 at worst with its jitter); from spare requests
#: only (``read_spare``), one in progress or scheduled tomorrow after
#: ``SOON_BOUND_S``, then any other active job after ``ACTIVE_BOUND_S``. A job whose
#: details are younger costs nothing, so a quiet cycle sends nothing. The tiers are
#: what the month's requests allow: measured (bench_sync_month, bare summaries), an
#: office reading its in-progress and tomorrow's jobs every two hours as well spent
#: a third more than its share, and the jobs due today went stale.
URGENT_BOUND_S: Final = 22 * 60
SOON_BOUND_S: Final = 2 * 3600
ACTIVE_BOUND_S: Final = 4 * 3600
#: The least a quick scan is taken to cost before one has run: beside its pages it
#: reads the jobs that changed, which the mirror cannot count. Taken for its pages
#: alone (three), the office's first share was a third short under full items and
#: summaries, and its first hour's visible changes took 9.3 to 9.7 minutes, against
#: 7.9 to 8.5 (measured, 1 + 4 and 1 + 19).
SCAN_GUESS_LEAST: Final = 5
#: Under bare summaries, details of a job the refresh does not look after (inactive,
#: or a colleague's on a technician's device) count as current for this long after
#: they were read; then the job is summary-only again (``demote_stale``).
INACTIVE_BOUND_S: Final = int(FULL_EVERY.total_seconds())

#: The company's timezone is not the engine's: "today" is taken a day wide on the
#: early side, which covers every zone from UTC-12 to UTC+14.
_EARLY_SLACK: Final = timedelta(days=1)


def list_shape(jobs: Sequence[ServerJob]) -> ListShape | None:
    """What a page's items carry: every field, a stamped summary, or a bare one."""
    if not jobs:
        return None
    if not any(is_summary(job) for job in jobs):
        return "full"
    return "summary" if all(is_stamped(job) for job in jobs) else "bare"


def known_shape(conn: Connection) -> ListShape | None:
    shape: ListShape | None = meta_get(conn, LIST_SHAPE_META)
    return shape


def stamp(moment: datetime) -> str:
    """A ``details_at`` value: ISO UTC, so the text sorts as the time does."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _day(value: object) -> str | None:
    """The date part of a ``scheduled_date`` (a date or a full timestamp)."""
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _window(today: date, days: int) -> tuple[str, str]:
    return (today - _EARLY_SLACK).isoformat(), (today + timedelta(days=days)).isoformat()


def wants_details(fields: Mapping[str, Any], today: date, *, mine: bool = True) -> bool:
    """Whether the scan reads this job whole: live, active or scheduled soon, and
    worked on from this device (``mine``; see ``pull``)."""
    if not mine or fields.get("deleted_at") is not None:
        return False
    if fields.get("status") in ACTIVE_STATUS_VALUES:
        return True
    if fields.get("status") in _FINISHED:
        return False
    day = _day(fields.get("scheduled_date"))
    first, last = _window(today, SOON_DAYS)
    return day is not None and first <= day <= last


def worked_on_today(fields: Mapping[str, Any], today: date) -> bool:
    """Whether someone works on this job today (``today``: this device's date): in
    progress, or scheduled today. A change to it is read whole in the scan that sees
    it; a change to any other job may wait for requests to spare, shown from its
    list item meanwhile (``pull._within_budget``)."""
    if fields.get("deleted_at") is not None:
        return False
    return (fields.get("status") == Status.IN_PROGRESS.value
            or _day(fields.get("scheduled_date")) == today.isoformat())


# --- the budgeted reads --------------------------------------------------------------


def _active_filter(my_user_id: str | None) -> tuple[str, list[Any]]:
    """The jobs the refresh looks after. A technician's device looks after the
    technician's own jobs, as its quick scan does; the office's looks after all
    of them."""
    sql = (f"uuid IS NOT NULL AND deleted_at IS NULL "
           f"AND status IN ({', '.join('?' * len(ACTIVE_STATUS_VALUES))})")
    params: list[Any] = list(ACTIVE_STATUS_VALUES)
    if my_user_id:
        # IS, not =: an unassigned job is no technician's, and NOT of a NULL would
        # leave it out of ``demote_stale`` too.
        sql += " AND assigned_to_user_id IS ?"
        params.append(my_user_id)
    return sql, params


def upkeep_guess(store: Store, now: datetime, my_user_id: str | None,
                 page_size: int, every_s: float) -> tuple[float, float]:
    """What a quick scan, and a quick scan with the detail refreshes after it, cost,
    guessed from the mirror before any has been measured: the pages of the active
    jobs this device looks after, or ``SCAN_GUESS_LEAST`` if more, and under bare
    summaries the reads of those due today, each due every ``URGENT_BOUND_S``, for
    a scan every ``every_s`` seconds.

    A device's share starts from this right after its first sync (``Spending.started``):
    a flat guess of five requests gave the office, three pages and fourteen jobs due
    today under bare summaries, half its need for its first hour, and a hidden change
    took 36 minutes to show (measured, bench_sync_month at 1 + 4).
    """
    where, params = _active_filter(my_user_id)
    with store.read() as conn:
        active, due_today = conn.exec_driver_sql(
            f"SELECT count(*), coalesce(sum(substr(scheduled_date, 1, 10) = ?), 0) "
            f"FROM jobs WHERE {where}", (local_today(now).isoformat(), *params)).one()
        shape = known_shape(conn)
    scan = max(SCAN_GUESS_LEAST, math.ceil(active / page_size))
    reads = due_today * every_s / URGENT_BOUND_S if shape == "bare" else 0.0
    return float(scan), scan + reads


def demote_stale(store: Store, now: datetime, my_user_id: str | None) -> int:
    """Under bare summaries, mark summary-only the jobs held whole whose details are
    older than ``INACTIVE_BOUND_S`` (or of unknown age) and that the refresh does not
    look after; returns how many. No request: nothing but a GET would show whether
    a field no summary shows has changed, so past the bound they are no longer
    claimed current. Their values are kept (what was last known, shown as that),
    and the trickle, or opening the job online, reads them again.

    Jobs with local changes are left whole: their push reads them first.
    """
    where, params = _active_filter(my_user_id)
    with store.write() as conn:
        if known_shape(conn) != "bare":
            return 0
        # A scan of the jobs table, once per cycle: 6 ms at 10,000 jobs with nothing
        # due (the write transaction included), 27 ms marking 8,000 of them; less
        # than an index on details_at would cost every write of a job.
        result = conn.exec_driver_sql(
            "UPDATE jobs SET summary_only = 1 WHERE NOT summary_only AND uuid IS NOT NULL "
            "AND deleted_at IS NULL AND sync_state = 'synced' AND pending_op IS NULL "
            f"AND (details_at IS NULL OR details_at < ?) AND NOT ({where})",
            (stamp(now - timedelta(seconds=INACTIVE_BOUND_S)), *params))
        return int(result.rowcount)


def local_today(now: datetime) -> date:
    """The day it is where this device is: the day its user's jobs are "today"."""
    return now.astimezone().date()


def refresh_queue(cycle: Cycle, most: int, *, every_active: bool = False) -> list[int]:
    """Active jobs whose details are due, most urgent first, at most ``most``.

    Scheduled today (``URGENT_BOUND_S``); with ``every_active`` (spare requests),
    then in progress or scheduled tomorrow (``SOON_BOUND_S``), then any other active
    job (``ACTIVE_BOUND_S``); details of unknown age (a change shown from its list
    item, a job never read) are due in every tier, after today's. Within each, those
    of unknown age first, then the oldest: a busy day's deferred reads must not keep
    today's jobs from their bound.
    """
    if most <= 0:
        return []
    now = cycle.clock()
    today = local_today(now)
    where, params = _active_filter(cycle.my_user_id)
    day = "substr(scheduled_date, 1, 10)"
    sql = (
        "SELECT local_id FROM (SELECT local_id, details_at, "
        f"CASE WHEN {day} = ? THEN 0 WHEN status = ? OR {day} = ? THEN 1 ELSE 2 END AS tier "
        f"FROM jobs WHERE {where}) WHERE details_at IS NULL OR (tier <= ? AND details_at < "
        "CASE tier WHEN 0 THEN ? WHEN 1 THEN ? ELSE ? END) "
        "ORDER BY tier > 0, details_at IS NOT NULL, tier, details_at, local_id LIMIT ?")
    with cycle.store.read() as conn:
        found = conn.exec_driver_sql(sql, (
            today.isoformat(), Status.IN_PROGRESS.value,
            (today + timedelta(days=1)).isoformat(), *params, 2 if every_active else 0,
            *(stamp(now - timedelta(seconds=bound))
              for bound in (URGENT_BOUND_S, SOON_BOUND_S, ACTIVE_BOUND_S)), most))
        return [int(r[0]) for r in found]


def refresh_details(cycle: Cycle, most: int, *, every_active: bool = False) -> int:
    """Read again, one GET each, the details of active jobs that are due (see
    ``refresh_queue``), up to ``most`` requests and the cycle's budget for pulling;
    returns the requests sent.

    Nothing under full list items (every scan brings whole records) or before the
    first scan; under stamped summaries the scan reads every changed job, so its
    listings keep details current and little is ever due.
    """
    with cycle.store.read() as conn:
        shape = known_shape(conn)
    if shape in (None, "full"):
        return 0
    return _read_each(cycle, refresh_queue(cycle, _affordable(cycle, most),
                                           every_active=every_active), "details")


def read_spare(cycle: Cycle, most: int) -> int:
    """What spare requests buy, up to ``most``: the other active jobs' details once
    past their bound, then the trickle; returns the requests sent."""
    sent = refresh_details(cycle, most, every_active=True)
    return sent + trickle(cycle, most - sent)


def trickle_queue(cycle: Cycle, most: int) -> list[int]:
    """Summary-only jobs (never read whole, or past their bound under bare
    summaries), most recent first: latest schedule first, then those with none,
    newest created first, then in the order the server listed them (which the
    mirror's ids keep)."""
    if most <= 0:
        return []
    with cycle.store.read() as conn:
        found = conn.exec_driver_sql(
            "SELECT local_id FROM jobs WHERE summary_only AND uuid IS NOT NULL "
            "AND deleted_at IS NULL ORDER BY scheduled_date IS NULL, scheduled_date DESC, "
            "created_at DESC, local_id LIMIT ?", (most,))
        return [int(r[0]) for r in found]


def trickle(cycle: Cycle, most: int) -> int:
    """Read the whole records of summary-only jobs, most recent first, one GET each,
    up to ``most`` requests and the cycle's budget for pulling; returns the requests
    sent. Nothing when no job is summary-only (always so under full list items)."""
    return _read_each(cycle, trickle_queue(cycle, _affordable(cycle, most)), "trickle")


def _affordable(cycle: Cycle, most: int) -> int:
    left = cycle.pull_left()
    return int(max(0, min(most, left)))


def _read_each(cycle: Cycle, local_ids: list[int], phase: str) -> int:
    sent = 0
    for number, local_id in enumerate(local_ids, 1):
        if cycle.pull_left() < 1:
            break
        row = cycle.store.get(local_id)
        if row is None or row.uuid is None:
            continue
        sent += 1
        read = _read(cycle.client, cycle.store, row.uuid, stamp(cycle.clock()))
        if read is not None:
            cycle.fresh.add(row.uuid)
            if read in ("updated", "merged", "conflict"):
                cycle.report.pulled += 1
        cycle.step(phase, number, len(local_ids))
    return sent


def _read(client: ApiClient, store: Store, uuid: str, read_at: str) -> str | None:
    """GET one job and bring it in; what happened, or None if the row went away.

    Its trouble is that job's alone: logged and left, as a scan leaves it.
    """
    try:
        job: ServerJob | None = client.get_job(uuid)
    except NotFound:
        job = None
    with store.write() as conn:
        row = rows_by_uuid(conn, [uuid]).get(uuid)
        if row is None:
            return None
        try:
            if job is None:
                # 404: deleted there (local edits make it a conflict).
                return mark_gone(conn, row, now_iso())
            return apply_remote(conn, row, job, read_at=read_at)
        except JOB_TROUBLE:
            log.exception("details of job %s could not be mirrored", uuid)
            return "skipped"


def fetch_details(client: ApiClient, store: Store, local_id: int,
                  now: datetime | None = None) -> JobRecord | None:
    """One job's whole record, read now (a summary-only job opened while online).

    One GET, merged into the row as a scan would (local edits kept, three-way);
    ``now`` is the sync engine's clock, the one ``details_at`` is kept by. Returns
    the row as it then is (a 404 leaves it deleted, or in conflict if edited here),
    None if there is no such row. Raises the client's errors (offline, quota,
    sign-in) for the caller to show; nothing has changed then.
    """
    row = store.get(local_id)
    if row is None or row.uuid is None:
        return row
    _read(client, store, row.uuid, stamp(now or datetime.now(UTC)))
    return store.get(local_id)


def worst_staleness(store: Store, now: datetime, *,
                    assigned_to: str | None = None) -> float | None:
    """Seconds since the details of the active job read longest ago were read, by
    the clock of ``now`` (the engine's); None when no active job has been read.

    Active jobs never read here (created here, or from a file older than the
    column) are left out: their age is unknown, and the refresh reads them first.
    """
    sql = ("SELECT min(details_at) FROM jobs WHERE uuid IS NOT NULL AND deleted_at IS NULL "
           f"AND status IN ({', '.join('?' * len(ACTIVE_STATUS_VALUES))})")
    params: list[Any] = list(ACTIVE_STATUS_VALUES)
    if assigned_to:
        sql += " AND assigned_to_user_id = ?"
        params.append(assigned_to)
    with store.read() as conn:
        oldest = conn.exec_driver_sql(sql, tuple(params)).scalar()
    if oldest is None:
        return None
    return max(0.0, (now - datetime.fromisoformat(str(oldest))).total_seconds())
