"""Reading the server's timestamps. Only ever compared with other server times."""

from __future__ import annotations

from datetime import UTC, datetime


def server_time(text: object) -> datetime | None:
    """An API timestamp (``...Z``, offset or date-only) as an aware UTC datetime."""
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
