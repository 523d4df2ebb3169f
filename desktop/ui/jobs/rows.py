"""What each row of the job list shows, worked out once when the row is read.

Plain values (no Qt), so ``data()`` and painting are lookups, never formatting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.core.store import JobRecord
from desktop.ui import formatting


@dataclass(frozen=True)
class Column:
    sort: str
    title: str
    width: int
    tooltip: str
    right: bool = False


COLUMNS = (
    Column("job_number", "Job #", 90, "The CRM's job number"),
    Column("title", "Title", 220, "What the job is"),
    Column("customer", "Customer", 130, "Who the job is for"),
    Column("status", "Status", 134, "Where the job stands"),
    Column("priority", "Priority", 96, "Emergency, High, Normal or Low"),
    Column("scheduled", "Scheduled", 140, "Date and time window"),
    Column("city", "City", 90, "Service address city"),
    Column("estimated_amount", "Estimate", 84, "Estimated amount", right=True),
    Column("sync_state", "Sync", 80, "Changes not yet on the server"),
)
SORT_COLUMNS = {c.sort: i for i, c in enumerate(COLUMNS)}
STATUS_COLUMN = SORT_COLUMNS["status"]
PRIORITY_COLUMN = SORT_COLUMNS["priority"]
SYNC_COLUMN = SORT_COLUMNS["sync_state"]

_PENDING_WORDS = {"create": "new job", "update": "changes", "delete": "move to Trash"}


@dataclass(frozen=True, slots=True)
class RowView:
    """What one row shows, computed once per read: ``data()`` must be trivial."""

    texts: tuple[str, ...]
    status: str | None
    sync_state: str
    sync_tip: str
    alert: bool
    deleted: bool
    #: The technician's user id (a view names it: ``Session.technician``).
    assignee: str | None = None


MISSING = RowView(("",) * len(COLUMNS), None, "synced", "", alert=False, deleted=True)


def sync_mark(record: JobRecord) -> tuple[str, str]:
    """The word in the Sync column and the reason shown on hover."""
    state = record.sync_state
    if state == "conflict":
        summary = formatting.conflict_summary(c.field for c in record.conflicts)
        return "Conflict", f"{summary} Open the job to choose."
    if state == "rejected":
        reason = formatting.humanize(record.last_error or "no reason given")
        return "Rejected", f"The server refused this change: {reason}"
    if state == "pending":
        what = _PENDING_WORDS.get(record.pending_op or "", "changes")
        tip = f"Waiting to sync ({what})"
        if record.last_error:
            tip += f". Last attempt: {formatting.humanize(record.last_error)}"
        return "Waiting", tip
    return "", ""


def row_view(record: JobRecord, today: date) -> RowView:
    v = record.values
    mark, tip = sync_mark(record)
    priority = v["priority"] or ""
    if v["is_urgent"] and priority != "Emergency":
        priority = f"{priority} · urgent" if priority else "Urgent"
    texts = (
        v["job_number"] or "(new)",
        v["title"] or "",
        record.customer_name or "",
        v["status"] or "",
        priority,
        formatting.schedule(v["scheduled_date"], v["scheduled_time_start"],
                            v["scheduled_time_end"], today),
        v["service_city"] or "",
        formatting.money(v["estimated_amount"]),
        mark,
    )
    alert = bool(v["is_emergency"] or v["priority"] == "Emergency" or v["is_urgent"])
    return RowView(texts, v["status"], record.sync_state, tip, alert, record.deleted,
                   v["assigned_to_user_id"])
