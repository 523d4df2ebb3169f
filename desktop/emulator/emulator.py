"""``Emulator``: one demo company served over HTTP, with handles for tests to pull."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any, Final

from .clock import Clock, TimeSource, utc_now
from .demo_data import generate, make_locations, make_technicians
from .faults import API_PREFIX, Faults
from .idempotency import IdempotencyCache
from .keys import KeyRing
from .pipeline import Pipeline
from .routes import Routes
from .server import EmulatorServer, LoggedRequest, RequestLog
from .state import CompanyState
from .usage import DEFAULT_MONTHLY_LIMIT, UsageMeter
from .validation import clean_job_body
from .variants import Variants

LOOPBACK: Final = "127.0.0.1"
# Short, so stop() returns in milliseconds: shutdown waits for the loop to look up.
_POLL_SECONDS: Final = 0.01


class Emulator:
    """A Custom Trades CRM API v1 for one seeded company, served on loopback.

    ``start`` binds a free port (or ``port``) and serves from a background thread;
    ``stop`` (or leaving a ``with`` block) closes every connection and joins every
    thread. All helpers are thread-safe and act directly on the server's state,
    without counting usage or appearing in ``requests``.
    """

    def __init__(
        self,
        jobs: int = 200,
        customers: int = 50,
        seed: int = 1,
        api_key: str | None = None,
        *,
        clock: TimeSource = utc_now,
        usage_limit: int = DEFAULT_MONTHLY_LIMIT,
        port: int = 0,
    ) -> None:
        self.clock = Clock(clock)
        demo = generate(jobs=jobs, customers=customers, seed=seed, now=self.clock())
        self.company: dict[str, Any] = demo.company
        self.location_uuids: list[str] = demo.location_uuids
        self.technician_ids: list[str] = demo.technician_ids
        #: The users behind the technician ids, as a nested assigned user shows them.
        self.technicians = make_technicians(demo.technician_ids, seed=seed)
        #: The company's offices, the first one primary (``GET /locations``).
        self.locations = make_locations(demo.location_uuids, seed=seed, now=self.clock())
        self._state = CompanyState(self.clock, demo.customers, demo.jobs)
        self.variants = Variants()
        self.faults = Faults()
        self._keys = KeyRing(api_key)
        self._usage = UsageMeter(self.clock, usage_limit)
        self._log = RequestLog()
        self._pipeline = Pipeline(
            routes=Routes(self._state, self.company, self.variants, self.locations,
                          self.technicians),
            keys=self._keys,
            usage=self._usage,
            idempotency=IdempotencyCache(self.clock),
            faults=self.faults,
            variants=self.variants,
        )
        self._port = port
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        server = EmulatorServer((LOOPBACK, self._port), self._pipeline, self.faults, self._log)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(_POLL_SECONDS,), name="crm-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        thread.join()
        server.close_connections()
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:54321/api/v1``."""
        return f"http://{LOOPBACK}:{self.port}{API_PREFIX}"

    # --- keys and usage -------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        """The key given at construction (or generated then)."""
        return self._keys.first

    def add_key(self, key: str | None = None) -> str:
        """Another live key for the company (generated if ``None``); at most 5 live."""
        return self._keys.add(key)

    def revoke_key(self, key: str) -> None:
        """From now on requests with ``key`` get 401."""
        self._keys.revoke(key)

    @property
    def usage_count(self) -> int:
        """Requests counted this month (of the emulator clock)."""
        return self._usage.count

    @usage_count.setter
    def usage_count(self, value: int) -> None:
        self._usage.count = value

    @property
    def usage_limit(self) -> int:
        return self._usage.limit

    @usage_limit.setter
    def usage_limit(self, value: int) -> None:
        self._usage.limit = value

    # --- introspection --------------------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """Requests served so far, oldest first (the most recent 100,000)."""
        return self._log.entries()

    def clear_requests(self) -> None:
        self._log.clear()

    def job(self, uuid: str) -> dict[str, Any] | None:
        """The server's record of a job (deleted ones too), without the nested customer."""
        return self._state.job(uuid, include_deleted=True)

    def all_jobs(self, *, include_deleted: bool = True) -> list[dict[str, Any]]:
        return self._state.all_jobs(include_deleted=include_deleted)

    def customer(self, uuid: str) -> dict[str, Any] | None:
        return self._state.customer(uuid, include_deleted=True)

    def customers(self, *, include_deleted: bool = True) -> list[dict[str, Any]]:
        return self._state.customers(include_deleted=include_deleted)

    # --- a colleague in the office ----------------------------------------------------------

    def colleague_create(self, **fields: Any) -> dict[str, Any]:
        """Create a job as another user would; the customer and title default.

        Fields are validated as the API would; raises ``ValueError`` naming any refused.
        """
        fields.setdefault("customer_uuid", self._state.any_customer_uuid())
        fields.setdefault("title", "Service call")
        return self._state.create_job(clean_job_body(fields, creating=True))

    def colleague_update(self, uuid: str, **fields: Any) -> dict[str, Any]:
        """Change a live job as another user would; ``updated_at`` moves.

        Raises ``KeyError`` if the job is missing or deleted, ``ValueError`` on bad fields.
        """
        record = self._state.update_job(uuid, clean_job_body(fields, creating=False))
        if record is None:
            raise KeyError(f"no live job {uuid}")
        return record

    def restamp(self, uuid: str, *, created_at: str | None = None,
                updated_at: str | None = None) -> dict[str, Any]:
        """Give a job stamps the server's clock never made (e.g. in the future).

        Raises ``KeyError`` if there is no such job.
        """
        stamps = {k: v for k, v in (("created_at", created_at), ("updated_at", updated_at))
                  if v is not None}
        record = self._state.restamp(uuid, stamps)
        if record is None:
            raise KeyError(f"no job {uuid}")
        return record

    def colleague_delete(self, uuid: str) -> dict[str, Any]:
        """Soft-delete a live job as another user would; raises ``KeyError`` if none."""
        record = self._state.delete_job(uuid)
        if record is None:
            raise KeyError(f"no live job {uuid}")
        return record

    def plant(self, uuid: str, **fields: Any) -> dict[str, Any]:
        """Store values in a live job exactly as given, past the API's validation: a
        refund amount (``estimated_amount="-5"``), ``scheduled_time_start="9am"``, a
        numeric status. A server that checks less than its documentation, an import
        or a bug leaves such values; ``updated_at`` moves as for any change.

        Amounts are stored as text, as the store keeps them. Raises ``KeyError`` if
        there is no live job ``uuid``, ``ValueError`` for ``uuid`` itself (the store
        is keyed by it).
        """
        if "uuid" in fields:
            raise ValueError("plant cannot change a job's uuid")
        record = self._state.update_job(uuid, dict(fields))
        if record is None:
            raise KeyError(f"no live job {uuid}")
        return record
