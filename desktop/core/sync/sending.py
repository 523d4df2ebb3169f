"""One outbox request sent and its answer written, for every kind of record.

The server's answers mean the same for a job and a customer (contract point 6):
a network failure keeps the request (and marks it unsent when it surely never
left), a 5xx keeps it and notes the failure, both stopping the push; a 400 or a
404 is that record's alone. Only what each means for the record differs, and the
caller says that (``Outcomes``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Connection

from desktop.core.api import NetworkError, NotFound, ServerError, ValidationError
from desktop.core.store.outbox import Request, mark_failed, mark_not_sent
from desktop.core.sync.cycle import Cycle

T = TypeVar("T")


@dataclass(frozen=True)
class Outcomes(Generic[T]):
    """What each answer does to the record, inside the write that records it."""

    #: 400: the server's message.
    rejected: Callable[[Connection, Request, str], object]
    #: 404: the record is not (or no longer) on the server.
    vanished: Callable[[Connection, Request], object]
    #: Success: the server's reply.
    confirmed: Callable[[Connection, Request, T], object]


def send(cycle: Cycle, request: Request, call: Callable[[], T], outcomes: Outcomes[T]) -> None:
    """Send ``request`` (``call`` makes the HTTP request) and write its answer.

    Raises ``NetworkError`` and ``ServerError`` after keeping the request, for the
    push to stop and retry later.
    """
    try:
        reply = call()
    except NetworkError as exc:
        if not exc.maybe_delivered:
            with cycle.store.write() as conn:
                mark_not_sent(conn, request)
        raise
    except ValidationError as exc:
        with cycle.store.write() as conn:
            outcomes.rejected(conn, request, exc.message)
        return
    except NotFound:
        with cycle.store.write() as conn:
            outcomes.vanished(conn, request)
        return
    except ServerError as exc:
        with cycle.store.write() as conn:
            mark_failed(conn, request, exc.message)
        raise
    with cycle.store.write() as conn:
        outcomes.confirmed(conn, request, reply)
    cycle.report.pushed += 1
