"""Links a technician opens from a job: the customer's phone and the service address."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QUrl, QUrlQuery


def phone_url(phone: str | None) -> QUrl | None:
    digits = re.sub(r"[^\d+]", "", phone or "")
    return QUrl(f"tel:{digits}") if len(digits) >= 3 else None


def address_text(values: Mapping[str, Any]) -> str:
    parts = [values.get("service_address1"), values.get("service_address2"),
             values.get("service_city"),
             " ".join(p for p in (values.get("service_state"), values.get("service_zip")) if p)]
    return ", ".join(str(p) for p in parts if p)


def maps_url(values: Mapping[str, Any]) -> QUrl | None:
    """The address in the system's map app (Apple Maps on macOS, else the web map)."""
    address = address_text(values)
    if not address:
        return None
    if sys.platform == "darwin":
        url, key = QUrl("maps://"), "q"
    else:
        url, key = QUrl("https://www.google.com/maps/search/"), "query"
    query = QUrlQuery()
    if key == "query":
        query.addQueryItem("api", "1")
    query.addQueryItem(key, address)
    url.setQuery(query)
    return url
