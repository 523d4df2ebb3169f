"""Recognising this device's own create when its reply was lost.

A server may rewrite what it stores (``&`` kept as ``&amp;``, spaces folded) and
may hold jobs stamped by a wrong clock, so a lost create is matched on what the
server cannot rewrite: the customer, the title as a person reads it, and a
creation time after this device's first attempt, judged against the server's
own clock (the ``Date`` of a reply that came before that attempt). A customer is
matched the same way, on its name, email and phone. The key the request went out
under is the first test of all: within its 24 hours, resending it makes the server
answer with the record it made.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from desktop.core.jobs import ServerJob
from desktop.core.store.outbox import Request
from desktop.core.sync.cycle import Cycle
from desktop.core.sync.times import server_time

#: A web front's ``Date`` and a database's ``created_at`` may come from two clocks of
#: the same server; a minute's leeway keeps a small drift between them from hiding
#: the job, and still excludes everything this device had already read.
CLOCK_LEEWAY = timedelta(minutes=1)


def normalised_title(value: object) -> str:
    """A title as a person reads it: entities decoded, case and spacing folded."""
    text = html.unescape(str(value or ""))
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def is_own_create(request: Request, job: ServerJob, created: datetime | None = None) -> bool:
    """Whether ``job`` may be what ``request`` (a POST that may have landed) made.

    ``created``: when the job was created at the latest, where its record does
    not say (a deleted job known only from a summary).
    """
    if request.method != "POST" or not request.sent:
        return False
    if job.fields.get("customer_uuid") != request.body.get("customer_uuid"):
        return False
    if normalised_title(job.fields.get("title")) != normalised_title(request.body.get("title")):
        return False
    if created is None:
        created = server_time(job.fields.get("created_at"))
    return made_after_attempt(request, created)


def made_after_attempt(request: Request, created: datetime | None) -> bool:
    """Whether a record created at ``created`` (server time) may come from
    ``request``'s first attempt: not made before it, by the server's clock."""
    floor = server_time(request.server_floor)
    if floor is None:
        return True
    return created is not None and created >= floor - CLOCK_LEEWAY


def is_own_customer(request: Request, customer: Mapping[str, Any]) -> bool:
    """Whether ``customer`` may be what ``request`` (a POST that may have landed) made:
    the same name as a person reads it, the same email and phone where it sent them,
    created after its first attempt."""
    if request.method != "POST" or not request.sent:
        return False
    for field in ("first_name", "last_name", "email", "phone"):
        sent = request.body.get(field)
        if (field in ("first_name", "last_name") or sent is not None) and (
                normalised_title(customer.get(field)) != normalised_title(sent)):
            return False
    return made_after_attempt(request, server_time(customer.get("created_at")))


def server_floor(cycle: Cycle) -> str | None:
    """A time the server's clock had passed before a request is first sent.

    The ``Date`` of the server's last reply, where it sends one; else the newest
    server stamp in the mirror (which one job stamped in the future can push past
    the real time, so it is only the fallback).
    """
    if cycle.client.server_date is not None:
        return cycle.client.server_date
    with cycle.store.read() as conn:
        value = conn.exec_driver_sql(
            "SELECT max(max(ifnull(updated_at, '')), max(ifnull(created_at, ''))) FROM jobs"
        ).scalar()
    return str(value) if value else None
