"""The API's response envelope and the error that carries a status and a message."""

from __future__ import annotations

import json
from typing import Any


class ApiError(Exception):
    """Raised anywhere while serving a request; becomes ``{"success": false, ...}``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def success(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def failure(message: str) -> dict[str, Any]:
    return {"success": False, "error": message}


def encode(payload: dict[str, Any]) -> bytes:
    # ASCII escapes keep lone surrogates from a client's JSON encodable on the way back.
    return json.dumps(payload, separators=(",", ":")).encode("ascii")
