"""Links a technician opens from a job: the customer's phone and email, and the
service address."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QUrl, QUrlQuery


def phone_url(phone: str | None) -> QUrl | None:
    digits = re.sub(r"[^\d+]", "", phone or "")
    return QUrl(f"tel:{digits}") if len(digits) >= 3 else None


def email_url(email: str | None) -> QUrl | None:
    address = (email or "").strip()
    return QUrl(f"mailto:{address}") if "@" in address else None


def has_tel_handler() -> bool | None:
    """False when this Linux desktop's settings name no app for tel: links (xdg-open
    would take the link and say nothing back); ``None`` where only opening one can
    tell: Windows and macOS refuse a link nothing takes, and so does a desktop with
    no xdg-open at all."""
    if sys.platform in ("win32", "darwin"):
        return None
    tool = shutil.which("xdg-mime")
    if tool is None:
        return None
    try:
        answer = subprocess.run([tool, "query", "default", "x-scheme-handler/tel"],
                                capture_output=True, text=True, timeout=2, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(answer.stdout.strip())


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
