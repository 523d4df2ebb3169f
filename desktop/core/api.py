"""The Custom Trades CRM client: auth, envelope, typed errors, usage and idempotency.

Synchronous and Qt-free: the sync engine drives it from a worker thread. Every outcome
the engine must treat differently is its own exception type. Everything the vendor
leaves open (see shared/api/README.md, "Unknowns") is parsed tolerantly, and a reply
that cannot be understood is a ``ServerError``, never a crash.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from types import TracebackType
from typing import Any, Final, Generic, NamedTuple, TypeVar
from urllib.parse import quote

import httpcore
import httpx

from desktop import __version__
from desktop.core.customers import parse_server_customer as parse_customer
from desktop.core.jobs import FieldError, ServerJob, parse_server_job, wire_value
from desktop.logs import add_secret, redact

log = logging.getLogger(__name__)

API_PREFIX: Final = "/api/v1"
#: The API's maximum page size; fewer, fuller pages spend less of the monthly quota.
PAGE_LIMIT: Final = 100
CONNECT_TIMEOUT: Final = 5.0
READ_TIMEOUT: Final = 30.0
#: The most one request may take, from connecting to the last byte of its reply.
#: Read timeouts restart with every byte, so a server that trickles its reply would
#: otherwise hold a sync (and its lock) for ever. A 100-job page is about 100 KB,
#: some 13 s on a weak 64 kbit/s mobile link: 60 s leaves room for worse links and a
#: slow server while still ending a stalled sync within a minute.
REQUEST_DEADLINE: Final = 60.0
IDEMPOTENCY_KEY_MAX: Final = 255

# The vendor's text is "Monthly usage limit reached. ..."; matching the core phrase
# tolerates small rewordings of it.
_QUOTA_TEXT = re.compile(r"usage limit", re.IGNORECASE)
_MESSAGE_MAX = 500
_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")
# Failures in these phases happen before any byte of the request reaches the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)

T = TypeVar("T")


# --- outcomes ---------------------------------------------------------------------


class ApiError(Exception):
    """Any failed call. ``status`` is the HTTP status, ``None`` when there was no reply."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class AuthError(ApiError):
    """401: the key is missing, wrong, rotated or disabled."""


class QuotaExceeded(ApiError):
    """403 for the company's monthly usage limit; nothing was processed."""

    def __init__(self, message: str, status: int, resets_at: str | None) -> None:
        super().__init__(message, status)
        self.resets_at = resets_at


class Forbidden(ApiError):
    """Any other 403 (add-on missing, IP not allowed); ``message`` is the server's text."""


class ValidationError(ApiError):
    """400 (or another 4xx refusing this request); ``message`` is the server's text."""


class NotFound(ApiError):
    """404."""


class ServerError(ApiError):
    """5xx, or a reply that is not the API's JSON envelope.

    ``retry_after``: seconds the server asked the client to wait (``Retry-After`` on
    a 429 or 503), ``None`` when it did not say.
    """

    def __init__(self, message: str, status: int | None = None, *,
                 retry_after: float | None = None) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after


class NetworkError(ApiError):
    """No reply. ``maybe_delivered`` is False only when the request surely never left."""

    def __init__(self, message: str, *, maybe_delivered: bool) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


class ServerUrlError(ValueError):
    """The ``server-url`` setting is unusable; the message states the rule."""


# --- values -----------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """The company's monthly request count as the last response reported it."""

    count: int
    limit: int
    resets_at: str


class Pagination(NamedTuple):
    page: int
    limit: int
    total: int
    total_pages: int


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list reply with the server's pagination."""

    items: list[T]
    #: One message per item that could not be read, naming the item and the field.
    invalid: list[str]
    page: int
    limit: int
    total: int
    total_pages: int


class JobPage(Page[ServerJob]):
    @property
    def jobs(self) -> list[ServerJob]:
        return self.items


class CustomerPage(Page[dict[str, Any]]):
    @property
    def customers(self) -> list[dict[str, Any]]:
        return self.items


# --- settings ---------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_base_url(url: str) -> str:
    """``https://host`` or ``https://host/api/v1`` as the API's base URL.

    Plain ``http://`` is refused except for this computer, so a key never crosses a
    network in clear text.
    """
    text = url.strip()
    shape = "server-url must look like https://crm.example.com or https://crm.example.com/api/v1"
    try:
        parsed: httpx.URL | None = httpx.URL(text)
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in ("https", "http") or not parsed.host:
        raise ServerUrlError(f"{shape}; got {redact(text)!r}")
    if parsed.userinfo or parsed.query or parsed.fragment:
        raise ServerUrlError(
            "server-url must not contain a user name, password, ?query or #fragment"
        )
    if parsed.scheme == "http" and not _is_loopback(parsed.host):
        raise ServerUrlError(
            f"server-url must use https:// for {parsed.host}: plain http:// is allowed only "
            "for this computer (localhost, 127.0.0.0/8, ::1)"
        )
    path = parsed.path.rstrip("/")
    if not path.endswith(API_PREFIX):
        path += API_PREFIX
    return str(parsed.copy_with(path=path))


# --- parsing replies --------------------------------------------------------------


def _unwrap(data: object, key: str) -> object:
    """The record itself, whether ``data`` is the record or ``{key: record}``."""
    if isinstance(data, Mapping) and "uuid" not in data and isinstance(data.get(key), Mapping):
        return data[key]
    return data


def _count(pagination: Mapping[str, Any], name: str) -> int:
    value = pagination.get(name)
    if not isinstance(value, bool) and isinstance(value, int | str):
        try:
            return int(value)
        except ValueError:
            pass
    raise ValueError(f"{name} is {value!r:.40}")


_PageT = TypeVar("_PageT", bound=Page[Any])


def _read_page(
    data: object, key: str, parse: Callable[[Any], T], page_type: type[_PageT]
) -> _PageT:
    """A list reply's ``data`` as a page; one bad record is reported, not raised,
    so it never costs the rest of the page."""
    if not isinstance(data, Mapping) or not isinstance(data.get(key), list):
        raise ServerError(f"the server's list reply has no {key!r} array")
    raw_pagination = data.get("pagination")
    try:
        if not isinstance(raw_pagination, Mapping):
            raise ValueError("pagination")
        pagination = Pagination(*(_count(raw_pagination, f) for f in Pagination._fields))
    except ValueError as exc:
        raise ServerError(f"the server's list reply has no usable pagination ({exc})") from None
    items: list[T] = []
    invalid: list[str] = []
    singular = key.rstrip("s")
    for index, raw in enumerate(data[key]):
        try:
            items.append(parse(raw))
        except FieldError as exc:
            ident = raw.get("uuid") if isinstance(raw, Mapping) else None
            where = (
                ident[:64] if isinstance(ident, str) else f"#{index + 1} of page {pagination.page}"
            )
            invalid.append(redact(f"{singular} {where}: {exc}"))
    return page_type(items, invalid, *pagination)


def parse_job_page(data: object) -> JobPage:
    """The ``data`` of a ``GET /jobs`` reply as domain objects."""
    return _read_page(data, "jobs", parse_server_job, JobPage)


def parse_customer_page(data: object) -> CustomerPage:
    """The ``data`` of a ``GET /customers`` reply as normalised dicts."""
    return _read_page(data, "customers", parse_customer, CustomerPage)


def _parse_single(data: object, key: str, parse: Callable[[Any], T]) -> T:
    try:
        return parse(_unwrap(data, key))
    except FieldError as exc:
        raise ServerError(redact(f"the server sent a {key} that cannot be read: {exc}")) from None


def _usage_from(headers: httpx.Headers) -> Usage | None:
    # All three or nothing: a reply without them (a proxy's error page, say) says
    # nothing about the CRM's counter and must not overwrite what we know.
    count, limit, resets = (
        headers.get(h) for h in ("X-Usage-Count", "X-Usage-Limit", "X-Usage-Resets")
    )
    if count is None or limit is None or not resets:
        return None
    try:
        return Usage(count=int(count), limit=int(limit), resets_at=resets.strip())
    except ValueError:
        return None


def _date_from(headers: httpx.Headers) -> str | None:
    """The reply's ``Date`` as an ISO UTC stamp: the server's clock, not this one's."""
    text = headers.get("Date")
    if not text:
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: A ``Retry-After`` beyond this is taken as this: a misconfigured server must not
#: silence a device for days (the quota's own pause has its own, exact signal).
RETRY_AFTER_CAP_S: Final = 6 * 3600.0


def retry_after(headers: httpx.Headers, now: float | None = None) -> float | None:
    """``Retry-After`` (delay-seconds or an HTTP date) as seconds from now, if readable.

    ``now`` is a POSIX time for the HTTP-date form (the reply's ``Date`` when it has
    one: both stamps then come from the server's clock).
    """
    text = (headers.get("Retry-After") or "").strip()
    if not text:
        return None
    if text.isdigit():
        return min(float(text), RETRY_AFTER_CAP_S)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    if now is None:
        date = headers.get("Date")
        try:
            sent = email.utils.parsedate_to_datetime(date) if date else None
        except (TypeError, ValueError):
            sent = None
        now = sent.timestamp() if sent is not None and sent.tzinfo else time.time()
    return min(max(0.0, when.timestamp() - now), RETRY_AFTER_CAP_S)


def _decode(content: bytes) -> object:
    """The JSON body, or ``None`` when it is empty or not JSON."""
    if not content.strip():
        return None
    try:
        return json.loads(content)
    # RecursionError: absurdly nested JSON must be a bad reply, not a crashed sync.
    except (ValueError, RecursionError):
        return None


def _server_text(body: object) -> str | None:
    if not isinstance(body, Mapping):
        return None
    error = body.get("error", body.get("message"))
    if isinstance(error, Mapping):
        error = error.get("message")
    if not isinstance(error, str) or not error.strip():
        return None
    return redact(error.strip()[:_MESSAGE_MAX])


def _error_for(response: httpx.Response, body: object) -> ApiError:
    status = response.status_code
    text = _server_text(body)
    if text is None:
        suffix = "" if isinstance(body, Mapping) else " (the reply was not JSON)"
        message = f"HTTP {status} {response.reason_phrase}".rstrip() + suffix
    else:
        message = text
    if status == 401:
        return AuthError(message, status)
    if status == 403:
        usage = _usage_from(response.headers)
        # The headers are the fallback should the vendor ever reword its message.
        if (text and _QUOTA_TEXT.search(text)) or (usage and usage.count >= usage.limit):
            return QuotaExceeded(message, status, response.headers.get("X-Usage-Resets"))
        return Forbidden(message, status)
    if status == 404:
        return NotFound(message, status)
    # Timeouts and rate limits are passing conditions: retry later, like a 5xx.
    if status in (408, 429) or status >= 500:
        wait = retry_after(response.headers) if status in (429, 503) else None
        return ServerError(message, status, retry_after=wait)
    if 400 <= status < 500:
        return ValidationError(message, status)
    location = response.headers.get("Location")
    hint = f" to {redact(location)}; check server-url" if location else ""
    return ServerError(f"unexpected HTTP {status}{hint}", status)


def _network_error(method: str, path: str, exc: httpx.TransportError) -> NetworkError:
    reason = redact(str(exc)) or type(exc).__name__
    if isinstance(exc, _NOT_SENT):
        return NetworkError(
            f"could not reach the server for {method} {path} ({reason}); nothing was sent",
            maybe_delivered=False,
        )
    return NetworkError(
        f"no reply to {method} {path} ({reason}); the server may have processed it",
        maybe_delivered=True,
    )


# --- the deadline -----------------------------------------------------------------

# When the request running on this thread must be done by (``time.monotonic()``), or
# None. Thread-local because a connection is read by whichever thread is using it,
# and a scan's read-ahead runs its own requests beside the main thread's.
_deadline = threading.local()


class _DeadlinePassed(Exception):
    pass


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of this thread's deadline."""
    at: float | None = getattr(_deadline, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise expired("the request's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the current request's deadline,
    so a reply trickled a byte at a time is cut off even before its headers are
    complete (the body alone is also checked between chunks, in ``_call``)."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        ))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, _bounded(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _deadline_transport(trust_env: bool) -> httpx.HTTPTransport:
    """httpx's own transport, its connections bounded by each request's deadline.

    httpx offers no public way to give its pool a network backend, so the backend is
    swapped in place; should a future httpx lay its transport out differently, the
    check between body chunks in ``_call`` still bounds every trickled reply.
    """
    transport = httpx.HTTPTransport(verify=True, trust_env=trust_env)
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if isinstance(inner, httpcore.NetworkBackend):
        pool._network_backend = _DeadlineBackend(inner)  # type: ignore[union-attr]
    else:
        log.warning("httpx's transport has changed; replies are bounded between chunks only")
    return transport


def _check_idempotency_key(key: str) -> str:
    if not 0 < len(key) <= IDEMPOTENCY_KEY_MAX or not _HEADER_SAFE.match(key):
        raise ValueError(
            f"an idempotency key must be 1-{IDEMPOTENCY_KEY_MAX} printable ASCII characters"
        )
    return key


def _segment(value: str) -> str:
    # A path segment, escaped so a stray "/" or "?" in an id cannot reach another URL.
    return quote(value, safe="")


def _page_params(page: int, include_deleted: bool) -> dict[str, str | int]:
    if page < 1:
        raise ValueError("pages start at 1")
    return {
        "page": page,
        "limit": PAGE_LIMIT,
        "include_deleted": "true" if include_deleted else "false",
    }


def _wire_body(body: Mapping[str, Any]) -> bytes:
    return json.dumps({k: wire_value(v) for k, v in body.items()}, ensure_ascii=False).encode()


# --- the client -------------------------------------------------------------------


class ApiClient:
    """One company's API over one pooled HTTP connection set. Close it when done.

    ``on_usage`` is called with each new ``Usage`` (errors included) so the caller can
    persist it; ``requests_sent`` counts every request attempted, failed ones too;
    ``last_replayed`` tells whether the last reply was an idempotent replay.
    ``read_timeout`` bounds each wait for the server (and each write); ``deadline``
    (``REQUEST_DEADLINE`` when ``None``) bounds a whole request, connecting to the
    last byte; ``transport`` replaces the network, for benchmarks that time parsing
    alone.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        on_usage: Callable[[Usage], None] | None = None,
        read_timeout: float = READ_TIMEOUT,
        deadline: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = normalise_base_url(base_url)
        self.deadline = REQUEST_DEADLINE if deadline is None else deadline
        if self.deadline <= 0:
            raise ValueError("the request deadline must be positive")
        key = api_key.strip()
        add_secret(key)
        if not _HEADER_SAFE.match(key):
            # Naming the key here would leak it into logs and tracebacks.
            raise AuthError("the API key contains spaces or characters that are not allowed")
        self.usage: Usage | None = None
        #: The server's clock as its last reply's ``Date`` gave it (ISO, UTC), if any.
        self.server_date: str | None = None
        self.requests_sent = 0
        self.last_replayed = False
        #: The longest ``Retry-After`` a reply asked for since the caller last reset
        #: this: callers that catch ``ServerError`` per record still learn of it.
        self.retry_after: float | None = None
        self._on_usage = on_usage
        # Proxy variables are for reaching the internet; a loopback server (the
        # emulator, a tunnel) must never be sent through one.
        trust_env = not _is_loopback(httpx.URL(self.base_url).host)
        # No single wait may outlast the deadline either, so a silent server is
        # given up on at the deadline whichever transport carries the request.
        wait = min(read_timeout, self.deadline)
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {key}",
                "Accept": "application/json",
                "User-Agent": f"jobdesk/{__version__}",
            },
            timeout=httpx.Timeout(wait, connect=min(CONNECT_TIMEOUT, self.deadline)),
            verify=True,
            follow_redirects=False,
            trust_env=trust_env,
            transport=transport if transport is not None else _deadline_transport(trust_env),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- transport ---------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> object:
        """Send one request and return the envelope's ``data`` (``None`` if empty)."""
        headers: dict[str, str] = {}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = _check_idempotency_key(idempotency_key)
        content = None
        if body is not None:
            content = _wire_body(body)
            headers["Content-Type"] = "application/json"
        self.requests_sent += 1
        self.last_replayed = False
        started = time.perf_counter()
        due = time.monotonic() + self.deadline
        _deadline.at = due
        try:
            request = self._http.build_request(
                method, path, params=params, content=content, headers=headers
            )
            response = self._http.send(request, stream=True)
            try:
                raw = _read_until(response, due)
            except (httpx.TransportError, _DeadlinePassed):
                # The headers came, so the server counted the request: its usage
                # figures still keep the governor's count true.
                self._observe(response)
                raise
            finally:
                # Before its end this closes the connection rather than pooling it:
                # the rest of the reply would still be on its way.
                response.close()
        except (httpx.TransportError, _DeadlinePassed) as exc:
            log.info("%s %s failed: %s", method, path, type(exc).__name__)
            # A failure of its own, not the deadline (``_DeadlinePassed`` comes only after it).
            if isinstance(exc, httpx.TransportError) and time.monotonic() < due:
                raise _network_error(method, path, exc) from exc
            # Still connecting when the deadline ran out: the request never left.
            sent = not isinstance(exc, _NOT_SENT)
            raise NetworkError(
                f"no complete reply to {method} {path} within {self.deadline:g} s"
                + ("; the server may have processed it" if sent else "; nothing was sent"),
                maybe_delivered=sent,
            ) from exc
        except httpx.DecodingError as exc:
            raise ServerError(f"the reply to {method} {path} could not be decoded") from exc
        finally:
            _deadline.at = None
        self._observe(response)
        log.debug(
            "%s %s -> %d in %.0f ms%s",
            method,
            path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
            " (idempotent replay)" if self.last_replayed else "",
        )
        body_json = _decode(raw)
        if not response.is_success:
            error = _error_for(response, body_json)
            if isinstance(error, ServerError) and error.retry_after is not None:
                self.retry_after = max(self.retry_after or 0.0, error.retry_after)
            raise error
        if body_json is None:
            if raw.strip():
                raise ServerError(f"the reply to {method} {path} is not JSON", response.status_code)
            return None
        if (
            not isinstance(body_json, Mapping)
            or body_json.get("success") is False
            or "data" not in body_json
        ):
            text = _server_text(body_json)
            raise ServerError(
                f"the reply to {method} {path} is not the API's envelope"
                + (f": {text}" if text else ""),
                response.status_code,
            )
        return body_json["data"]

    def _observe(self, response: httpx.Response) -> None:
        self.last_replayed = (
            response.headers.get("X-Idempotency-Cached", "").strip().lower() == "true"
        )
        self.server_date = _date_from(response.headers) or self.server_date
        usage = _usage_from(response.headers)
        if usage is None:
            return
        self.usage = usage
        if self._on_usage is not None:
            # Persisting usage is bookkeeping; its failure must not turn a write the
            # server already made into an error the engine would retry.
            try:
                self._on_usage(usage)
            except Exception:
                log.exception("could not record API usage")

    # --- company ------------------------------------------------------------------

    def company(self) -> dict[str, Any]:
        """``GET /companies/me``: the cheap call that proves a key works."""
        data = _unwrap(self._call("GET", "/companies/me"), "company")
        if not isinstance(data, Mapping):
            raise ServerError("the reply to GET /companies/me is not a company")
        return dict(data)

    def locations(self) -> list[Any]:
        """``GET /locations``, the first page (a company has a handful of offices)."""
        data = self._call("GET", "/locations", params=_page_params(1, False))
        if not isinstance(data, Mapping) or not isinstance(data.get("locations"), list):
            raise ServerError("the reply to GET /locations has no 'locations' array")
        return list(data["locations"])

    # --- jobs ---------------------------------------------------------------------

    def list_jobs(
        self,
        page: int,
        *,
        include_deleted: bool = False,
        statuses: Sequence[str] | None = None,
        priority: str | None = None,
        customer_uuid: str | None = None,
        location_uuid: str | None = None,
        assigned_to_user_id: str | None = None,
        search: str | None = None,
    ) -> JobPage:
        """One page of jobs, always ``limit=100``."""
        params = _page_params(page, include_deleted)
        if statuses is not None:
            if not statuses:
                raise ValueError("statuses must name at least one status (None means all)")
            params["status"] = ",".join(statuses)
        optional = {
            "priority": priority,
            "customer_uuid": customer_uuid,
            "location_uuid": location_uuid,
            "assigned_to_user_id": assigned_to_user_id,
            "search": search,
        }
        params.update({k: v for k, v in optional.items() if v is not None})
        return parse_job_page(self._call("GET", "/jobs", params=params))

    def iter_jobs(
        self,
        *,
        start: int = 1,
        include_deleted: bool = False,
        statuses: Sequence[str] | None = None,
        priority: str | None = None,
        customer_uuid: str | None = None,
        location_uuid: str | None = None,
        assigned_to_user_id: str | None = None,
        search: str | None = None,
    ) -> Iterator[JobPage]:
        """Pages from ``start`` to the last one; ``start`` lets a scan resume."""
        yield from _pages(
            lambda n: self.list_jobs(
                n,
                include_deleted=include_deleted,
                statuses=statuses,
                priority=priority,
                customer_uuid=customer_uuid,
                location_uuid=location_uuid,
                assigned_to_user_id=assigned_to_user_id,
                search=search,
            ),
            start,
        )

    def get_job(self, uuid: str) -> ServerJob:
        return _parse_single(self._call("GET", f"/jobs/{_segment(uuid)}"), "job", parse_server_job)

    def create_job(self, body: Mapping[str, Any], idempotency_key: str) -> ServerJob:
        """``POST /jobs`` with canonical values; the key makes a retry safe."""
        data = self._call("POST", "/jobs", body=body, idempotency_key=idempotency_key)
        return _parse_single(data, "job", parse_server_job)

    def update_job(self, uuid: str, body: Mapping[str, Any], idempotency_key: str) -> ServerJob:
        """``PUT /jobs/{uuid}``: only the fields in ``body`` change on the server."""
        data = self._call(
            "PUT", f"/jobs/{_segment(uuid)}", body=body, idempotency_key=idempotency_key
        )
        return _parse_single(data, "job", parse_server_job)

    def delete_job(self, uuid: str, idempotency_key: str | None = None) -> None:
        """``DELETE /jobs/{uuid}`` (a soft delete on the server)."""
        self._call("DELETE", f"/jobs/{_segment(uuid)}", idempotency_key=idempotency_key)

    # --- customers ----------------------------------------------------------------

    def list_customers(
        self,
        page: int,
        *,
        include_deleted: bool = False,
        search: str | None = None,
        filter: str | None = None,
    ) -> CustomerPage:
        """One page of customers, always ``limit=100``; ``filter`` is all|residential|
        commercial|vip."""
        params = _page_params(page, include_deleted)
        params.update({k: v for k, v in (("search", search), ("filter", filter)) if v is not None})
        return parse_customer_page(self._call("GET", "/customers", params=params))

    def iter_customers(
        self, *, start: int = 1, include_deleted: bool = False
    ) -> Iterator[CustomerPage]:
        """Every page of customers, for mirroring them."""
        yield from _pages(lambda n: self.list_customers(n, include_deleted=include_deleted), start)

    def get_customer(self, uuid: str) -> dict[str, Any]:
        data = self._call("GET", f"/customers/{_segment(uuid)}")
        return _parse_single(data, "customer", parse_customer)

    def create_customer(self, body: Mapping[str, Any], idempotency_key: str) -> dict[str, Any]:
        """``POST /customers``; the key makes a retry safe."""
        data = self._call("POST", "/customers", body=body, idempotency_key=idempotency_key)
        return _parse_single(data, "customer", parse_customer)

    def update_customer(self, uuid: str, body: Mapping[str, Any],
                        idempotency_key: str) -> dict[str, Any]:
        """``PUT /customers/{uuid}``: only the fields in ``body`` change on the server."""
        data = self._call("PUT", f"/customers/{_segment(uuid)}", body=body,
                          idempotency_key=idempotency_key)
        return _parse_single(data, "customer", parse_customer)


def _read_until(response: httpx.Response, due: float) -> bytes:
    """The whole body, unless the deadline passes first."""
    chunks: list[bytes] = []
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        if time.monotonic() >= due:
            raise _DeadlinePassed
    return b"".join(chunks)


def _pages(fetch: Callable[[int], _PageT], start: int) -> Iterator[_PageT]:
    number = start
    while True:
        page = fetch(number)
        yield page
        # An empty page ends the scan even if the server's total is stale, so a
        # shrinking list can never make it loop forever.
        if number >= page.total_pages or not (page.items or page.invalid):
            return
        number += 1
