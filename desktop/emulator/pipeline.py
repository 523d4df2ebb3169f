"""What happens to every request before and after its endpoint, in the vendor's order.

1. Outside ``/api/v1``: 404, not counted (the quota covers ``/api/v1/*``).
2. Missing, unknown or revoked key: 401, counted.
3. ``Idempotency-Key`` seen within 24 hours on the same endpoint: the stored answer,
   not counted (replays are served even once the quota is spent: nothing executes).
4. Monthly limit reached: 403 with the vendor's text; nothing executes or counts.
5. Counted; an armed ``busy`` fault answers 429/503 with ``Retry-After`` here, and
   an armed ``fail`` fault 500.
6. The endpoint runs; its answer (if not a 5xx) is stored under the idempotency key.

Every answer carries the ``X-Usage-*`` headers as of after the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from urllib.parse import parse_qs

from .envelope import ApiError, encode, failure, success
from .faults import API_PREFIX, Faults
from .idempotency import IdempotencyCache, key_problem
from .keys import KeyRing
from .routes import Routes
from .usage import LIMIT_MESSAGE, UsageMeter
from .variants import Variants

SERVER_ERROR_MESSAGE: Final = "Internal server error"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]
    counted: bool
    replayed: bool = False


def api_path(path: str) -> str | None:
    """``path`` relative to ``/api/v1`` (``"/jobs"``), or ``None`` if outside it."""
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        return path[len(API_PREFIX):] or "/"
    return None


def _api_key(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return headers.get("x-api-key", "").strip() or None


class Pipeline:
    def __init__(
        self,
        *,
        routes: Routes,
        keys: KeyRing,
        usage: UsageMeter,
        idempotency: IdempotencyCache,
        faults: Faults,
        variants: Variants,
    ) -> None:
        self._routes = routes
        self._keys = keys
        self._usage = usage
        self._idempotency = idempotency
        self._faults = faults
        self._variants = variants

    def _reply(
        self,
        status: int,
        payload: dict[str, Any],
        *,
        counted: bool,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        return Reply(status, encode(payload), {**self._usage.headers(), **(headers or {})}, counted)

    def now(self) -> datetime:
        """The server's clock, for the ``Date`` header: it agrees with the stamps."""
        return self._usage.now()

    def usage_headers(self) -> dict[str, str]:
        return self._usage.headers()

    def refuse(self, path: str, status: int, message: str) -> Reply:
        """Answer a request the server could not even read (bad framing, huge body)."""
        counted = api_path(path) is not None and self._usage.consume()
        return self._reply(status, failure(message), counted=counted)

    def server_error(self) -> Reply:
        return self._reply(500, failure(SERVER_ERROR_MESSAGE), counted=False)

    def handle(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        """``headers`` must have lower-case names."""
        relative = api_path(path)
        if relative is None:
            return self._reply(404, failure(f"Not found: {method} {path}"), counted=False)
        refusal = self._keys.check(_api_key(headers))
        if refusal is not None:
            return self._reply(401, failure(refusal), counted=self._usage.consume())
        key = headers.get("idempotency-key") if self._variants.honour_idempotency else None
        if key is None:
            return self._execute(method, relative, query, body)[0]
        problem = key_problem(key)
        if problem is not None:
            return self._reply(400, failure(problem), counted=self._usage.consume())
        endpoint = f"{method} /{relative.strip('/')}"
        with self._idempotency.lock:
            stored = self._idempotency.get(endpoint, key)
            if stored is not None:
                replay_headers = {
                    **dict(stored.headers),
                    "X-Idempotency-Key": key,
                    "X-Idempotency-Cached": "true",
                }
                return Reply(
                    stored.status, stored.body, {**replay_headers, **self._usage.headers()},
                    counted=False, replayed=True,
                )
            reply, executed = self._execute(method, relative, query, body)
            if executed and reply.status < 500:
                extra = {k: v for k, v in reply.headers.items() if not k.startswith("X-Usage")}
                self._idempotency.put(endpoint, key, reply.status, reply.body, extra)
            return reply

    def _execute(self, method: str, relative: str, query: str, body: bytes) -> tuple[Reply, bool]:
        """The reply, and whether the endpoint ran (so its answer may be stored)."""
        if not self._usage.consume():
            return self._reply(403, failure(LIMIT_MESSAGE), counted=False), False
        busy = self._faults.take_busy(method, relative)
        if busy is not None:
            message = "Too many requests" if busy.status == 429 else "Service unavailable"
            return self._reply(busy.status, failure(message), counted=True,
                               headers={"Retry-After": busy.retry_after}), False
        if self._faults.take("fail", method, relative):
            return self._reply(500, failure(SERVER_ERROR_MESSAGE), counted=True), False
        try:
            status, data = self._routes.dispatch(
                method, relative, parse_qs(query, keep_blank_values=True), body
            )
        except ApiError as exc:
            return self._reply(exc.status, failure(exc.message), counted=True,
                               headers=exc.headers), True
        return self._reply(status, success(data), counted=True), True
