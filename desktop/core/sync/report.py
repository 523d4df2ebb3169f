"""What one sync cycle did, in a form the CLI, the GUI and scripts all read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Exit codes of ``jobdesk sync`` by report status (scripts depend on them).
EXIT_CODES = {"ok": 0, "offline": 3, "error": 3, "auth": 4, "quota": 5, "forbidden": 5,
              "busy": 6, "cancelled": 1}


@dataclass
class SyncReport:
    status: str = "ok"  # ok | offline | error | auth | quota | forbidden | busy | cancelled
    kind: str = "quick"  # quick | full | own (a technician's own jobs, every status)
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    requests: int = 0
    #: Jobs received with a value out of range: kept, with that field flagged.
    flagged: int = 0
    #: Changes the server failed to take this cycle (5xx); they stay pending.
    push_failed: int = 0
    usage: dict[str, Any] | None = None
    message: str = ""
    #: What the budget or bad server data made this cycle leave out.
    skipped: list[str] = field(default_factory=list)
    #: Seconds until the engine wants another go (backoff, quota reset); None: normal.
    retry_after: float | None = None
    #: Why the scan stopped when the server's list could not be trusted.
    scan_problem: str | None = None
    #: When sync resumes after the server said the month's requests are spent (UTC).
    resumes_at: str | None = None
    #: Seconds since the details of the active job read longest ago were read
    #: (``details.worst_staleness``); None when not measured.
    staleness_s: float | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.status, 1)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
