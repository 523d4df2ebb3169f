"""Push: send every pending local change, each under its stored idempotency key.

One request per changed job. A PUT has no precondition in this API, so a job whose
server record this cycle has not read yet is read first and merged; a create whose
outcome is unknown is looked up before it is sent again, in case the server has
forgotten its key. A rejected or conflicted job never holds up the ones behind it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from desktop.core.api import NotFound, ServerError
from desktop.core.jobs import JOB_FIELDS, ServerJob, parse_server_job
from desktop.core.store.customer_edits import load_customer
from desktop.core.store.customer_sync import customer_queue, set_customer_aside
from desktop.core.store.edits import load, now_iso
from desktop.core.store.mirror import apply_remote, has_local_changes, mark_gone, rows_by_uuid
from desktop.core.store.outbox import (
    Queued,
    Request,
    adopt,
    build,
    confirm,
    in_flight,
    queue,
    record,
    reject,
    set_aside,
)
from desktop.core.sync.adoption import is_own_create, normalised_title, server_floor
from desktop.core.sync.cycle import JOB_TROUBLE, Cycle
from desktop.core.sync.details import stamp
from desktop.core.sync.push_customers import push_customer
from desktop.core.sync.sending import Outcomes, send
from desktop.core.sync.times import server_time

log = logging.getLogger(__name__)

#: Rounds over the queue: a job edited while its request was in flight goes out
#: again in the same cycle, as its own request.
ROUNDS = 3
#: Two server errors in a row mean the server is down, not that one job is odd.
SERVER_ERRORS_TO_STOP = 2


@dataclass(frozen=True)
class _Queue:
    """One kind of row that may owe the server a request, and how each is sent."""

    queue: Callable[[Connection], list[int]]
    push_one: Callable[[Cycle, int], None]
    load: Callable[[Connection, int], Queued | None]
    set_aside: Callable[[Connection, int, str], None]


def push(cycle: Cycle) -> None:
    """Customers first: a job for a customer created here is held out of the job
    queue until the server has that customer, so it goes out in the same cycle,
    after it, with its uuid."""
    _drain(cycle, _Queue(customer_queue, push_customer, load_customer, set_customer_aside))
    _drain(cycle, _Queue(queue, _push_one, load, set_aside))


def _drain(cycle: Cycle, kind: _Queue) -> None:
    tried: set[int] = set()
    server_errors = 0
    for _ in range(ROUNDS):
        with cycle.store.read() as conn:
            todo = [i for i in kind.queue(conn) if i not in tried]
        if not todo:
            return
        for number, local_id in enumerate(todo, 1):
            tried.add(local_id)
            try:
                kind.push_one(cycle, local_id)
                server_errors = 0
            except ServerError as exc:
                cycle.report.push_failed += 1
                server_errors += 1
                if server_errors >= SERVER_ERRORS_TO_STOP:
                    raise
                log.warning("server error pushing %d: %s", local_id, exc.message)
            except JOB_TROUBLE as exc:
                log.exception("%d could not be sent", local_id)
                with cycle.store.write() as conn:
                    kind.set_aside(conn, local_id, f"could not be sent: {exc}")
            cycle.step("push", number, len(todo))
        with cycle.store.read() as conn:
            tried = {i for i in tried if _still_failing(kind.load(conn, i))}


def _still_failing(row: Queued | None) -> bool:
    return row is not None and row.idempotency_key is not None


def _push_one(cycle: Cycle, local_id: int) -> None:
    row = cycle.store.get(local_id)
    if row is None:
        return
    request = in_flight(row)
    if request is None:
        if row.pending_op == "update" and row.uuid is not None and row.uuid not in cycle.fresh:
            if not _refresh(cycle, row.uuid):
                return
            row = cycle.store.get(local_id)
            if row is None or row.sync_state not in ("pending", "conflict"):
                return
        request = build(row, server_floor(cycle))
        if request is None:
            return
        with cycle.store.write() as conn:
            record(conn, request)
    elif request.method == "POST" and request.sent:
        read_at = stamp(cycle.clock())
        found = _find_created(cycle, request)
        if found is not None:
            with cycle.store.write() as conn:
                adopt(conn, request, found, read_at=read_at)
            cycle.report.pushed += 1
            return
    _send(cycle, request)


def _refresh(cycle: Cycle, uuid: str) -> bool:
    """Read a job before updating it; False if it turned out gone (now a conflict)."""
    # Taken before the request: the details are at least as fresh as that.
    read_at = stamp(cycle.clock())
    try:
        job: ServerJob | None = cycle.client.get_job(uuid)
    except NotFound:
        job = None
    with cycle.store.write() as conn:
        row = rows_by_uuid(conn, [uuid]).get(uuid)
        if row is None:
            return False
        if job is None:
            mark_gone(conn, row, now_iso())
            return False
        apply_remote(conn, row, job, read_at=read_at)
    cycle.fresh.add(uuid)
    return True


def _send(cycle: Cycle, request: Request) -> None:
    client = cycle.client
    read_at = stamp(cycle.clock())

    def call() -> ServerJob | None:
        if request.method == "POST":
            return client.create_job(request.body, request.key)
        if request.method == "PUT":
            return client.update_job(str(request.uuid), request.body, request.key)
        client.delete_job(str(request.uuid), request.key)
        return None

    def vanished(conn: Connection, request: Request) -> None:
        if request.method == "DELETE":
            confirm(conn, request, None)  # 404 on a delete: done
            return
        row = rows_by_uuid(conn, [str(request.uuid)]).get(str(request.uuid))
        if row is not None:
            mark_gone(conn, row, now_iso())

    def confirmed(conn: Connection, request: Request, job: ServerJob | None) -> None:
        confirm(conn, request, job, read_at=read_at)
        if job is not None:
            cycle.fresh.add(job.uuid)

    send(cycle, request, call, Outcomes(rejected=reject, vanished=vanished,
                                        confirmed=confirmed))


def _find_created(cycle: Cycle, request: Request) -> ServerJob | None:
    """The job an earlier attempt of this create made, if the server has it.

    Searched by customer and one word of the title: the server's search may not
    find a title it stored rewritten (``&amp;``), but a plain word survives.
    """
    title = request.body.get("title")
    customer = request.body.get("customer_uuid")
    if not title or not customer:
        return None
    page = cycle.client.list_jobs(1, search=_search_word(str(title)),
                                  customer_uuid=str(customer), include_deleted=True)
    named = [j for j in page.jobs
             if normalised_title(j.fields.get("title")) == normalised_title(title)
             and j.fields.get("customer_uuid") == customer]
    with cycle.store.read() as conn:
        mapped = rows_by_uuid(conn, [j.uuid for j in named])
    matches = []
    for listed in named:
        known = mapped.get(listed.uuid)
        # A copy a scan mirrored without knowing it was this create is still a
        # candidate; a job with local history of its own is someone else's.
        if known is not None and has_local_changes(known):
            continue
        found = _whole(cycle, request, listed)
        if found is None:
            continue
        job, created = found
        if not is_own_create(request, job, created):
            continue
        matches.append((str(created), job))
    if not matches:
        return None
    return min(matches, key=lambda match: match[0])[1]


def _search_word(title: str) -> str | None:
    """The title's longest plain word, which a server's rewriting leaves alone."""
    words = re.findall(r"[^\W_]{3,}", title)
    return max(words, key=len) if words else None


def _whole(cycle: Cycle, request: Request,
           listed: ServerJob) -> tuple[ServerJob, datetime | None] | None:
    """The whole record of a job a search listed (perhaps as a summary), and when it
    was created, at the latest.

    A summary of a job deleted since (or listed deleted) can no longer be read. It
    may be this very create, deleted by a colleague: it is then rebuilt from what
    this device sent and what the summary says, and dated by its last update (it
    was created no later), so that it is adopted rather than created again.
    """
    if len(listed.fields) == len(JOB_FIELDS):
        return listed, server_time(listed.fields.get("created_at"))
    try:
        job = cycle.client.get_job(listed.uuid)
    except NotFound:
        sent = parse_server_job({**request.body, "uuid": listed.uuid})
        rebuilt = ServerJob(fields={**sent.fields, **listed.fields},
                            customer=listed.customer, extras=sent.extras)
        return rebuilt, server_time(listed.fields.get("updated_at"))
    return job, server_time(job.fields.get("created_at"))
