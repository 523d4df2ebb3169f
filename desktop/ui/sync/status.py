"""What the status bar says about sync, worked out from plain values (no Qt)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.ui import formatting


@dataclass(frozen=True)
class SyncSnapshot:
    """Where sync stands at one moment, as the worker and the store know it."""

    configured: bool
    running: bool = False
    #: (what the engine is doing, done, total) while it runs.
    progress: tuple[str, int, int] | None = None
    #: The last report (``SyncReport.to_json()`` plus ``finished_at``).
    last: Mapping[str, Any] | None = None
    #: When a sync last finished well, if ever.
    last_ok_at: datetime | None = None
    waiting: int = 0
    rejected: int = 0
    conflicts: int = 0


@dataclass(frozen=True)
class StatusText:
    text: str
    #: "ok", "pending", "conflict", "danger" or "" (plain).
    tone: str
    tooltip: str


#: Details of active jobs read at most this long before a sync ended are as fresh as
#: the sync itself, near enough: "synced ... ago" says it all. Older ones are worth
#: a word (under summary list shapes they are re-read in turn, and a technician
#: should know the notes or address may be that old).
STALE_AFTER_S = 15 * 60

#: The engine's progress phases as the status bar words them.
PHASES = {"pull": "receiving page", "push": "sending change", "check": "checking job"}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _when(value: str | None) -> str:
    moment = formatting.parse_timestamp(value)
    if moment is None:
        return "the start of next month"
    return formatting.moment_text(moment.astimezone())


def _resume_at(last: Mapping[str, Any]) -> str | None:
    usage = last.get("usage") or {}
    resets = usage.get("resets") or usage.get("resets_at")
    if resets:
        return str(resets)
    finished = formatting.parse_timestamp(last.get("finished_at"))
    retry = last.get("retry_after")
    if finished is not None and retry:
        return (finished + timedelta(seconds=float(retry))).isoformat()
    return None


def _backlog(snapshot: SyncSnapshot) -> list[str]:
    parts = []
    if snapshot.waiting:
        parts.append(_plural(snapshot.waiting, "change waiting", "changes waiting"))
    if snapshot.conflicts:
        parts.append(_plural(snapshot.conflicts, "conflict", "conflicts"))
    if snapshot.rejected:
        parts.append(_plural(snapshot.rejected, "change refused", "changes refused"))
    return parts


def details_checked(last: Mapping[str, Any], now: datetime) -> tuple[str, str] | None:
    """The status bar's word on the worst staleness of active jobs' details, and its
    tooltip, when it is material (``STALE_AFTER_S``); None otherwise."""
    staleness = last.get("staleness_s")
    finished = formatting.parse_timestamp(last.get("finished_at"))
    if staleness is None or finished is None or float(staleness) < STALE_AFTER_S:
        return None
    checked = finished - timedelta(seconds=float(staleness))
    return (f"active job details checked {formatting.ago(checked, now)}",
            "The job list is as of the last sync. The details of active jobs (notes, "
            "address, times, amounts) are checked one by one to save the company's "
            "API requests; the one checked longest ago was checked "
            f"{formatting.moment_text(checked.astimezone(), year=False)}.")


def _since_sync(head: str, backlog: list[str], tone: str, tooltip: str, *,
                last: Mapping[str, Any], now: datetime) -> StatusText:
    """A state that says when sync last got through, with the details' age after it."""
    word = details_checked(last, now)
    if word is None:
        return StatusText(" · ".join([head, *backlog]), tone, tooltip)
    return StatusText(" · ".join([head, word[0], *backlog]), tone,
                      "\n".join(t for t in (tooltip, word[1]) if t))


def describe(snapshot: SyncSnapshot, now: datetime | None = None) -> StatusText:
    now = now or datetime.now(UTC)
    last = snapshot.last or {}
    status = last.get("status")
    backlog = _backlog(snapshot)
    tone = "conflict" if snapshot.conflicts else "danger" if snapshot.rejected else (
        "pending" if snapshot.waiting else "ok")
    if snapshot.running:
        text = "Syncing…"
        if snapshot.progress is not None:
            phase, done, total = snapshot.progress
            words = PHASES.get(phase, phase)
            text = f"Syncing: {words}" + (f" {done:,} of {total:,}" if total else "")
        return StatusText(" · ".join([text, *backlog]), "pending", "Sync is running")
    if not snapshot.configured:
        return StatusText(" · ".join(["Working offline: no CRM connected", *backlog]),
                          "pending" if backlog else "",
                          "Everything is kept on this computer. Connect your CRM in Settings.")
    if status == "auth":
        return StatusText(" · ".join(["Sign-in needed: the server refused the API key",
                                      *backlog]), "danger",
                          "Enter a valid API key in Settings")
    if status == "quota":
        return StatusText(
            " · ".join([f"Request quota used up: sync paused until "
                        f"{_when(_resume_at(last))}", *backlog]), "danger",
            last.get("message") or "The company's monthly API requests are used up")
    if status == "forbidden":
        return StatusText(" · ".join([f"Sync refused by the server: {last.get('message', '')}",
                                      *backlog]), "danger", "Check the API key's permissions")
    synced = (f"synced {formatting.ago(snapshot.last_ok_at, now)}" if snapshot.last_ok_at
              else "not synced yet")
    if status == "offline":
        return _since_sync(f"Offline ({synced})", backlog, "pending",
                           "The server cannot be reached; changes are kept and sent later",
                           last=last, now=now)
    if status == "busy":
        return StatusText(" · ".join(["Another JobDesk is syncing this data", *backlog]),
                          "pending", "Sync runs one at a time per data folder")
    if status == "error":
        retry = last.get("retry_after")
        again = f"; retrying in {max(1, round(float(retry) / 60))} min" if retry else ""
        return _since_sync(f"Sync problem ({synced})", backlog, "danger",
                           f"{last.get('message') or 'The server had a problem'}{again}",
                           last=last, now=now)
    text = synced[0].upper() + synced[1:]
    tip = ""
    if status == "ok":
        tip = (f"Last sync sent {last.get('pushed', 0):,} and received "
               f"{last.get('pulled', 0):,} changes using {last.get('requests', 0):,} requests")
    return _since_sync(text, backlog, tone, tip, last=last, now=now)


def usage_text(usage: Mapping[str, Any] | None) -> str:
    if not usage or not usage.get("limit"):
        return ""
    return f"Requests this month: {int(usage['count']):,} / {int(usage['limit']):,}"


def parse_finished(last: Mapping[str, Any] | None) -> datetime | None:
    return formatting.parse_timestamp((last or {}).get("finished_at"))
