"""Recognising this device's own create when its reply was lost.

A server may rewrite what it stores (``&`` kept as ``&amp;``, spaces folded) and
may hold jobs stamped by a wrong clock, so a lost create is matched on what the
server cannot rewrite: the customer, the title as a person reads it, and a
creation time after this device's first attempt, judged against the server's
own clock (the ``Date`` of a reply that came before that attempt). The key the
request went out under is the first test of all: within its 24 hours, resending
it makes the server answer with the job it made.
"""

from __future__ import annotations

import html
import unicodedata
from datetime import datetime, timedelta

from desktop.core.jobs import ServerJob
from desktop.core.store.outbox import Request
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
    floor = server_time(request.server_floor)
    if floor is None:
        return True
    if created is None:
        created = server_time(job.fields.get("created_at"))
    return created is not None and created >= floor - CLOCK_LEEWAY
