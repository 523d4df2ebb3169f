"""The company's own details: its name, phone and address for the documents' heads,
its offices by name, and the primary office's timezone for calendars.

``GET /companies/me`` and the first page of ``GET /locations`` cost two requests, so
they are read at most once a day (``REFRESH``), by a cycle with budget to spare
above the next quick scan (``refresh_company``, a discretionary phase of the sync),
and kept in the meta table. Whatever the server sends is taken as text where it is
text; a timezone this computer does not know is left out rather than guessed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.core.api import ApiClient, NotFound, ServerError
from desktop.core.store import Store

if TYPE_CHECKING:  # the sync package imports this module: a cycle at run time
    from desktop.core.sync.cycle import Cycle

log = logging.getLogger(__name__)

COMPANY_META: Final = "company"
#: How long the company's details are trusted before they are read again.
REFRESH: Final = timedelta(days=1)
#: What reading them costs: the company, then one page of its locations.
REQUESTS: Final = 2


def _text(value: object) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def known_timezone(name: object) -> str | None:
    """An IANA timezone name this computer can use, else ``None``."""
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name.strip()


@dataclass(frozen=True)
class Company:
    """What the documents and calendars need of the company, as plain values."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: tuple[str, ...] = ()
    #: The primary location's timezone (IANA), if the server named a usable one.
    timezone: str | None = None
    #: Each location's name by uuid.
    locations: Mapping[str, str] = field(default_factory=dict)

    def location_name(self, uuid: str | None) -> str | None:
        return self.locations.get(uuid) if uuid else None


def from_server(company: Mapping[str, Any], locations: list[Any]) -> Company:
    """The company as the two replies describe it, tolerating any odd value."""
    place = " ".join(p for p in (_text(company.get("state")),
                                 _text(company.get("postal_code"))) if p)
    town = ", ".join(p for p in (_text(company.get("city")), place) if p)
    address = tuple(line for line in (_text(company.get("address_line_1")),
                                      _text(company.get("address_line_2")), town) if line)
    offices = [o for o in locations if isinstance(o, Mapping)
               and isinstance(o.get("uuid"), str) and o.get("deleted_at") is None]
    primary = next((o for o in offices if o.get("is_primary") is True), None)
    return Company(
        name=_text(company.get("name")), phone=_text(company.get("phone")),
        email=_text(company.get("email")), address=address,
        timezone=known_timezone(primary.get("timezone")) if primary else None,
        locations={str(o["uuid"]): name for o in offices
                   if (name := _text(o.get("name"))) is not None})


def load(store: Store) -> Company | None:
    """The company as last read from the server, or ``None`` if never."""
    cached = store.get_meta(COMPANY_META)
    if not isinstance(cached, Mapping) or not isinstance(cached.get("company"), Mapping):
        return None
    locations = cached.get("locations")
    return from_server(cached["company"], locations if isinstance(locations, list) else [])


def due(store: Store, now: datetime) -> bool:
    """Whether the company's details are a day old (or were never read)."""
    cached = store.get_meta(COMPANY_META)
    if not isinstance(cached, Mapping):
        return True
    try:
        read_at = datetime.fromisoformat(str(cached.get("read_at")))
    except ValueError:
        return True
    return not timedelta(0) <= now - read_at < REFRESH


def refresh(store: Store, client: ApiClient, now: datetime) -> int:
    """Read the company and its locations and keep them; returns the requests sent.

    A server with no locations endpoint (404) or an unreadable list still gives the
    company; the day's read is done either way.
    """
    company = client.company()
    try:
        locations: list[Any] = client.locations()
    except (NotFound, ServerError) as exc:
        log.info("the locations could not be read: %s", exc)
        locations = []
    store.put_meta(COMPANY_META, {"read_at": now.isoformat(), "company": company,
                                  "locations": locations})
    return REQUESTS


def refresh_company(cycle: Cycle, most: int) -> int:
    """The sync's phase: read the company once a day, when ``most`` (what is left
    above the next quick scan) pays for it; returns the requests sent."""
    now = cycle.clock()
    if most < REQUESTS or not due(cycle.store, now):
        return 0
    return refresh(cycle.store, cycle.client, now)
