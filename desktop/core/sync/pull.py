"""Pull: page through the server's jobs into the mirror, resumably.

A scan's position is committed with the pages it wrote, so a crash resumes at
the next page. A job the scan should have listed but did not is checked with one
GET before anything is removed: offset pages shift while others write, so
absence from a page proves nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection

from desktop.core.api import CustomerPage, JobPage, NotFound, Page
from desktop.core.jobs import ACTIVE_STATUSES, JOB_FIELDS, ServerJob
from desktop.core.store import JobRecord
from desktop.core.store.database import meta_get, meta_put
from desktop.core.store.edits import load, now_iso
from desktop.core.store.mirror import (
    apply_remote,
    insert_server_jobs,
    mark_gone,
    mark_seen,
    rows_by_uuid,
    unchanged,
    unseen_ids,
    upsert_nested_customers,
    write_columns,
)
from desktop.core.store.outbox import Request, adopt, in_flight
from desktop.core.sync.adoption import is_own_create
from desktop.core.sync.cycle import JOB_TROUBLE, Cycle, ScanStopped
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
APPLIED = frozenset({"inserted", "updated", "merged", "conflict"})


def start_scan(cycle: Cycle, kind: str) -> dict[str, Any]:
    """Resume the interrupted scan if there is one, else begin a new one."""
    with cycle.store.write() as conn:
        state: dict[str, Any] | None = meta_get(conn, SCAN_META)
        if state is None:
            number = int(meta_get(conn, SCAN_SEQ_META) or 0) + 1
            meta_put(conn, SCAN_SEQ_META, number)
            state = {"id": number, "kind": kind, "phase": "jobs", "page": 1,
                     "user": cycle.my_user_id if kind == "quick" else None}
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
    statuses = [s.value for s in ACTIVE_STATUSES] if quick else None
    if state["phase"] == "jobs":
        # Soft-deleted jobs stay listed forever with include_deleted, so a quick scan
        # would page through every deletion ever made, each cycle. Without them, a
        # job deleted since the last scan is simply unseen, and its single GET (404)
        # settles it once. Full scans still list deletions, to reconcile everything.
        def fetch(number: int) -> JobPage:
            return cycle.client.list_jobs(number, include_deleted=not quick,
                                          statuses=statuses, assigned_to_user_id=state["user"])

        listed = int(state.get("listed", 0))
        pages = checked_pages(cycle, fetch, state["page"], "jobs")
        with read_ahead(pages, depth=PAGES_PER_WRITE) as ahead:
            for batch in ahead.batches(PAGES_PER_WRITE):
                for unit in write_units(batch):
                    for problem in (p for page in unit for p in page.invalid):
                        log.warning("server sent a job the mirror cannot read: %s", problem)
                        cycle.report.skipped.append(
                            f"unreadable job from the server: {problem}")
                    last = unit[-1]
                    listed += sum(len(page.jobs) for page in unit)
                    _apply_page(cycle, each_once(unit), state["id"], next_state={
                        **state, "page": last.page + 1, "listed": listed})
                    cycle.step("pull", last.page, last.total_pages)
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
            meta_put(conn, "last_full", cycle.clock().isoformat())


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
        summary = any(_is_summary(job) for job in page.jobs)
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


def _is_summary(job: ServerJob) -> bool:
    return len(job.fields) < len(JOB_FIELDS)


def _changed(row: JobRecord | None, job: ServerJob) -> bool:
    if row is None:
        return job.fields.get("deleted_at") is None
    known = row.base if row.base is not None else row.values
    return (job.fields.get("updated_at") is None
            or known.get("updated_at") != job.fields.get("updated_at")
            or known.get("deleted_at") != job.fields.get("deleted_at"))


def _apply_page(cycle: Cycle, jobs: Sequence[ServerJob], scan: int,
                next_state: dict[str, Any]) -> None:
    uuids = [j.uuid for j in jobs]
    with cycle.store.read() as conn:
        same = unchanged(conn, jobs)
        rest = [j for j in jobs if j.uuid not in same]
        summaries = [j for j in rest if _is_summary(j)]
        before = rows_by_uuid(conn, [j.uuid for j in summaries])
    # Summary items carry no more than the list needs; fetch the whole record only
    # for jobs that are new or changed, never for the unchanged majority.
    changed = [job for job in summaries if _changed(before.get(job.uuid), job)]
    # Checked before any of them: a page half fetched would be fetched again.
    cycle.charge(len(changed), "changed jobs")
    full: dict[str, ServerJob | None] = {}
    for job in changed:
        try:
            full[job.uuid] = cycle.client.get_job(job.uuid)
        except NotFound:
            full[job.uuid] = None
    with cycle.store.write() as conn:
        mark_seen(conn, list(same.values()), scan)
        rows = rows_by_uuid(conn, [j.uuid for j in rest])
        upsert_nested_customers(conn, jobs)
        creating = _creates_in_flight(conn)
        new: list[ServerJob] = []
        for job in rest:
            record = full.get(job.uuid, job)
            row = rows.get(job.uuid)
            if record is None:
                continue
            if _is_summary(record):
                if row is not None:
                    write_columns(conn, row.local_id, {"seen_scan": scan})
                continue
            if row is None and creating:
                with one_job(cycle, conn, record.uuid):
                    if _adopt_own_create(conn, creating, record):
                        cycle.report.pushed += 1
                        continue
            if row is None and record.fields.get("deleted_at") is None:
                new.append(record)
                continue
            with one_job(cycle, conn, record.uuid):
                if apply_remote(conn, row, record, scan) in APPLIED:
                    cycle.report.pulled += 1
        cycle.report.pulled += insert_server_jobs(conn, new, scan)
        meta_put(conn, SCAN_META, next_state)
    cycle.fresh.update(uuids)
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


def _adopt_own_create(conn: Connection, creating: list[Request], job: ServerJob) -> bool:
    """A new server job that is this device's own create whose reply was lost."""
    for request in creating:
        if is_own_create(request, job):
            adopt(conn, request, job)
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
            elif apply_remote(conn, current, job, scan) in APPLIED:
                cycle.report.pulled += 1
        cycle.fresh.add(row.uuid)
        cycle.step("check", number, len(ids))

