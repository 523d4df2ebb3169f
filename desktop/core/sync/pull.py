"""Pull: page through the server's jobs into the mirror, resumably.

A scan's position is committed with the pages it wrote, so a crash resumes at
the next page. A job the scan should have listed but did not is checked with one
GET before anything is removed: offset pages shift while others write, so
absence from a page proves nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from desktop.core.api import JobPage, NotFound
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
from desktop.core.sync.cycle import Cycle
from desktop.core.sync.prefetch import read_ahead
from desktop.core.sync.times import server_time

log = logging.getLogger(__name__)

#: Pages written in one transaction at most, when they arrive faster than they are
#: written; also how far the scan reads ahead. A commit writes out every index page
#: its rows touched, so pages written together cost less a job (274 us one at a
#: time, 136 us eight at a time, in a 30,000-job mirror). Four keep the write lock,
#: which an edit in the window waits for, within about 100 ms at 10,000 jobs, and
#: a cancel or crash wastes at most a few requests already made.
PAGES_PER_WRITE = 4

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
    quick = state["kind"] == "quick"
    statuses = [s.value for s in ACTIVE_STATUSES] if quick else None
    if state["phase"] == "jobs":
        # Soft-deleted jobs stay listed forever with include_deleted, so a quick scan
        # would page through every deletion ever made, each cycle. Without them, a
        # job deleted since the last scan is simply unseen, and its single GET (404)
        # settles it once. Full scans still list deletions, to reconcile everything.
        pages = cycle.client.iter_jobs(start=state["page"], include_deleted=not quick,
                                       statuses=statuses, assigned_to_user_id=state["user"])
        with read_ahead(pages, depth=PAGES_PER_WRITE) as ahead:
            for batch in ahead.batches(PAGES_PER_WRITE):
                for unit in write_units(batch):
                    for problem in (p for page in unit for p in page.invalid):
                        log.warning("server sent a job the mirror cannot read: %s", problem)
                        cycle.report.skipped.append(
                            f"unreadable job from the server: {problem}")
                    last = unit[-1]
                    _apply_page(cycle, each_once(unit), state["id"], next_state={
                        **state, "page": last.page + 1})
                    cycle.step("pull", last.page, last.total_pages)
        state = {**state, "phase": "check"}
        cycle.store.put_meta(SCAN_META, state)
    if state["phase"] == "check":
        _check_unseen(cycle, state["id"], statuses, state["user"])
        state = {**state, "phase": "customers", "page": 1}
        cycle.store.put_meta(SCAN_META, state)
    if state["phase"] == "customers" and not quick:
        for cpage in cycle.client.iter_customers(start=state["page"], include_deleted=True):
            cycle.store.upsert_customers(cpage.customers)
            cycle.store.put_meta(SCAN_META, {**state, "page": cpage.page + 1})
    with cycle.store.write() as conn:
        meta_put(conn, SCAN_META, None)
        if not quick:
            meta_put(conn, "last_full", cycle.clock().isoformat())


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
    full: dict[str, ServerJob | None] = {}
    for job in summaries:
        if _changed(before.get(job.uuid), job):
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
            if row is None and creating and _adopt_own_create(conn, creating, record):
                cycle.report.pushed += 1
                continue
            if row is None and record.fields.get("deleted_at") is None:
                new.append(record)
                continue
            if apply_remote(conn, row, record, scan) in APPLIED:
                cycle.report.pulled += 1
        cycle.report.pulled += insert_server_jobs(conn, new, scan)
        meta_put(conn, SCAN_META, next_state)
    cycle.fresh.update(uuids)


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


def _adopt_own_create(conn: Connection, creating: list[Request], job: ServerJob) -> bool:
    """A new server job that is this device's own create whose reply was lost."""
    created = server_time(job.fields.get("created_at"))
    for request in creating:
        if (request.body.get("title"), request.body.get("customer_uuid")) != (
                job.fields.get("title"), job.fields.get("customer_uuid")):
            continue
        floor = server_time(request.server_floor)
        if floor is not None and (created is None or created < floor):
            continue
        adopt(conn, request, job)
        creating.remove(request)
        return True
    return False


def _check_unseen(cycle: Cycle, scan: int, statuses: Sequence[str] | None,
                  user: str | None) -> None:
    with cycle.store.read() as conn:
        ids = unseen_ids(conn, scan, statuses=statuses, assigned_to=user)
    for number, local_id in enumerate(ids, 1):
        row = cycle.store.get(local_id)
        if row is None or row.uuid is None:
            continue
        try:
            job: ServerJob | None = cycle.client.get_job(row.uuid)
        except NotFound:
            job = None
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

