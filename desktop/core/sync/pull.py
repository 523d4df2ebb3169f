"""Pull: page through the server's jobs into the mirror, resumably.

A scan's position is committed with the pages it wrote, so a crash resumes at
the next page. A job the scan should have listed but did not is checked with one
GET before anything is removed: offset pages shift while others write, so
absence from a page proves nothing.

List items may be whole jobs or summaries, with or without ``updated_at`` and
``deleted_at`` (see ``details``): each is judged by what it carries. A stamped item
is compared with the mirror by its stamps; one without them by the fields it shows.
A summary that differs costs one GET, and only when the job is to be mirrored whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Connection

from desktop.core.api import CustomerPage, JobPage, NotFound, Page
from desktop.core.jobs import ACTIVE_STATUS_VALUES, JOB_FIELDS, ServerJob
from desktop.core.store import JobRecord
from desktop.core.store.database import meta_get, meta_put
from desktop.core.store.edits import load, now_iso
from desktop.core.store.mirror import (
    apply_remote,
    claim_listed,
    insert_server_jobs,
    is_stamped,
    is_summary,
    known_server_values,
    mark_gone,
    mark_seen,
    rows_by_uuid,
    server_values,
    unchanged,
    unseen_ids,
    upsert_nested_customers,
    write_columns,
)
from desktop.core.store.outbox import Request, adopt, in_flight
from desktop.core.store.team import harvest
from desktop.core.sync.adoption import is_own_create
from desktop.core.sync.cycle import JOB_TROUBLE, Cycle, ScanStopped
from desktop.core.sync.details import (
    LIST_SHAPE_META,
    known_shape,
    list_shape,
    local_today,
    stamp,
    wants_details,
    worked_on_today,
)
from desktop.core.sync.prefetch import read_ahead

log = logging.getLogger(__name__)

#: Pages written in one transaction at most, when they arrive faster than they are
#: written; also how far the scan reads ahead. A commit writes out every index page
#: its rows touched, so pages written together cost less a job (274 us one at a
#: time, 136 us eight at a time, in a 30,000-job mirror). Four keep the write lock,
#: which an edit in the window waits for, within about 100 ms at 10,000 jobs, and
#: a cancel or crash wastes at most a few requests already made.
PAGES_PER_WRITE = 4

#: Items of one page already listed earlier in the same scan, at most, before the
#: list is taken to be broken rather than shifted: that many jobs would have to be
#: created or reordered between two page requests a fraction of a second apart.
MOST_SHIFTED = 25
#: Unlisted jobs beyond which the first absence check also probes the list.
SUSPECT_UNSEEN = 10

PageT = TypeVar("PageT", bound=Page[Any])

SCAN_META = "scan"
SCAN_SEQ_META = "scan_seq"
#: Scans that reconcile every job they list in every status (``Governor.round_due``):
#: the whole list, or a technician's own jobs.
ROUNDS = frozenset({"full", "own"})
#: When this device last reconciled its own jobs in an own scan (``last_full``: in a
#: full one, which counts too).
LAST_OWN_META = "last_own"
APPLIED = frozenset({"inserted", "updated", "merged", "conflict"})


class _NoDeletionsShown(Exception):
    """The list items say nothing of deletion, yet the scan listed deleted jobs too:
    they would look live. The scan lists live jobs only instead."""


def start_scan(cycle: Cycle, kind: str) -> dict[str, Any]:
    """Resume the interrupted scan if there is one, else begin a new one."""
    with cycle.store.write() as conn:
        state: dict[str, Any] | None = meta_get(conn, SCAN_META)
        if state is None:
            number = int(meta_get(conn, SCAN_SEQ_META) or 0) + 1
            meta_put(conn, SCAN_SEQ_META, number)
            # Items without deleted_at cannot tell a deleted job from a live one, so
            # under that shape a full scan lists live jobs only and finds deletions
            # as it finds the rest: unlisted, then one GET (404) each.
            state = {"id": number, "kind": kind, "phase": "jobs", "page": 1,
                     "user": cycle.my_user_id if kind != "full" else None,
                     "deleted": kind in ROUNDS and known_shape(conn) != "bare"}
            meta_put(conn, SCAN_META, state)
    return state


def pending_scan_kind(cycle: Cycle) -> str | None:
    state = cycle.store.get_meta(SCAN_META)
    return None if state is None else str(state["kind"])


def abandon_scan(cycle: Cycle) -> None:
    cycle.store.put_meta(SCAN_META, None)


def run_scan(cycle: Cycle, state: dict[str, Any]) -> None:
    """Run (or resume) a scan to its end; raises ``ScanStopped`` if it cannot finish."""
    quick = state["kind"] == "quick"
    statuses = ACTIVE_STATUS_VALUES if quick else None
    while state["phase"] == "jobs":
        try:
            listed = _list_jobs(cycle, state, statuses)
        except _NoDeletionsShown:
            # Nothing of the unit that showed it was written; what came before was
            # stamped and is right as written. Once per device: the shape is kept.
            log.info("the server's list items do not say which jobs are deleted; "
                     "listing live jobs only")
            state = {**state, "deleted": False, "page": 1, "listed": 0}
            with cycle.store.write() as conn:
                meta_put(conn, LIST_SHAPE_META, "bare")
                meta_put(conn, SCAN_META, state)
            continue
        state = {**state, "phase": "check", "listed": listed}
        cycle.store.put_meta(SCAN_META, state)
    if state["phase"] == "check":
        _check_unseen(cycle, state, statuses)
        state = {**state, "phase": "customers", "page": 1}
        cycle.store.put_meta(SCAN_META, state)
    if state["phase"] == "customers" and not quick:
        def fetch_customers(number: int) -> CustomerPage:
            return cycle.client.list_customers(number, include_deleted=True)

        for cpage in checked_pages(cycle, fetch_customers, state["page"], "customers"):
            cycle.store.upsert_customers(cpage.customers)
            cycle.store.put_meta(SCAN_META, {**state, "page": cpage.page + 1})
    with cycle.store.write() as conn:
        meta_put(conn, SCAN_META, None)
        if not quick:
            meta_put(conn, "last_full" if state["kind"] == "full" else LAST_OWN_META,
                     cycle.clock().isoformat())


def _list_jobs(cycle: Cycle, state: dict[str, Any], statuses: Sequence[str] | None) -> int:
    """Page through the jobs from the scan's page on; returns how many it listed."""
    # Soft-deleted jobs stay listed forever with include_deleted, so a quick scan
    # would page through every deletion ever made, each cycle. Without them, a
    # job deleted since the last scan is simply unseen, and its single GET (404)
    # settles it once. Full scans still list deletions, to reconcile everything,
    # where the items say which are deleted.
    deleted = bool(state.get("deleted", state["kind"] != "quick"))

    def fetch(number: int) -> JobPage:
        return cycle.client.list_jobs(number, include_deleted=deleted,
                                      statuses=statuses, assigned_to_user_id=state["user"])

    listed = int(state.get("listed", 0))
    pages = checked_pages(cycle, fetch, state["page"], "jobs")
    with read_ahead(pages, depth=PAGES_PER_WRITE) as ahead:
        for batch in ahead.batches(PAGES_PER_WRITE):
            for unit in write_units(batch):
                if deleted and any("deleted_at" not in job.fields
                                   for page in unit for job in page.jobs):
                    raise _NoDeletionsShown
                for problem in (p for page in unit for p in page.invalid):
                    log.warning("server sent a job the mirror cannot read: %s", problem)
                    cycle.report.skipped.append(
                        f"unreadable job from the server: {problem}")
                last = unit[-1]
                listed += sum(len(page.jobs) for page in unit)
                _apply_page(cycle, each_once(unit), state["id"], next_state={
                    **state, "page": last.page + 1, "listed": listed})
                cycle.step("pull", last.page, last.total_pages)
    return listed


def _item_uuid(item: object) -> str | None:
    if isinstance(item, ServerJob):
        return item.uuid
    if isinstance(item, Mapping):
        value = item.get("uuid")
        return str(value) if value else None
    return None


def checked_pages(cycle: Cycle, fetch: Callable[[int], PageT], start: int,
                  noun: str) -> Iterator[PageT]:
    """Pages from ``start`` to the last, each checked before the next is asked for.

    A server that ignores ``page`` (or shuffles its list) would otherwise be paged
    through for as many pages as it claims, each one a request from the company's
    quota. Offset pages shift while others write, so a few items listed again are
    expected; a page that is mostly a repeat, or is not the page asked for, stops
    the scan, and so does the cycle's budget.
    """
    seen: set[str] = set()
    number = start
    while True:
        cycle.charge(1, f"{noun} from page {number} on")
        page = fetch(number)
        if page.page != number:
            raise ScanStopped(f"the server answered page {page.page} of its {noun} when "
                              f"asked for page {number}", server_fault=True)
        uuids = [u for u in map(_item_uuid, page.items) if u is not None]
        repeated = sum(1 for u in uuids if u in seen)
        if repeated > MOST_SHIFTED:
            raise ScanStopped(f"page {number} of the server's {noun} repeats {repeated} items "
                              "already listed in this scan", server_fault=True)
        seen.update(uuids)
        yield page
        # An empty page ends the scan even if the server's total is stale, so a
        # shrinking list can never make it loop forever.
        if number >= page.total_pages or not (page.items or page.invalid):
            return
        number += 1


def write_units(pages: Sequence[JobPage]) -> list[list[JobPage]]:
    """Split arrived pages into what each write transaction takes.

    A page of summary items is written alone: it may need a GET for each of its
    jobs first, and a batch of them would put hundreds of requests, and the wait
    for a cancel, behind one commit.
    """
    units: list[list[JobPage]] = []
    joinable = False
    for page in pages:
        summary = any(is_summary(job) for job in page.jobs)
        if joinable and not summary:
            units[-1].append(page)
        else:
            units.append([page])
        joinable = not summary
    return units


def each_once(pages: Sequence[JobPage]) -> list[ServerJob]:
    """The pages' jobs, each once: a job listed twice (offset pages shift while
    others write) is taken from the later listing, which was fetched later."""
    jobs: dict[str, ServerJob] = {}
    for job in (j for page in pages for j in page.jobs):
        jobs.pop(job.uuid, None)
        jobs[job.uuid] = job
    return list(jobs.values())


def _within_budget(cycle: Cycle, fetch: list[ServerJob], same: Mapping[str, Any],
                   before: Mapping[str, JobRecord], *, creating: bool, today: date
                   ) -> tuple[list[ServerJob], dict[str, ServerJob]]:
    """The GETs this page sends, and the known jobs shown from their summaries
    meanwhile, by uuid.

    Jobs worked on today (``worked_on_today``, by this device's date ``today``) are
    read first, as the cycle's budget allows; the others only from what of it is
    spare (``Cycle.spare``, which they use up): a quick scan may borrow for the jobs
    someone is out at, not for a reschedule of next week's. A job the mirror knows
    that is not read takes what its summary shows (status, date, title...) now, and
    is read whole later: its summary stamp is left as it was, so the next scan sees
    it changed again, and its details are of unknown age, which the refresh reads
    first. A new job not read is mirrored summary-only, and read whole once the
    budget allows, like any summary-only job wanted whole. Otherwise a device whose
    budget is one page a cycle would stop at the same page every cycle and never
    show a change at all. While a create of this device's own is in flight, new
    jobs are read whole first (a lost reply's job is recognised by its whole
    record): if those do not fit, the scan stops until they do.
    """
    def is_new(job: ServerJob) -> bool:
        return job.uuid not in same and job.uuid not in before

    first = [j for j in fetch if creating and is_new(j)]
    rest = [j for j in fetch if not (creating and is_new(j))]
    urgent = [j for j in rest if worked_on_today(j.fields, today)]
    waiting = [j for j in rest if not worked_on_today(j.fields, today)]
    room = max(0, int(min(cycle.pull_left(), len(fetch))) - len(first))
    taken = first + urgent[:room]
    spare = int(max(0.0, min(room - len(urgent[:room]), cycle.spare, len(waiting))))
    taken += waiting[:spare]
    cycle.spare -= len(waiting[:spare])
    chosen = {j.uuid for j in taken}
    shown = {j.uuid: ServerJob({k: v for k, v in j.fields.items() if k != "updated_at"},
                               j.customer, j.extras)
             for j in rest if j.uuid not in chosen and j.uuid in before}
    if len(taken) < len(fetch):
        cycle.report.skipped.append(
            f"{len(fetch) - len(taken)} new or changed jobs shown from their list items; "
            "read whole when the budget allows")
    return taken, shown


def _changed(row: JobRecord, job: ServerJob) -> bool:
    """Whether a listed job differs from what the mirror last saw of it on the server:
    by its stamps where it carries them, else by the fields it shows."""
    known = known_server_values(row)
    if is_stamped(job) and job.fields["updated_at"] is not None:
        return any(known.get(f) != job.fields[f] for f in ("updated_at", "deleted_at"))
    shown = server_values(job)
    return any(known.get(f) != shown[f] for f in job.fields if f in JOB_FIELDS)


def _mine(cycle: Cycle, scan_user: str | None, job: ServerJob, assignee: str | None) -> bool:
    """Whether this device works on a listed job: every job on the office's device;
    on a technician's, the jobs its own scan listed (filtered to the technician) or
    assigned to the technician, as the item says or else as the mirror has it.

    A technician's device reads whole only the technician's jobs: a colleague's is
    mirrored from its summary and read when opened. Summaries do not say who a job
    is assigned to, so on the first sync no job is known to be the technician's, and
    the quick scan after it (listing only the technician's jobs) reads them. Every
    device reading every active job would make nineteen technicians' first syncs
    cost the office's nineteen times over (about 5,500 requests at 300 active jobs).
    """
    me = cycle.my_user_id
    if me is None or scan_user == me:
        return True
    if "assigned_to_user_id" in job.fields:
        return bool(job.fields["assigned_to_user_id"] == me)
    return assignee == me


def _needs_record(row: JobRecord | None, job: ServerJob, today: date, creating: bool,
                  mine: bool) -> bool:
    """Whether a listed summary costs a GET of the whole job.

    A new job is read whole if someone will work on it soon, else mirrored from
    its summary; a known one when its summary changed, unless the mirror holds only
    its summary anyway (then the summary is the news) or it is deleted (its details
    no longer matter). A summary-only job that is now wanted whole is read once.
    """
    gone = is_stamped(job) and job.fields["deleted_at"] is not None
    if row is None:
        # This device's own create whose reply was lost is recognised by its whole
        # record (usually there is none in flight).
        return not gone and (creating or wants_details(job.fields, today, mine=mine))
    wanted = wants_details(job.fields, today, mine=mine)
    if not _changed(row, job):
        return row.summary_only and wanted
    return not gone and (wanted or not row.summary_only)


def _apply_page(cycle: Cycle, jobs: Sequence[ServerJob], scan: int,
                next_state: dict[str, Any]) -> None:
    now = cycle.clock()
    read_at, today = stamp(now), now.date()
    with cycle.store.read() as conn:
        same = unchanged(conn, jobs)
        creating = bool(_creates_in_flight(conn))
        before = rows_by_uuid(conn, [j.uuid for j in jobs
                                     if j.uuid not in same and is_summary(j)])
    # Summary items carry no more than the list needs; fetch the whole record only
    # for jobs that are new or changed and wanted whole, never for the unchanged
    # majority. An unchanged summary-only job is read once it is wanted whole.
    user = next_state.get("user")

    def needs_record(job: ServerJob) -> bool:
        if job.uuid in same:
            known = same[job.uuid]
            return known.summary_only and wants_details(
                job.fields, today, mine=_mine(cycle, user, job, known.assignee))
        row = before.get(job.uuid)
        mine = _mine(cycle, user, job, row["assigned_to_user_id"] if row else None)
        return _needs_record(row, job, today, creating, mine)

    fetch = [job for job in jobs if is_summary(job) and needs_record(job)]
    fetch, shown = _within_budget(cycle, fetch, same, before, creating=creating,
                                  today=local_today(now))
    # Checked before any of them: a page half fetched would be fetched again.
    cycle.charge(len(fetch), "changed jobs")
    full: dict[str, ServerJob | None] = {}
    for job in fetch:
        try:
            full[job.uuid] = cycle.client.get_job(job.uuid)
        except NotFound:
            full[job.uuid] = None
    # Jobs whose whole record this page proved current: a push needs no GET first.
    proven: set[str] = set()
    with cycle.store.write() as conn:
        settled = [s for uuid, s in same.items() if uuid not in full]
        mark_seen(conn, [s.local_id for s in settled if s.whole], scan, read_at)
        mark_seen(conn, [s.local_id for s in settled if not s.whole], scan)
        proven.update(uuid for uuid, s in same.items()
                      if uuid not in full and s.whole and not s.summary_only)
        rest = [job for job in jobs if job.uuid not in same or job.uuid in full]
        rows = rows_by_uuid(conn, [j.uuid for j in rest])
        upsert_nested_customers(conn, jobs)
        harvest(conn, [*jobs, *(record for record in full.values() if record is not None)])
        in_flight_creates = _creates_in_flight(conn) if creating else []
        new: list[ServerJob] = []
        new_summaries: list[ServerJob] = []
        for job in rest:
            record = full.get(job.uuid, shown.get(job.uuid, job))
            row = rows.get(job.uuid)
            if record is None:
                # Listed, then 404 when read: deleted since (edits here: a conflict).
                if row is not None:
                    with one_job(cycle, conn, job.uuid):
                        mark_gone(conn, row, now_iso())
                continue
            whole = not is_summary(record)
            if row is None and in_flight_creates and whole:
                with one_job(cycle, conn, record.uuid):
                    if _adopt_own_create(conn, in_flight_creates, record, read_at):
                        cycle.report.pushed += 1
                        continue
            if row is None:
                if record.fields.get("deleted_at") is None:
                    (new if whole else new_summaries).append(record)
                continue
            if whole or (is_stamped(record) and not _changed(row, record)
                         and not row.summary_only):
                proven.add(record.uuid)
            with one_job(cycle, conn, record.uuid):
                if apply_remote(conn, row, record, scan,
                                read_at=read_at if whole else None) in APPLIED:
                    cycle.report.pulled += 1
                if record.uuid in shown:
                    # Its other fields may have changed too: of unknown age until read.
                    write_columns(conn, row.local_id, {"details_at": None})
        cycle.report.pulled += insert_server_jobs(conn, new, scan, read_at=read_at)
        cycle.report.pulled += insert_server_jobs(conn, new_summaries, scan, summaries=True)
        if user is not None:
            claim_listed(conn, [job.uuid for job in jobs if job.uuid not in full
                                and "assigned_to_user_id" not in job.fields], user)
        proven.update(job.uuid for job in new)
        shape = list_shape(jobs)
        if shape is not None and shape != known_shape(conn):
            meta_put(conn, LIST_SHAPE_META, shape)
        meta_put(conn, SCAN_META, next_state)
    cycle.fresh.update(proven)
    received = [full.get(job.uuid, job) for job in jobs]
    cycle.report.flagged += sum(1 for record in received if record is not None and record.flags)


def _creates_in_flight(conn: Connection) -> list[Request]:
    """This device's creates that may have reached the server (usually none)."""
    result = conn.exec_driver_sql(
        "SELECT local_id FROM jobs WHERE uuid IS NULL AND idempotency_key IS NOT NULL")
    requests = []
    for (local_id,) in result.fetchall():
        row = load(conn, int(local_id))
        request = in_flight(row) if row is not None else None
        if request is not None and request.method == "POST" and request.sent:
            requests.append(request)
    return requests


@contextmanager
def one_job(cycle: Cycle, conn: Connection, uuid: str) -> Iterator[None]:
    """Bring one server record in on its own: its trouble is reported and undone,
    and the rest of the page is written as if it had not been listed."""
    conn.exec_driver_sql("SAVEPOINT one_job")
    try:
        yield
    except JOB_TROUBLE as exc:
        conn.exec_driver_sql("ROLLBACK TO one_job")
        log.exception("server job %s could not be mirrored", uuid)
        cycle.report.skipped.append(f"job {uuid} from the server was not mirrored: {exc}")
    finally:
        conn.exec_driver_sql("RELEASE one_job")


def _adopt_own_create(conn: Connection, creating: list[Request], job: ServerJob,
                      read_at: str) -> bool:
    """A new server job that is this device's own create whose reply was lost."""
    for request in creating:
        if is_own_create(request, job):
            adopt(conn, request, job, read_at=read_at)
            creating.remove(request)
            return True
    return False


def _still_listed(job: ServerJob, statuses: Sequence[str] | None, user: str | None) -> bool:
    """Whether the scan's filter should have listed this job, as the server has it."""
    return (job.fields.get("deleted_at") is None
            and (statuses is None or job.fields.get("status") in statuses)
            and (not user or job.fields.get("assigned_to_user_id") == user))


def _check_unseen(cycle: Cycle, state: dict[str, Any], statuses: Sequence[str] | None) -> None:
    scan, user = int(state["id"]), state["user"]
    with cycle.store.read() as conn:
        ids = unseen_ids(conn, scan, statuses=statuses, assigned_to=user)
    listed = int(state.get("listed", 0))
    # A list that suddenly omits more jobs than it holds is more likely a glitch than
    # a mass deletion: the first check doubles as a probe of the list itself.
    suspect = len(ids) > SUSPECT_UNSEEN and len(ids) > listed
    for number, local_id in enumerate(ids, 1):
        row = cycle.store.get(local_id)
        if row is None or row.uuid is None:
            continue
        cycle.charge(1, f"{len(ids) - number + 1} checks of jobs the scan did not list")
        try:
            job: ServerJob | None = cycle.client.get_job(row.uuid)
        except NotFound:
            job = None
        if suspect and job is not None and _still_listed(job, statuses, user):
            raise ScanStopped(
                f"the server listed {listed} jobs, yet {len(ids)} it should have listed are "
                f"missing and {job.fields.get('job_number') or job.uuid} is still there: the "
                "list is not trusted and nothing was removed", server_fault=True)
        suspect = False
        with cycle.store.write() as conn:
            current = rows_by_uuid(conn, [row.uuid]).get(row.uuid)
            if current is None:
                continue
            if job is None:
                mark_gone(conn, current, now_iso())
            elif apply_remote(conn, current, job, scan,
                              read_at=stamp(cycle.clock())) in APPLIED:
                cycle.report.pulled += 1
        cycle.fresh.add(row.uuid)
        cycle.step("check", number, len(ids))

