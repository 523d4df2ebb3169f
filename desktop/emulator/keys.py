"""API keys: the vendor's format, and the company's set of live and revoked keys."""

from __future__ import annotations

import secrets
import threading
from typing import Final

KEY_PREFIX: Final = "ctc_live_"
MAX_ACTIVE_KEYS: Final = 5


def generate_api_key() -> str:
    """A fresh key shaped like the vendor's: ``ctc_live_`` + 43 base64url characters."""
    return KEY_PREFIX + secrets.token_urlsafe(32)  # 32 bytes -> exactly 43 characters


class KeyRing:
    """The company's keys; at most ``MAX_ACTIVE_KEYS`` live at once, as the vendor allows."""

    def __init__(self, first: str | None = None) -> None:
        self._lock = threading.Lock()
        self._active: list[str] = []
        self._revoked: set[str] = set()
        self.first = self.add(first)

    def add(self, key: str | None = None) -> str:
        """Register ``key`` (or a generated one) and return it."""
        key = key or generate_api_key()
        if not key.isprintable() or not key.strip() or key != key.strip():
            raise ValueError("an API key must be printable text without surrounding spaces")
        with self._lock:
            if len(self._active) >= MAX_ACTIVE_KEYS:
                raise ValueError(f"a company can have at most {MAX_ACTIVE_KEYS} active keys")
            if key not in self._active:
                self._active.append(key)
            self._revoked.discard(key)
        return key

    def revoke(self, key: str) -> None:
        with self._lock:
            if key not in self._active:
                raise KeyError("no such active key")
            self._active.remove(key)
            self._revoked.add(key)

    def check(self, key: str | None) -> str | None:
        """Why ``key`` is refused, or ``None`` if it is live."""
        if not key:
            return "Missing API key. Send Authorization: Bearer <key> or X-API-Key: <key>."
        with self._lock:
            if key in self._active:
                return None
            if key in self._revoked:
                return "This API key has been revoked."
        return "Invalid API key."
