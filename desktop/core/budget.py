"""The request-quota governor: how much this device may spend, and on what.

The company's monthly requests (50,000 on the vendor's plan) are shared by every
device, and the server says only the company's count. The governor is pure values
and functions over an injected ``now``; the engine persists its state.

The rules (docs/architecture.md, contract point 7):

- The last 2% of the month is kept for pushing local changes: losing a
  technician's edit is worse than a stale list. No pull goes out inside it.
- A device's first sync (a new or rebuilt mirror) is charged to a one-time
  onboarding allowance, not to the day.
- Everything else is paid from a token bucket that refills continuously at this
  device's rate and holds at most about an hour of it, so a busy morning cannot
  spend the day and a quiet night buys only one hour of catching up.
- The company's rate is what it may still spend before the reserve, less a
  planning margin (``PLAN_MARGIN_FRACTION``), spread over the working hours left
  until the reset. This device's rate is its share of that:
  the share of the company's recent spending that was its own, learned from the
  company's count growing between this device's own requests (see ``Spending``).
- A quick scan of the active set is reserved: discretionary work (detail
  refreshes, trickle, reconciliation) only spends what leaves the next quick
  scan affordable, and the rate never falls below two quick scans an hour until
  the company's spending nears the reserve (``Governor.floor``).
- Reconciliation rounds (``Governor.round_due``) are weekly for the jobs a device
  works on: every job on the office's device; a technician's own jobs on its
  device, whose whole list (every colleague's job too) is reconciled once a
  quota month, soon after the reset, when the whole month is left to pay for it.
- Quick scans are paced: on a rate too small for a scan every sync interval, they
  come evenly, each after its average cost has refilled, and a scan that costs
  more than its average (jobs that left the active set, each checked) borrows up
  to an hour of refill rather than making the next wait.
- Shares follow need. A device's need is what scanning every ``PROMISED_GAP_S``
  costs it; its share starts from it, and while the company spends near its rate
  (``Governor.tightness``) the share is held to it (``ANCHOR_HOURS``) and no timer
  scan comes sooner than that gap. What a technician with one page to scan leaves
  unspent, the balance hands to the devices whose scans cost more (the office's
  three pages), and when every device needs more than the company has, each gets
  the same part of its need: every device's gaps come out alike.
"""

from __future__ import annotations

import math
from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

RESERVE_FRACTION = 0.02
#: The month the rates are planned for stops this much short of the reserve: the
#: margin for what the estimates miss (the others' bursts between two observations,
#: a laptop set up mid-month, pushes, which are never refused). Rates aim at 95% of
#: the limit; the reserve still begins at 98%.
PLAN_MARGIN_FRACTION = 0.03
#: How often a device reconciles the jobs it works on (``Governor.round_due``).
FULL_EVERY = timedelta(days=7)
#: A technician's whole round without a quota month to place it in (no reply has
#: said when the month resets).
WHOLE_EVERY = timedelta(days=31)
#: A technician's own round that falls due this close to the reset waits for the
#: whole round after it, which covers its jobs too (``Governor.round_due``).
OWN_ROUND_WAITS = FULL_EVERY / 2

#: Working time the month's requests are spread over. Trades companies work field
#: days of about ten hours (7 to 5, or 8 to 6) on weekdays, and a month has 21 to 23
#: weekdays. A device that syncs only then spends its share by the reset; one left
#: syncing at night or at weekends only spends ahead, since every rate is recomputed
#: from what the company has left, so the month still lands under the limit.
WORK_HOURS_PER_DAY = 10
WORK_DAYS_PER_MONTH = 22
#: The bucket holds this many hours of the device's rate.
BURST_HOURS = 1.0
#: Hours of its rate a device spends in a working day: the ten worked, and the hour
#: the bucket refilled overnight (a full bucket in the morning is spent too). Rates
#: spread what is left over these, or every device would spend a tenth more a day
#: than its share.
SPENDING_HOURS_PER_DAY = WORK_HOURS_PER_DAY + BURST_HOURS
#: A device's first sync may spend this much of the month's limit once (1,000 of
#: 50,000). The first sync of 10,000 jobs takes about 105 requests with full list
#: items and about 400 with summaries (the pages plus the active jobs' GETs); twenty
#: devices set up in one month would take at most 40% of it, in practice under 20%.
ONBOARDING_FRACTION = 0.02
#: Quick scans an hour this device can always afford, whatever its learned share:
#: a device whose share is small still sees the active set every half hour.
QUICK_SCANS_PER_HOUR = 2.0
#: How quickly the average cost of a quick scan follows the latest one.
COST_WEIGHT = 0.3
#: The soonest a deferred scan asks to come back (``Governor.wait_for_quick``).
MIN_WAIT_S = 30.0
#: What the others may spend between two observations beyond the company's rate
#: over the time between them (``Spending.observe``).
OTHERS_SLACK_HOURS = 0.1
#: The most of a device's refill the trickle of unrequested details may spend.
TRICKLE_FRACTION = 0.1
#: How quickly the learned share forgets: spending a day old weighs 1/e as much.
LEARN_HOURS = 24.0
#: The weight of the even split a device's share starts from after its first sync.
PRIOR_HOURS = 0.25
#: Longer between two observations is a night or a weekend, not working time.
AWAKE_GAP_HOURS = 1.0
#: Working time seen before the company's spending rate is believed.
SEEN_HOURS = 0.5
#: The most the balance (``Governor.balance``) scales a device's rate, each way.
BALANCE_LIMIT = 1.5
#: The gap between quick scans that shows a change within ten minutes, with a
#: minute and more to spare for a scan that waits on its bucket. A device's need
#: is what scanning this often costs it.
PROMISED_GAP_S = 8 * 60.0
#: The company's rate over its seen spending at which the company has room (this
#: much or more) and is tight (this little or less); ``Governor.tightness``.
ROOMY, TIGHT = BALANCE_LIMIT, 1.2
#: The weight, in hours of the company's rate, with which a tight company holds each
#: device's share to its need (``Governor.share``).
ANCHOR_HOURS = 4.0
#: The vendor's plan, assumed until a reply says what the company's limit is.
DEFAULT_MONTHLY_LIMIT = 50_000


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


@dataclass(frozen=True)
class Quota:
    count: int
    limit: int
    resets_at: datetime

    @property
    def planned(self) -> float:
        """Requests the rates may still spread over the month (``PLAN_MARGIN_FRACTION``)."""
        return max(0.0, self.limit * (1 - RESERVE_FRACTION - PLAN_MARGIN_FRACTION)
                   - self.count)

    @property
    def available(self) -> float:
        """Requests the company may still spend before the reserve."""
        return max(0.0, self.limit * (1 - RESERVE_FRACTION) - self.count)

    @property
    def in_reserve(self) -> bool:
        return self.count >= self.limit * (1 - RESERVE_FRACTION)

    @property
    def began_at(self) -> datetime:
        """When this quota month began: a calendar month before its reset."""
        reset = self.resets_at
        year, month = (reset.year, reset.month - 1) if reset.month > 1 else (reset.year - 1, 12)
        return reset.replace(year=year, month=month,
                             day=min(reset.day, monthrange(year, month)[1]))


def working_hours_left(quota: Quota, now: datetime) -> float:
    """Spending hours until the reset: ``SPENDING_HOURS_PER_DAY`` for each weekday
    left on this device's calendar, today's in proportion to what is left of it
    (never less than one: the month's last hour).

    Weekdays, not a fixed part of every calendar hour: spread over the calendar,
    a working day spends eleven hours of rate while eight pass, every weekday runs
    ahead of the plan and only a weekend gives it back, so a month that ends on a
    Wednesday left its last day what three days had overspent (measured: a visible
    change took 24 minutes on the last day under bare summaries at 1 + 19, 11 to
    15 on the others)."""
    day = now.astimezone()
    start = day.replace(hour=0, minute=0, second=0, microsecond=0)
    hours = 0.0
    while day < quota.resets_at:
        following = start + timedelta(days=1)
        if start.weekday() < 5:
            hours += SPENDING_HOURS_PER_DAY * (
                min(following, quota.resets_at) - day) / (following - start)
        day = start = following
    return max(1.0, hours)


@dataclass(frozen=True)
class Spending:
    """What this device and the rest of the company have spent lately.

    Both are sums of requests that decay with age (``LEARN_HOURS``), taken over the
    same intervals: from one reply's ``X-Usage-Count`` to a later one's, the growth
    less this device's own requests in between is what the other devices sent.

    The share ``mine / (mine + others)`` is used, not the others' rate: rates seen
    only while this device is awake are daytime rates, and comparing them with a
    month's average would count every night as spending; in a ratio over the same
    intervals that bias cancels. And the devices' shares add up to one, so twenty
    devices that each take their share spend the company's rate, never more, and
    cannot chase each other's estimates into an oscillation.
    """

    mine: float = 0.0
    others: float = 0.0
    #: The company's count at the last observation, and when it was seen.
    count: int | None = None
    at: datetime | None = None
    #: What the company was seen to spend (as the shares count it) over intervals of
    #: working time, and those intervals' hours: the rate it actually spends
    #: (``seen_rate``). A night between two observations is neither.
    spent: float = 0.0
    hours: float = 0.0

    @classmethod
    def started(cls, count: int, at: datetime, company_rate: float,
                need: float) -> Spending:
        """A baseline after this device's first sync, with a prior worth
        ``PRIOR_HOURS`` of the company's rate: this device spending its ``need``
        (requests an hour) and the others the rest. The first cycles after a first
        sync set up beside others' would otherwise teach it a share from one
        sample of their onboarding (the office began its first day with a sixth of
        what it needed, measured), and an even split would give a technician with
        one page to scan as much as the office with three: spending what they are
        given, neither would ever be seen to need otherwise. The prior fades as
        spending does, and the spending it starts is in proportion to need."""
        mine = min(need, company_rate)
        return cls(mine=mine * PRIOR_HOURS, others=(company_rate - mine) * PRIOR_HOURS,
                   count=count, at=at)

    def observe(self, count: int, own: int, at: datetime, *, counted: int | None = None,
                company_rate: float | None = None) -> Spending:
        """The state after seeing the company's ``count`` at ``at``, this device having
        sent ``own`` requests since the last observation (``counted`` of them toward
        its share; the rest, its first sync, is paid from the onboarding allowance).

        ``company_rate`` (requests an hour) caps what the others are taken to have
        spent meanwhile. Only a first sync outruns the whole company's rate, and it
        is paid from its own allowance: counted as spending, twenty laptops set up
        in one morning would leave each of them the share of a bystander all day.
        """
        if self.count is None or self.at is None or count < self.count:
            # The first sighting, or the month turned: a new baseline.
            return replace(self, count=count, at=at)
        elapsed = max(0.0, _hours(at - self.at))
        decay = math.exp(-elapsed / LEARN_HOURS)
        others = float(max(0, count - self.count - own))
        if company_rate is not None:
            # With a sync interval's slack: the others' cycles come in bursts.
            others = min(others, company_rate * (elapsed + OTHERS_SLACK_HOURS))
        mine = own if counted is None else counted
        awake = elapsed <= AWAKE_GAP_HOURS
        return Spending(mine=self.mine * decay + mine, others=self.others * decay + others,
                        count=count, at=at,
                        spent=self.spent * decay + (mine + others if awake else 0.0),
                        hours=self.hours * decay + (elapsed if awake else 0.0))

    @property
    def share(self) -> float:
        """This device's part of the company's recent spending (all of it, unseen)."""
        total = self.mine + self.others
        return 1.0 if total <= 0 else self.mine / total

    @property
    def seen_rate(self) -> float | None:
        """Requests an hour the company spends while it works (None: too little seen)."""
        return self.spent / self.hours if self.hours >= SEEN_HOURS else None


@dataclass(frozen=True)
class Bucket:
    """This device's tokens (requests it may send) at ``at``.

    ``tokens`` may be negative: pushes are never refused, and what they cost is
    repaid by the refill before the next pull. ``pot`` collects what the bucket
    could not hold, up to one full reconciliation: that scan costs more than an
    hour of a small share, and saving for it is the only way such a device ever
    reconciles. A clock that went backwards refills nothing.
    """

    tokens: float
    at: datetime
    pot: float = 0.0

    def refilled(self, now: datetime, rate: float, capacity: float,
                 pot_capacity: float) -> Bucket:
        gained = rate * max(0.0, _hours(now - self.at))
        tokens = self.tokens + gained
        overflow = max(0.0, tokens - capacity)
        pot = min(pot_capacity, self.pot + overflow)
        return Bucket(tokens=min(tokens, capacity), at=max(now, self.at), pot=pot)

    def spend(self, requests: float, *, from_pot: bool = False) -> Bucket:
        """``from_pot``: a reconciliation round, paid from its savings first."""
        paid = min(self.pot, max(0.0, requests)) if from_pot else 0.0
        return replace(self, tokens=self.tokens - (requests - paid), pot=self.pot - paid)


@dataclass(frozen=True)
class Plan:
    """What one cycle may pull: the scan to run (``None``: none) and its budget."""

    scan: str | None
    budget: float
    #: The scan is paid from the onboarding allowance (then the bucket).
    onboarding: bool = False
    skipped: tuple[str, ...] = ()
    #: What of the budget is neither the quick scan's reserve nor borrowed: what
    #: reads that can wait (a changed job nobody works on today) may spend.
    spare: float = math.inf


@dataclass(frozen=True)
class Governor:
    #: An explicit share of the company's rate, in percent; ``None`` learns it.
    share_percent: int | None = None

    def company_rate(self, quota: Quota | None, now: datetime) -> float:
        """Requests an hour the whole company may spend from now on (working hours)."""
        if quota is None:
            # Before any reply: the month as if it were just starting.
            return DEFAULT_MONTHLY_LIMIT * (1 - RESERVE_FRACTION - PLAN_MARGIN_FRACTION) / (
                SPENDING_HOURS_PER_DAY * WORK_DAYS_PER_MONTH)
        return quota.planned / working_hours_left(quota, now)

    def share(self, spending: Spending, upkeep: float, company_rate: float) -> float:
        """This device's part of the company's rate: what it has been seen to spend,
        and, as the company nears its rate, its need (``ANCHOR_HOURS``).

        Learned from spending alone, a share only follows what the device was given:
        when every device spends all its rate, every share stays where it was
        learned, however far that is from need (a morning of others' first syncs
        left the office a tenth of the company's rate all day, measured, with
        scans that cost three pages to a technician's one). Held to need, each
        device gets its part of the company's need, whatever it was given before.
        With room to spare, spending alone: a lone device learns it is alone, and
        may spend the whole rate on details the others would not leave it.
        """
        if self.share_percent is not None:
            return max(0.0, min(100.0, self.share_percent)) / 100
        weight = ANCHOR_HOURS * self.tightness(spending, company_rate)
        total = spending.mine + spending.others + company_rate * weight
        if total <= 0:
            return 1.0
        return (spending.mine + min(self.need(upkeep), company_rate) * weight) / total

    def tightness(self, spending: Spending, company_rate: float) -> float:
        """How near the company's seen spending is to its rate: 0 with ``ROOMY`` room
        or more (or nothing seen yet), 1 with ``TIGHT`` or less, in proportion between."""
        seen = spending.seen_rate
        if seen is None or seen <= 0:
            return 0.0
        room = company_rate / seen
        return max(0.0, min(1.0, (ROOMY - room) / (ROOMY - TIGHT)))

    def rate(self, quota: Quota | None, now: datetime, spending: Spending,
             quick_cost: float, upkeep: float | None = None) -> float:
        """This device's refill rate, requests per hour; ``upkeep`` is what a quick
        scan and the detail refreshes after it cost (``need``; the scan's own cost
        when not known)."""
        if quota is not None and quota.in_reserve:
            return 0.0
        company = self.company_rate(quota, now)
        share = self.share(spending, quick_cost if upkeep is None else upkeep, company)
        return max(self.floor(quota, quick_cost),
                   share * company * self.balance(spending, company))

    @staticmethod
    def floor(quota: Quota | None, quick_cost: float) -> float:
        """The rate no share falls below: ``QUICK_SCANS_PER_HOUR`` quick scans, until
        the company has spent its month's plan; then less, in proportion to what is
        left of the planning margin, and nothing at the reserve. Past the plan every
        rate is the floor, and twenty devices' floors reached the reserve on the
        month's last day, measured (summaries at 1 + 19), where pulls stop and only
        pushes go out."""
        most = QUICK_SCANS_PER_HOUR * quick_cost
        if quota is None:
            return most
        return most * min(1.0, quota.available / (quota.limit * PLAN_MARGIN_FRACTION))

    def balance(self, spending: Spending, company_rate: float) -> float:
        """What scales every device's share to the company's rate: the square of its
        rate over what the company is seen to spend, within ``BALANCE_LIMIT``
        either way.

        Shares learned at different moments need not add up to one (a day that began
        with twenty first syncs leaves each device's estimate of the others short),
        and with every device spending its share a sum of 1.2 overspent the month by
        a fifth. And a share only follows spending: a device that needs less than its
        share (a technician with one page to scan) leaves the rest unspent, and the
        office, which needs more, would never be seen to need it. Seen from every
        device alike, the company's spending scales them all the same way: down when
        they overspend together, up when some leave requests unspent, which the
        devices that need them then spend. An explicit share is the user's, as is.

        Squared, because shares that add up to ``s`` settle where the company spends
        its rate times the cube root of ``s`` (the square root, scaled once): when a
        tight company holds its shares to need and needs more than it has, they add
        up to a little over one, and the month's projection at twenty devices under
        summaries came within 0.4% of the limit scaled once (47,317 of 47,500).
        """
        seen = spending.seen_rate
        if self.share_percent is not None or seen is None or seen <= 0:
            return 1.0
        return max(1 / BALANCE_LIMIT, min(BALANCE_LIMIT, (company_rate / seen) ** 2))

    def capacity(self, rate: float, quick_cost: float) -> float:
        """The most the bucket holds: an hour's refill, and never less than a quick scan."""
        return max(rate * BURST_HOURS, quick_cost)

    def daily_allowance(self, quota: Quota | None, now: datetime, spending: Spending,
                        quick_cost: float) -> float:
        """Requests a working day gives this device at its current rate (a figure to show)."""
        return self.rate(quota, now, spending, quick_cost) * SPENDING_HOURS_PER_DAY

    def onboarding_allowance(self, quota: Quota | None) -> float:
        """The one-time allowance of a new (or rebuilt) mirror's first sync."""
        limit = quota.limit if quota is not None else DEFAULT_MONTHLY_LIMIT
        allowance = ONBOARDING_FRACTION * limit
        return allowance if quota is None else min(allowance, quota.available)

    @staticmethod
    def round_due(*, last_full: datetime | None, last_own: datetime | None,
                  now: datetime, technician: bool, quota: Quota | None) -> str | None:
        """The reconciliation round this device owes: ``"full"`` (every job and
        customer), ``"own"`` (a technician's own jobs in every status, and the
        customers) or None.

        Weekly for the jobs the device works on (``FULL_EVERY``). A technician's
        whole list is reconciled once a quota month: twenty devices each paging
        through 10,000 jobs every week cost 8,400 requests a month (18% of it),
        for colleagues' finished jobs nobody on those laptops works on, and rounds
        that fell together late in the month left its last day too little to scan
        with (measured: 1 + 19 under full items, 30 minutes for a visible change on
        day 22). Once a month, soon after the reset, the whole month is left to pay
        for it; and an own round due in the month's last days (``OWN_ROUND_WAITS``)
        waits for it, so a technician's jobs are reconciled at most ten and a half
        days apart.
        """
        if last_full is None:
            return "full"
        if not technician:
            return "full" if now - last_full >= FULL_EVERY else None
        if quota is None:
            whole_due = now - last_full >= WHOLE_EVERY
        else:
            # The usage last seen may be the month before's, if no reply has come
            # since its reset.
            began = quota.resets_at if quota.resets_at <= now else quota.began_at
            whole_due = last_full < began
        if whole_due:
            return "full"
        if quota is not None and quota.resets_at - now < OWN_ROUND_WAITS:
            # The month's last days pay for nothing twice: twenty laptops' own rounds
            # (about 470 requests) came on a month's second-last day, which then had
            # a fifth less than the others to scan with (measured, summaries at
            # 1 + 19: 22 minutes for a visible change, 14 to 19 on most other days).
            return None
        last = last_full if last_own is None else max(last_full, last_own)
        return "own" if now - last >= FULL_EVERY else None

    @staticmethod
    def need(upkeep: float) -> float:
        """Requests an hour that scanning every ``PROMISED_GAP_S`` costs, ``upkeep``
        a scan: the scan's pages and reads, and under bare summaries the refreshes of
        today's jobs' details that come with it. Reads are counted a scan at a time:
        at gaps longer than the promise a scan brings more of them, and the need is
        then overstated, which holds a short share to more, not less."""
        return upkeep * 3600 / PROMISED_GAP_S

    def least_gap(self, spending: Spending, company_rate: float, interval_s: float) -> float:
        """Seconds a timer-driven quick scan waits at least after the last one.

        The sync interval while the company spends well within its rate; as its
        spending nears the rate (``tightness``), the promised gap: a device whose
        share pays scans more often than that leaves the rest unspent, the balance
        raises every rate, and the devices that need more (whose scans cost more,
        or whose share was learned short) spend it. Without this, every device
        spends its whole rate, and the office's three pages wait two or three
        times a technician's one. An explicit share is the user's to spend as the
        interval says.
        """
        if self.share_percent is not None or interval_s >= PROMISED_GAP_S:
            return interval_s
        return interval_s + self.tightness(spending, company_rate) * (
            PROMISED_GAP_S - interval_s)

    @staticmethod
    def pace(quick_cost: float, rate: float) -> float:
        """Seconds from one timer-driven quick scan to the next: the time the rate
        takes to refill the scan's average cost. A device that scanned whenever its
        bucket held a scan would scan every sync interval until the bucket ran dry,
        then at the pace of each scan's own cost: after one that checked a few jobs
        gone from the active set, a gap three times as long. Paced, the gaps are even.

        At the whole rate, not a part of it: shares are learned from spending, and a
        device that kept some of its rate back would teach the others it needs less,
        its share shrinking day by day to the floor. Never longer than the floor's
        promise of ``QUICK_SCANS_PER_HOUR``.
        """
        most = 3600 / QUICK_SCANS_PER_HOUR
        if rate <= 0:
            return most
        return min(most, quick_cost / rate * 3600)

    def pace_left(self, *, quick_cost: float, rate: float, tokens: float, capacity: float,
                  since_s: float | None, interval_s: float, least_s: float) -> float:
        """Seconds until the pace allows the next timer-driven quick scan, ``since_s``
        after the last scan began (None: none yet), and never before ``least_s``
        (``least_gap``) when that is longer than the sync interval (``interval_s``).
        Otherwise nothing to wait for when the rate pays a scan every sync interval
        (cycles sooner than that, a retry or an edit sent at once, scan too as the
        bucket allows), or while the bucket is half full: waiting would only spill
        what it holds, and the pace keeps the gaps even once it runs low."""
        if since_s is None:
            return 0.0
        held = least_s - since_s if least_s > interval_s else 0.0
        pace = self.pace(quick_cost, rate)
        if tokens >= capacity / 2 or pace <= interval_s:
            return max(0.0, held)
        return max(0.0, held, pace - since_s)

    def plan(self, *, quota: Quota | None, bucket: Bucket, quick_cost: float,
             round_cost: float, round_due: str | None, explicit: bool,
             onboarding_left: float | None, pace_left_s: float = 0.0,
             borrow: float = 0.0) -> Plan:
        """The scan this cycle runs, after pushing.

        ``onboarding_left`` is the allowance left while the mirror has never
        completed a full scan (``None`` otherwise). The reconciliation round due
        (``round_due``: its scan, costing ``round_cost``) runs when it fits beside
        the next quick scan's reserve; otherwise the quick scan runs once its pace
        allows (``pace_left_s``, seconds still to wait) if the bucket holds one,
        less what it may ``borrow`` against the refill to come, or always when the
        user asked for this sync.
        """
        if quota is not None and quota.in_reserve:
            return Plan(None, 0.0, skipped=(
                "pull skipped: the company is in the last 2% of its monthly requests, "
                "kept for sending local changes",))
        tokens = bucket.tokens
        if onboarding_left is not None:
            # Past the allowance the first sync goes on as the bucket allows.
            budget = onboarding_left + max(0.0, tokens)
            if budget >= 1 or explicit:
                return Plan("full", max(budget, quick_cost if explicit else 0.0),
                            onboarding=True)
            return Plan(None, 0.0, skipped=(
                "first sync paused: its one-time allowance is spent and this device's "
                "requests for the hour too; it carries on as they refill",))
        skipped: list[str] = []
        if round_due is not None:
            spare = tokens + bucket.pot - quick_cost
            if spare >= round_cost:
                return Plan(round_due, spare)
            what = ("full reconciliation" if round_due == "full"
                    else "reconciliation of this technician's jobs")
            skipped.append(f"{what} deferred: it takes about {round_cost:.0f} "
                           f"requests and this device has {max(0.0, spare):.0f} to spare "
                           "beside the next quick scan")
        if explicit or (pace_left_s <= 0 and tokens >= quick_cost - borrow):
            # The scan may cost more than its estimate (more jobs left the active
            # set): it runs to what the bucket holds and may borrow, and at least to
            # the estimate.
            return Plan("quick", max(tokens + borrow, quick_cost), skipped=tuple(skipped),
                        spare=self.discretionary(tokens, quick_cost))
        if pace_left_s > 0:
            skipped.append(f"quick scan deferred: paced to this device's share of the "
                           f"company's requests, the next in {pace_left_s:.0f} s")
            return Plan(None, 0.0, skipped=tuple(skipped))
        skipped.append(f"quick scan deferred: this device's requests for the hour are "
                       f"spent ({max(0.0, tokens):.0f} left, a scan takes about "
                       f"{quick_cost:.0f}); they refill continuously")
        return Plan(None, 0.0, skipped=tuple(skipped))

    def discretionary(self, tokens: float, quick_cost: float) -> float:
        """What detail refreshes may spend: the next quick scan is reserved."""
        return max(0.0, tokens - quick_cost)

    @staticmethod
    def spill(bucket: Bucket, capacity: float, pot_capacity: float, refill: float) -> float:
        """What the trickle may spend this cycle: what the bucket would spill before the
        next one (``refill`` comes in meanwhile), once the pot for a full
        reconciliation is saved, and at most ``TRICKLE_FRACTION`` of the refill.

        Reading details nobody has asked for yet is worth only requests that would
        otherwise go unspent, and not all of those: the others learn their shares
        from what each device spends, so a device that spent every spare request
        would teach them it needs that many, and under summaries ten thousand jobs
        read by each of five laptops would be the company's month."""
        if bucket.pot < pot_capacity:
            return 0.0
        return min(max(0.0, bucket.tokens + refill - capacity), refill * TRICKLE_FRACTION)

    def wait_for_quick(self, tokens: float, quick_cost: float, rate: float, *,
                       pace_left_s: float = 0.0, borrow: float = 0.0) -> float | None:
        """Seconds until the pace allows a quick scan and the bucket holds one, less
        what it may ``borrow`` (None: now, or it never refills), at least
        ``MIN_WAIT_S``: a bucket a hair short would otherwise call the next cycle at
        once, and again, without the clock moving enough to refill it."""
        short = quick_cost - borrow - tokens
        if rate <= 0 or (short <= 0 and pace_left_s <= 0):
            return None
        return max(MIN_WAIT_S, pace_left_s, short / rate * 3600)
