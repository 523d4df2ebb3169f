"""The sync engine: one cycle = push and pull, in the order the budget calls for, under a lock.

The same code runs for the GUI's worker thread, ``jobdesk sync`` and the tests.
Every step commits before the next request, so a cycle killed at any instant and
run again ends where an uninterrupted one would have.

A cycle's order: local changes go first when the budget is short (they are never
refused, and what they cost comes out of the pull); then the scan the governor
plans (the first sync's full scan on the onboarding allowance, the reconciliation
round due when it fits beside the next quick scan's reserve, else the quick scan);
then detail refreshes and trickle from what is left above that reserve.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
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
    Usage,
    ValidationError,
)
from desktop.core.budget import (
    COST_WEIGHT,
    PROMISED_GAP_S,
    Bucket,
    Governor,
    Plan,
    Quota,
    Spending,
)
from desktop.core.company import refresh_company
from desktop.core.jobs import ACTIVE_STATUS_VALUES
from desktop.core.store import JobQuery, JobRecord, Store
from desktop.core.sync.cycle import Cycle, Progress, ScanStopped, SyncCancelled
from desktop.core.sync.details import (
    demote_stale,
    fetch_details,
    read_spare,
    refresh_details,
    upkeep_guess,
    worst_staleness,
)
from desktop.core.sync.lock import SyncBusy, SyncLock
from desktop.core.sync.pull import (
    LAST_OWN_META,
    ROUNDS,
    abandon_scan,
    pending_scan_kind,
    run_scan,
    start_scan,
)
from desktop.core.sync.push import push
from desktop.core.sync.report import SyncReport
from desktop.core.sync.times import server_time

log = logging.getLogger(__name__)

USAGE_META = "usage"
LAST_SYNC_META = "last_sync"
BACKOFF_META = "backoff"
#: The governor's state: bucket, learned spending, onboarding allowance.
GOVERNOR_META = "governor"
BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 300.0
#: When the last scan began, by the engine's clock: quick scans are paced from it.
SCANNED_META = "scanned_at"
#: Set when the server refused a request because the month is spent: its reset time.
PAUSED_META = "quota_paused"
#: Items in a list page: every scan asks for the API's maximum.
PAGE_SIZE = 100
#: A push may cost a GET (its base is stale) besides its own request.
REQUESTS_PER_PUSH = 2
#: The settings' default share means "learn it"; any other value is the user's.
_DEFAULT_SHARE = next(f.default for f in fields(Settings) if f.name == "quota_share_percent")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Budget:
    """The governor's figures as they stand now (for status displays and tests)."""

    tokens: float
    rate: float
    capacity: float
    share: float
    onboarding_left: float | None
    #: What a quick scan usually costs here.
    quick_cost: float = 0.0


@dataclass
class _GovernorState:
    bucket: Bucket | None = None
    spending: Spending = field(default_factory=Spending)
    #: This device's requests sent after the last reply it observed.
    unobserved: int = 0
    #: What is left of the first sync's allowance (None: not granted yet).
    onboarding_left: float | None = None

    @classmethod
    def load(cls, raw: dict[str, Any] | None) -> _GovernorState:
        if not raw:
            return cls()
        bucket = raw.get("bucket")
        spending = raw.get("spending") or {}
        seen = spending.get("at")
        return cls(
            bucket=None if not bucket else Bucket(
                float(bucket["tokens"]), datetime.fromisoformat(bucket["at"]),
                float(bucket.get("pot", 0.0))),
            spending=Spending(mine=float(spending.get("mine", 0.0)),
                              others=float(spending.get("others", 0.0)),
                              count=spending.get("count"),
                              at=datetime.fromisoformat(seen) if seen else None,
                              spent=float(spending.get("spent", 0.0)),
                              hours=float(spending.get("hours", 0.0))),
            unobserved=int(raw.get("unobserved", 0)),
            onboarding_left=raw.get("onboarding_left"))

    def dump(self) -> dict[str, Any]:
        # Written and read with this engine's own clock only, never the server's.
        bucket = self.bucket
        spending = self.spending
        return {
            "bucket": None if bucket is None else {
                "tokens": bucket.tokens, "at": bucket.at.isoformat(), "pot": bucket.pot},
            "spending": {"mine": spending.mine, "others": spending.others,
                         "spent": spending.spent, "hours": spending.hours,
                         "count": spending.count,
                         "at": spending.at.isoformat() if spending.at else None},
            "unobserved": self.unobserved,
            "onboarding_left": self.onboarding_left,
        }


@dataclass
class _Books:
    """One cycle's accounts: what it started with and where its requests went."""

    state: _GovernorState
    #: The bucket as refilled when the cycle began.
    bucket: Bucket
    #: The first sync's allowance left when the cycle began (None: not a first sync).
    onboarding: float | None
    #: ``requests_sent`` and the engine's last observed reply when the cycle began.
    sent_before: int
    reply_before: int
    #: ``requests_sent`` when this cycle's onboarding scan began and ended.
    onboarding_span: tuple[int, int | None] | None = None
    #: The device's refill rate (requests an hour) and the bucket's capacity.
    rate: float = 0.0
    capacity: float = 0.0

    def onboarding_paid(self, requests_sent: int) -> int:
        """This cycle's requests the first sync's allowance pays for."""
        if self.onboarding is None or self.onboarding_span is None:
            return 0
        began, ended = self.onboarding_span
        spent = (requests_sent if ended is None else ended) - began
        return max(0, min(spent, int(self.onboarding)))


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
        share = settings.quota_share_percent
        self.governor = Governor(share_percent=None if share == _DEFAULT_SHARE else share)
        self._api: ApiClient | None = None
        self._cancel = threading.Event()
        #: ``requests_sent`` when the last reply carrying usage figures came.
        self._reply_sent = 0

    def cancel(self) -> None:
        """Ask a running cycle to stop after its current step (any thread may call).

        Every step has committed before the next begins, so stopping between two is
        as safe as a crash, and the next cycle carries on from there.
        """
        self._cancel.set()

    def run(self, full: bool = False, progress: Progress | None = None, *,
            force: bool = False, explicit: bool = False) -> SyncReport:
        """One cycle. Trouble with the network or the server is reported, not raised.

        ``explicit``: the user asked for this sync, so it runs at least the quick scan
        whatever the bucket holds (unless the company is in its reserve). ``force``
        is the user's too: it also sends requests while the server's month is known
        to be spent (one probe: the first refusal pauses again).
        """
        report = SyncReport(kind="full" if full else "quick")
        self._cancel.clear()
        try:
            with SyncLock(self.paths.sync_lock):
                self._locked_cycle(report, full, progress, force, explicit or force)
                # Still under the lock: the back-off and the last sync's record are
                # the lock holder's to read and write.
                self._finish(report)
        except SyncBusy as exc:
            report.status, report.message = "busy", str(exc)
            self._report_busy(report)
        return report

    def read_details(self, local_id: int) -> JobRecord | None:
        """One job's whole record read now (a summary-only job opened online).

        The cycle's client and books: the GET is paid from this device's bucket and
        counted as its own when the company's count is next learned from, so what
        the window reads on demand is never taken for another device's spending.
        A month the server has said is spent sends nothing. Raises ``SyncBusy`` and
        the client's errors (offline, quota, sign-in) for the caller to show.
        """
        with SyncLock(self.paths.sync_lock):
            paused = self._pause()
            if paused is not None:
                raise QuotaExceeded("the company's requests for the month are spent", 403,
                                    paused.get("resets_at"))
            client = self._client()
            before = client.requests_sent
            try:
                return fetch_details(client, self.store, local_id, self.clock())
            except QuotaExceeded as exc:
                self.store.put_meta(PAUSED_META, {"resets_at": exc.resets_at})
                raise
            finally:
                self._pay_outside_cycle(client.requests_sent - before)

    def _pay_outside_cycle(self, spent: int) -> None:
        if not spent:
            return
        state = _GovernorState.load(self.store.get_meta(GOVERNOR_META))
        bucket, _, _ = self._refilled(state, self._quota(), self.clock())
        # Counted as this device's own at the next usage figure a cycle learns from.
        state.unobserved += spent
        self._save_state(state, bucket.spend(spent), state.onboarding_left)

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
                                  read_timeout=self.read_timeout, deadline=self.deadline,
                                  on_usage=self._on_usage)
            self._reply_sent = 0
        return self._api

    def _on_usage(self, usage: Usage) -> None:
        # May run on the read-ahead thread: one attribute store, no I/O.
        if self._api is not None:
            self._reply_sent = self._api.requests_sent

    # --- the governor's state ---------------------------------------------------

    def budget(self) -> Budget:
        """What the governor would allow if a cycle started now."""
        state = _GovernorState.load(self.store.get_meta(GOVERNOR_META))
        quota, now = self._quota(), self.clock()
        bucket, rate, capacity = self._refilled(state, quota, now)
        share = self.governor.share(state.spending, self.scan_cost("upkeep"),
                                    self.governor.company_rate(quota, now))
        return Budget(bucket.tokens, rate, capacity, share,
                      self._onboarding_left(state, quota), self.scan_cost("quick"))

    def _refilled(self, state: _GovernorState, quota: Quota | None,
                  now: datetime) -> tuple[Bucket, float, float]:
        quick = self.scan_cost("quick")
        rate = self.governor.rate(quota, now, state.spending, quick, self.scan_cost("upkeep"))
        capacity = self.governor.capacity(rate, quick)
        # A new device starts with a full bucket: its first hour is its own.
        bucket = state.bucket or Bucket(capacity, now)
        return bucket.refilled(now, rate, capacity, self.scan_cost("full")), rate, capacity

    def _onboarding_left(self, state: _GovernorState, quota: Quota | None) -> float | None:
        """The first sync's allowance while the mirror has never completed a full scan."""
        if self.store.get_meta("last_full"):
            return None
        if state.onboarding_left is not None:
            return float(state.onboarding_left)
        return self.governor.onboarding_allowance(quota)

    # --- the cycle -------------------------------------------------------------

    def _locked_cycle(self, report: SyncReport, full: bool, progress: Progress | None,
                      force: bool, explicit: bool) -> None:
        try:
            client = self._client()
        except (ApiError, ValueError) as exc:
            report.status, report.message = "auth", str(exc)
            return
        if self._wait_asked(report, explicit):
            return
        sent_before = client.requests_sent
        _forget_retry_after(client)
        cycle = Cycle(store=self.store, client=client, report=report, clock=self.clock,
                      my_user_id=self.settings.my_user_id or None, progress=progress,
                      cancel=self._cancel)
        quota = self._quota()
        state = _GovernorState.load(self.store.get_meta(GOVERNOR_META))
        bucket, rate, capacity = self._refilled(state, quota, self.clock())
        books = _Books(state, bucket, self._onboarding_left(state, quota), sent_before,
                       self._reply_sent, rate=rate, capacity=capacity)
        pending = self.store.count_by_sync_state().get("pending", 0)
        # Held before anything is sent: a crash from here on loses what the bucket
        # held (at most an hour's refill), and never lets a request go unpaid. The
        # onboarding allowance is not held: a first sync killed midway resumes on it.
        self._save_state(state, Bucket(min(0.0, bucket.tokens) - REQUESTS_PER_PUSH * pending,
                                       bucket.at), books.onboarding)
        try:
            # Before anything is sent, and offline too: it costs no request, and a
            # job whose details are past their bound is then shown as such.
            demote_stale(self.store, self.clock(), self.settings.my_user_id or None)
            paused = self._pause()
            if paused is not None:
                if not force:
                    self._report_paused(report, paused.get("resets_at"))
                    return
                # One cheap request shows whether the month is still spent (it
                # raises QuotaExceeded if so); the cycle goes on only if it is not.
                client.company()
                self.store.put_meta(PAUSED_META, None)
            # Local changes first when the budget cannot pay for them and a scan too.
            short = bucket.tokens < self.scan_cost("quick") + REQUESTS_PER_PUSH * pending
            pushed_first = short and pending > 0
            if pushed_first:
                push(cycle)
            spent = client.requests_sent - sent_before
            self._pull(cycle, books, full=full, explicit=explicit, quota=quota,
                       bucket=bucket.spend(spent))
            if not pushed_first:
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
        except ValidationError as exc:
            # A list request refused (a technician id the server does not take): one
            # job's 400 is that job's, handled in the push; this one is the scan's.
            report.status = "error"
            report.message = f"the server refused the scan: {exc.message}"
        except SyncCancelled:
            report.status = "cancelled"
            report.message = "stopped before the end; the next sync carries on from there"
        finally:
            report.requests = client.requests_sent - sent_before
            if client.retry_after is not None:
                report.retry_after = client.retry_after
            self._settle(books, report, client)
            if client.usage is not None:
                # Kept once per cycle, not per reply: a commit per request would cost
                # more than the figure is worth if a crash lost the last one.
                report.usage = asdict(client.usage)
                self.store.put_meta(USAGE_META, report.usage)

    def _settle(self, books: _Books, report: SyncReport, client: ApiClient) -> None:
        """Pay for what the cycle sent, and learn from what the company's count did."""
        state, requests = books.state, report.requests
        onboarding_spent = books.onboarding_paid(client.requests_sent)
        sent_before, reply_before = books.sent_before, books.reply_before
        if self._reply_sent > reply_before and client.usage is not None:
            own = state.unobserved + self._reply_sent - sent_before
            # The first sync's requests are not this device's usual spending.
            counted = max(0, own - onboarding_spent)
            now = self.clock()
            company = self.governor.company_rate(self._quota(), now)
            if onboarding_spent:
                # Nor is what the others spent meanwhile a measure of this device's
                # share, its own side of the ratio missing: learning starts afresh.
                state.spending = Spending.started(client.usage.count, now, company,
                                                  self.governor.need(self.scan_cost("upkeep")))
            else:
                state.spending = state.spending.observe(
                    client.usage.count, own, now, counted=counted, company_rate=company)
            state.unobserved = client.requests_sent - self._reply_sent
        else:
            state.unobserved += requests
        left = None if books.onboarding is None else books.onboarding - onboarding_spent
        if self.store.get_meta("last_full"):
            left = 0.0  # onboarding is over; a rebuilt mirror is a new store
        # The pot pays only for the reconciliation rounds it was saved for.
        self._save_state(state, books.bucket.spend(requests - onboarding_spent,
                                             from_pot=report.kind in ROUNDS), left)

    def _save_state(self, state: _GovernorState, bucket: Bucket,
                    onboarding: float | None) -> None:
        state.bucket = bucket
        state.onboarding_left = onboarding
        self.store.put_meta(GOVERNOR_META, state.dump())

    def _wait_asked(self, report: SyncReport, explicit: bool) -> bool:
        """Whether the server's ``Retry-After`` still holds this (unasked-for) cycle back."""
        until_text = (self.store.get_meta(BACKOFF_META) or {}).get("until")
        if not until_text or explicit:
            return False
        left = (datetime.fromisoformat(until_text) - self.clock()).total_seconds()
        if left <= 0:
            return False
        report.status = "error"
        report.message = (f"the server asked for a pause; sync resumes in {left:.0f} s")
        report.retry_after = left
        return True

    def _pull(self, cycle: Cycle, books: _Books, *, full: bool, explicit: bool,
              quota: Quota | None, bucket: Bucket) -> None:
        """The planned scan, then detail refreshes and trickle from what is left."""
        report = cycle.report
        now = self.clock()
        onboarding = books.onboarding
        pending = pending_scan_kind(cycle)
        if full and pending in ("quick", "own"):
            abandon_scan(cycle)  # a full scan covers everything the others would
            pending = None
        due = ("full" if full else pending if pending in ROUNDS
               else self.governor.round_due(
                   last_full=self._stamp("last_full"), last_own=self._stamp(LAST_OWN_META),
                   now=now, technician=bool(cycle.my_user_id), quota=quota))
        quick_cost = self.scan_cost("quick")
        pace_left = self._pace_left(quick_cost, books, bucket, quota, now)
        plan = self.governor.plan(quota=quota, bucket=bucket, quick_cost=quick_cost,
                                  round_cost=self.scan_cost(due or "full"), round_due=due,
                                  explicit=explicit, onboarding_left=onboarding,
                                  pace_left_s=pace_left, borrow=books.capacity)
        report.skipped.extend(plan.skipped)
        if plan.scan is None:
            # Come back as soon as a scan is due, not a whole interval later.
            report.retry_after = self.governor.wait_for_quick(
                bucket.tokens, quick_cost, books.rate, pace_left_s=pace_left,
                borrow=books.capacity)
            return
        if pending in ROUNDS and plan.scan == "quick":
            # An interrupted round the budget cannot finish now would keep the
            # quick scan from running: it starts again when it fits.
            abandon_scan(cycle)
        began = cycle.client.requests_sent
        if plan.onboarding:
            books.onboarding_span = (began, None)
        finished = self._scan(cycle, plan)
        if finished and plan.onboarding and cycle.my_user_id:
            # A technician's first sync ends with its quick scan, which reads the
            # technician's active jobs whole (the full scan's summaries did not say
            # whose they are): setting the device up, not a day's spending, which
            # the share is learned from.
            used = cycle.client.requests_sent - began
            finished = self._scan(cycle, replace(plan, scan="quick", budget=plan.budget - used))
            cycle.report.kind = plan.scan
        spent = cycle.client.requests_sent - began
        paid = 0
        if plan.onboarding:
            books.onboarding_span = (began, cycle.client.requests_sent)
            paid = min(spent, int(onboarding or 0))
        if not finished:
            return
        left = bucket.spend(spent - paid, from_pot=plan.scan in ROUNDS)
        refill = books.rate * self.settings.sync_interval_minutes / 60
        refreshed = self._discretionary(
            cycle, self.governor.discretionary(left.tokens, quick_cost),
            self.governor.spill(left, books.capacity, self.scan_cost("full"), refill))
        if plan.scan == "quick" and not plan.onboarding:
            self._record_cost("upkeep", spent + refreshed)

    def _stamp(self, key: str) -> datetime | None:
        # Written with this engine's own clock, so read back without the server-time
        # parser: it only ever meets that same clock.
        stamp = self.store.get_meta(key)
        return datetime.fromisoformat(stamp) if stamp else None

    def _pace_left(self, quick_cost: float, books: _Books, bucket: Bucket,
                   quota: Quota | None, now: datetime) -> float:
        """Seconds until the pace allows the next timer-driven quick scan."""
        stamp = self.store.get_meta(SCANNED_META)
        # Written with this engine's own clock; one that went back waits one pace.
        since = (None if not stamp
                 else max(0.0, (now - datetime.fromisoformat(stamp)).total_seconds()))
        interval = self.settings.sync_interval_minutes * 60
        least = self.governor.least_gap(books.state.spending,
                                        self.governor.company_rate(quota, now), interval)
        return self.governor.pace_left(
            quick_cost=quick_cost, rate=books.rate, tokens=bucket.tokens,
            capacity=books.capacity, since_s=since, interval_s=interval, least_s=least)

    def _scan(self, cycle: Cycle, plan: Plan) -> bool:
        """Run the planned scan; whether it reached its end."""
        report = cycle.report
        assert plan.scan is not None
        report.kind = plan.scan
        before = cycle.pull_start = cycle.client.requests_sent
        cycle.pull_budget = plan.budget
        cycle.spare = plan.spare
        self.store.put_meta(SCANNED_META, self.clock().isoformat())
        try:
            run_scan(cycle, start_scan(cycle, plan.scan))
        except ScanStopped as exc:
            report.skipped.append(f"scan stopped: {exc.reason}")
            log.warning("scan stopped: %s", exc.reason)
            if exc.server_fault:
                # A broken list cannot be resumed into; the next scan starts afresh.
                abandon_scan(cycle)
                report.scan_problem = exc.reason
            return False
        if not plan.onboarding:
            self._record_cost(plan.scan, cycle.client.requests_sent - before)
        if plan.scan == "full":
            self.store.checkpoint()
        return True

    def _discretionary(self, cycle: Cycle, budget: float, spill: float) -> int:
        """The company's details and detail refreshes from what is left above the
        quick reserve, then the other active jobs' details and the trickle from what
        of that the bucket would spill anyway; returns what the detail refresh sent."""
        # The company's details first: two requests a day, which the refreshes would
        # otherwise put off on a busy day.
        phases: tuple[tuple[str, Callable[[Cycle, int], int]], ...] = (
            ("company details", refresh_company), ("detail refresh", refresh_details),
            ("trickle", read_spare))
        refreshed = 0
        for name, work in phases:
            most = int(budget if name != "trickle" else min(budget, spill))
            if most <= 0:
                if name == phases[0][0]:
                    cycle.report.skipped.append(
                        "detail refresh and trickle deferred: budget (the next quick scan "
                        "is reserved)")
                return refreshed
            cycle.pull_start = cycle.client.requests_sent
            cycle.pull_budget = most
            try:
                work(cycle, most)
            except ScanStopped as exc:
                cycle.report.skipped.append(f"{name} stopped: {exc.reason}")
            spent = cycle.client.requests_sent - cycle.pull_start
            budget -= spent
            spill -= spent
            if name == "detail refresh":
                refreshed = spent
        return refreshed

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

    def _record_cost(self, kind: str, cost: int) -> None:
        """A quick scan's cost is kept as an average (``COST_WEIGHT``): the pace and
        the reserve follow what scans usually cost, not the last one's checks; and so
        is its upkeep, the scan and the detail refreshes after it (bare summaries'
        reads of today's jobs), which the device's need is reckoned from
        (``Governor.need``). A round's is its last: they are a week apart."""
        recorded = self.store.get_meta(f"{kind}_cost")
        average = float(cost)
        if kind in ("quick", "upkeep") and recorded:
            average = float(recorded) * (1 - COST_WEIGHT) + cost * COST_WEIGHT
        self.store.put_meta(f"{kind}_cost", average)

    def scan_cost(self, kind: str) -> float:
        """Requests a scan of this kind takes (a guess before the first one)."""
        recorded = self.store.get_meta(f"{kind}_cost")
        if recorded:
            return float(recorded)
        if kind in ("quick", "upkeep"):
            quick, upkeep = upkeep_guess(self.store, self.clock(), self.settings.my_user_id,
                                         PAGE_SIZE, PROMISED_GAP_S)
            return quick if kind == "quick" else upkeep
        # Its job pages, customer pages and a few absence checks: the first sync's
        # own cost is no guide, since under summary list items it fetched every job.
        jobs = self.store.count(JobQuery(deleted="include"))
        me = self.settings.my_user_id
        if kind == "own" and me:
            # Before its first round a technician's device may know whose only its
            # active jobs are (summary items do not say): its part of the active
            # jobs is taken for its part of them all.
            part = self.store.count(
                JobQuery(statuses=ACTIVE_STATUS_VALUES, assigned_to=me)) / max(
                1, self.store.count(JobQuery(statuses=ACTIVE_STATUS_VALUES)))
            jobs = max(self.store.count(JobQuery(deleted="include", assigned_to=me)),
                       round(jobs * part))
        return jobs // PAGE_SIZE + 5

    def _report_busy(self, report: SyncReport) -> None:
        """What a cycle that found another sync running reports: it only reads.

        The holder of the lock is writing the back-off and the last sync's record;
        a write from here, of values read a moment before, could undo its own.
        """
        self._count_marked(report)
        report.usage = self.store.get_meta(USAGE_META)
        log.info("sync %s: %s", report.status, report.message)

    def _count_marked(self, report: SyncReport) -> None:
        counts = self.store.count_by_sync_state()
        report.conflicts = counts.get("conflict", 0)
        report.rejected = counts.get("rejected", 0)

    def _finish(self, report: SyncReport) -> None:
        """The cycle's last word: counts, back-off, staleness and the record of it."""
        self._count_marked(report)
        if report.usage is None:
            report.usage = self.store.get_meta(USAGE_META)
        now = self.clock()
        backoff = self.store.get_meta(BACKOFF_META) or {}
        failures = int(backoff.get("failures", 0))
        until = backoff.get("until")
        if report.status == "error" and report.requests == 0 and until:
            pass  # held back by the server's Retry-After: nothing new happened
        elif report.status in ("offline", "error") or report.push_failed:
            failures += 1
            if report.retry_after is not None:
                # The server said how long to wait: its word, not a guess.
                until = (now + timedelta(seconds=report.retry_after)).isoformat()
            else:
                delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (failures - 1))
                # Jitter spreads the retries of many laptops after a shared outage.
                report.retry_after = delay * random.uniform(0.5, 1.5)
                until = None
        elif report.status == "ok":
            failures, until = 0, None
        self.store.put_meta(BACKOFF_META, {"failures": failures, "until": until})
        report.staleness_s = worst_staleness(
            self.store, now, assigned_to=self.settings.my_user_id or None)
        if report.status == "ok" and not report.message:
            report.message = _summary(report)
        self.store.put_meta(LAST_SYNC_META, {**report.to_json(), "finished_at": now.isoformat()})
        log.info("sync %s: %s", report.status, report.message)


def _forget_retry_after(client: ApiClient) -> None:
    """A new cycle heeds only the ``Retry-After`` its own replies carry."""
    client.retry_after = None


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
    if report.staleness_s is not None:
        parts.append(f"active jobs' details at most {_duration(report.staleness_s)} old")
    return ", ".join(parts)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
