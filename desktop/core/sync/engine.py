"""The sync engine: one cycle = pull (as the budget allows) + push, under a lock.

The same code runs for the GUI's worker thread, ``jobdesk sync`` and the tests.
Every step commits before the next request, so a cycle killed at any instant and
run again ends where an uninterrupted one would have.
"""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from desktop.config import Paths, Settings
from desktop.core.api import (
    READ_TIMEOUT,
    ApiClient,
    ApiError,
    AuthError,
    Forbidden,
    NetworkError,
    QuotaExceeded,
    ServerError,
)
from desktop.core.budget import Governor, Quota
from desktop.core.store import Store
from desktop.core.sync.cycle import Cycle, Progress, ScanStopped, SyncCancelled
from desktop.core.sync.lock import SyncBusy, SyncLock
from desktop.core.sync.pull import abandon_scan, pending_scan_kind, run_scan, start_scan
from desktop.core.sync.push import push
from desktop.core.sync.report import SyncReport
from desktop.core.sync.times import server_time

log = logging.getLogger(__name__)

USAGE_META = "usage"
LAST_SYNC_META = "last_sync"
BACKOFF_META = "backoff"
SPENT_META = "spent_today"
BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 300.0
#: Set when the server refused a request because the month is spent: its reset time.
PAUSED_META = "quota_paused"
#: A device's first sync may spend this much of the month once (10,000 jobs listed
#: in full take 100 pages); more than that waits for later cycles.
ONBOARDING_FRACTION = 0.1
#: The vendor's plan, assumed until a reply says what the company's limit is.
DEFAULT_MONTHLY_LIMIT = 50_000


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SyncEngine:
    def __init__(
        self,
        store: Store,
        paths: Paths,
        settings: Settings,
        server_url: str,
        api_key: str,
        *,
        clock: Callable[[], datetime] = _utcnow,
        read_timeout: float = READ_TIMEOUT,
        deadline: float | None = None,
    ) -> None:
        self.store = store
        self.paths = paths
        self.settings = settings
        self.server_url = server_url
        self.api_key = api_key
        self.clock = clock
        self.read_timeout = read_timeout
        #: Each request's limit, connecting to its last byte (None: the client's default).
        self.deadline = deadline
        self.governor = Governor(share_percent=settings.quota_share_percent)
        self._api: ApiClient | None = None
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask a running cycle to stop after its current step (any thread may call).

        Every step has committed before the next begins, so stopping between two is
        as safe as a crash, and the next cycle carries on from there.
        """
        self._cancel.set()

    def run(self, full: bool = False, progress: Progress | None = None, *,
            force: bool = False) -> SyncReport:
        """One cycle. Trouble with the network or the server is reported, not raised.

        ``force`` sends requests even while the server's month is known to be spent
        (one probe: the first refusal pauses again).
        """
        report = SyncReport(kind="full" if full else "quick")
        self._cancel.clear()
        try:
            with SyncLock(self.paths.sync_lock):
                self._locked_cycle(report, full, progress, force)
        except SyncBusy as exc:
            report.status, report.message = "busy", str(exc)
        self._finish(report)
        return report

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
            self._api = None

    def __enter__(self) -> SyncEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _client(self) -> ApiClient:
        # Kept across cycles: its connections stay warm, and building the TLS context
        # costs tens of milliseconds each time.
        if self._api is None:
            self._api = ApiClient(self.server_url, self.api_key,
                                  read_timeout=self.read_timeout, deadline=self.deadline)
        return self._api

    def _locked_cycle(self, report: SyncReport, full: bool, progress: Progress | None,
                      force: bool) -> None:
        try:
            client = self._client()
        except (ApiError, ValueError) as exc:
            report.status, report.message = "auth", str(exc)
            return
        sent_before = client.requests_sent
        cycle = Cycle(store=self.store, client=client, report=report, clock=self.clock,
                      my_user_id=self.settings.my_user_id or None, progress=progress,
                      cancel=self._cancel)
        try:
            paused = self._pause()
            if paused is not None:
                if not force:
                    self._report_paused(report, paused.get("resets_at"))
                    return
                # One cheap request shows whether the month is still spent (it
                # raises QuotaExceeded if so); the cycle goes on only if it is not.
                client.company()
                self.store.put_meta(PAUSED_META, None)
            self._pull_if_allowed(cycle, full)
            push(cycle)
            self._judge_push(cycle)
        except AuthError:
            report.status = "auth"
            report.message = "sign-in needed: the server refused the API key"
        except QuotaExceeded as exc:
            # Every request counts, refused ones too: nothing more goes out until
            # the reset, unless the user asks for one probe.
            self.store.put_meta(PAUSED_META, {"resets_at": exc.resets_at})
            self._report_paused(report, exc.resets_at)
        except Forbidden as exc:
            report.status, report.message = "forbidden", exc.message
        except NetworkError as exc:
            report.status, report.message = "offline", exc.message
        except ServerError as exc:
            report.status, report.message = "error", exc.message
        except SyncCancelled:
            report.status = "cancelled"
            report.message = "stopped before the end; the next sync carries on from there"
        finally:
            report.requests = client.requests_sent - sent_before
            if client.usage is not None:
                # Kept once per cycle, not per reply: a commit per request would cost
                # more than the figure is worth if a crash lost the last one.
                report.usage = asdict(client.usage)
                self.store.put_meta(USAGE_META, report.usage)

    def _pause(self) -> dict[str, Any] | None:
        """The server's word that the month is spent, while its reset has not come."""
        paused: dict[str, Any] | None = self.store.get_meta(PAUSED_META)
        if paused is None:
            return None
        resets = server_time(paused.get("resets_at"))
        if resets is not None and resets <= self.clock():
            self.store.put_meta(PAUSED_META, None)
            return None
        return paused

    def _report_paused(self, report: SyncReport, resets_at: str | None) -> None:
        resets = server_time(resets_at)
        report.status = "quota"
        report.message = (f"quota paused until {resets_at or 'the 1st of next month'}: the "
                          "company's requests for the month are spent; sync resumes then")
        report.resumes_at = resets.isoformat() if resets is not None else None
        if resets is not None:
            report.retry_after = max(60.0, (resets - self.clock()).total_seconds())

    def _judge_push(self, cycle: Cycle) -> None:
        """A cycle that sent nothing it had to send, for server errors, has failed."""
        report = cycle.report
        if report.push_failed and not report.pushed:
            report.status = "error"
            report.message = (f"the server failed to take {report.push_failed} change(s); "
                              "they are kept here and sent again later")
        elif report.scan_problem is not None:
            report.status = "error"
            report.message = f"the server's list was not trusted: {report.scan_problem}"

    def _quota(self) -> Quota | None:
        usage = self.store.get_meta(USAGE_META)
        if not usage:
            return None
        resets = server_time(usage.get("resets_at"))
        if resets is None:
            return None
        return Quota(count=int(usage["count"]), limit=int(usage["limit"]), resets_at=resets)

    def _spent_today(self) -> int:
        spent = self.store.get_meta(SPENT_META) or {}
        today = self.clock().date().isoformat()
        return int(spent.get("requests", 0)) if spent.get("day") == today else 0

    def _cost(self, kind: str) -> int:
        """Requests the last scan of this kind took (a guess before the first one)."""
        return int(self.store.get_meta(f"{kind}_cost") or (100 if kind == "full" else 5))

    def _pull_if_allowed(self, cycle: Cycle, full_requested: bool) -> None:
        report = cycle.report
        now = self.clock()
        quota, spent = self._quota(), self._spent_today()
        # Written with this engine's own clock, so read back without the server-time
        # parser: it only ever meets that same clock.
        stamp = self.store.get_meta("last_full")
        last_full = datetime.fromisoformat(stamp) if stamp else None
        kind = pending_scan_kind(cycle)
        if kind == "quick" and full_requested:
            abandon_scan(cycle)  # a full scan covers everything the quick one would
            kind = None
        if kind is None:
            kind = "full" if full_requested or last_full is None else "quick"
            if kind == "quick" and self.governor.full_due(last_full, now):
                if self.governor.may_pull(quota, now, spent, self._cost("full")).allowed:
                    kind = "full"
                else:
                    report.skipped.append("full reconciliation deferred: budget")
        decision = self.governor.may_pull(quota, now, spent, self._cost(kind))
        if not decision.allowed and not (last_full is None and not self.governor.in_reserve(
                quota)):
            report.skipped.append(f"pull skipped: {decision.reason}")
            return
        report.kind = kind
        before = cycle.pull_start = cycle.client.requests_sent
        cycle.pull_budget = self._pull_budget(quota, now, spent, onboarding=last_full is None)
        try:
            run_scan(cycle, start_scan(cycle, kind))
        except ScanStopped as exc:
            report.skipped.append(f"scan stopped: {exc.reason}")
            log.warning("scan stopped: %s", exc.reason)
            if exc.server_fault:
                # A broken list cannot be resumed into; the next scan starts afresh.
                abandon_scan(cycle)
                report.scan_problem = exc.reason
            return
        self.store.put_meta(f"{kind}_cost", cycle.client.requests_sent - before)
        if kind == "full":
            self.store.checkpoint()

    def _pull_budget(self, quota: Quota | None, now: datetime, spent: int, *,
                     onboarding: bool) -> float:
        """Requests this cycle's pull may send: what is left of today's share, or for
        a device's first sync a one-time slice of the month (a scan that outgrows
        either stops and resumes on a later cycle)."""
        limit = quota.limit if quota is not None else DEFAULT_MONTHLY_LIMIT
        if onboarding:
            return ONBOARDING_FRACTION * limit
        left = self.governor.daily_allowance(quota, now) - spent
        return left if left != math.inf else ONBOARDING_FRACTION * limit

    def _finish(self, report: SyncReport) -> None:
        counts = self.store.count_by_sync_state()
        report.conflicts = counts.get("conflict", 0)
        report.rejected = counts.get("rejected", 0)
        if report.usage is None:
            report.usage = self.store.get_meta(USAGE_META)
        now = self.clock()
        today = now.date().isoformat()
        spent = self._spent_today() + report.requests
        self.store.put_meta(SPENT_META, {"day": today, "requests": spent})
        failures = int((self.store.get_meta(BACKOFF_META) or {}).get("failures", 0))
        if report.status in ("offline", "error") or report.push_failed:
            failures += 1
            delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (failures - 1))
            # Jitter spreads the retries of many laptops after a shared outage.
            report.retry_after = delay * random.uniform(0.5, 1.5)
        elif report.status == "ok":
            failures = 0
        self.store.put_meta(BACKOFF_META, {"failures": failures})
        if report.status == "ok" and not report.message:
            report.message = _summary(report)
        if report.status != "busy":
            self.store.put_meta(LAST_SYNC_META, {**report.to_json(),
                                                 "finished_at": now.isoformat()})
        log.info("sync %s: %s", report.status, report.message)


def _summary(report: SyncReport) -> str:
    parts = [f"{report.pushed} sent", f"{report.pulled} received"]
    if report.conflicts:
        parts.append(f"{report.conflicts} in conflict")
    if report.rejected:
        parts.append(f"{report.rejected} rejected")
    if report.flagged:
        parts.append(f"{report.flagged} kept with a value out of range")
    if report.push_failed:
        parts.append(f"{report.push_failed} not taken by the server, sent again later")
    return ", ".join(parts)

