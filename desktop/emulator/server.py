"""HTTP on loopback: the stdlib threaded server, connection-level faults, timing, the log.

Keep-alive (HTTP/1.1) so pooled clients behave as they would against the real
server. Every open connection is tracked so ``stop`` can close idle keep-alive
sockets and join every handler thread instead of leaking them.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from .envelope import encode, failure
from .faults import Faults, Trickle
from .pipeline import Pipeline, Reply, api_path

log = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 1_000_000
LOG_CAPACITY: Final = 100_000
IDLE_TIMEOUT_SECONDS: Final = 60.0


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it.

    ``status`` is what was (or, if ``dropped``, would have been) sent; ``None`` when
    the connection was dropped before processing. ``server_seconds`` runs from the
    request being read to its answer being encoded and ready to send, injected
    latency excluded. The entry is logged before the answer goes out, so a client
    holding a response always finds its request in the log. ``trickled``: a
    ``trickle`` fault was sprung on it, so its answer is going out a byte at a time.
    """

    method: str
    path: str
    query: str
    status: int | None
    counted: bool
    replayed: bool
    dropped: bool
    server_seconds: float
    trickled: bool = False


class RequestLog:
    """The most recent ``LOG_CAPACITY`` requests; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LoggedRequest] = deque(maxlen=LOG_CAPACITY)

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class _TrickleWriter:
    """Sends what it is given one byte every ``interval`` seconds.

    Waits on ``closing`` rather than sleeping, so stopping the emulator never waits
    out a slow trickle; the handler then ends like one whose client went away.
    """

    def __init__(self, raw: Any, interval: float, closing: threading.Event) -> None:
        self._raw = raw
        self._interval = interval
        self._closing = closing

    def write(self, data: bytes) -> int:
        for index in range(len(data)):
            if self._closing.wait(self._interval):
                raise ConnectionAbortedError("the emulator is stopping")
            self._raw.write(data[index:index + 1])
        return len(data)

    def flush(self) -> None:
        self._raw.flush()


class EmulatorServer(ThreadingHTTPServer):
    # Joined on close (after their sockets are shut) rather than left as daemons.
    daemon_threads = False
    block_on_close = True
    # 50 clients connecting at once must not overflow the listen backlog.
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], pipeline: Pipeline, faults: Faults, request_log: RequestLog
    ) -> None:
        self.pipeline = pipeline
        self.faults = faults
        self.request_log = request_log
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        #: Set once the server is closing, so no handler keeps a connection open on purpose.
        self.closing = threading.Event()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake every handler blocked on a keep-alive socket so its thread ends."""
        self.closing.set()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            # OSError: already closed by the client or by its handler.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client vanishing mid-answer is normal here (tests drop connections on purpose).
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server_version = "CustomTradesCRM-Emulator/1"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_SECONDS
    # Headers and body go out in two writes; Nagle would hold the body for an ACK.
    disable_nagle_algorithm = True
    server: EmulatorServer

    def __getattr__(self, name: str) -> Any:
        # Any verb reaches the router, so odd methods get the API's 405, not stdlib's 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """``Date`` by the emulator's clock, which tests move, like its stamps."""
        return email.utils.format_datetime(self.server.pipeline.now(), usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record, not stderr."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Requests too malformed to route still get the JSON envelope."""
        body = encode(failure(message or HTTPStatus(code).phrase))
        self.close_connection = True
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in self.server.pipeline.usage_headers().items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _read_body(self) -> bytes | str | None:
        """The request body, or why it cannot be read (the connection is then closed);
        ``None`` when the client went away before sending all of it."""
        if self.headers.get("Transfer-Encoding", "identity").lower() != "identity":
            return "Chunked request bodies are not supported; send Content-Length"
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        try:
            length = int(raw)
        except ValueError:
            return "Content-Length must be a whole number"
        if length < 0:
            return "Content-Length must be a whole number"
        if length > MAX_BODY_BYTES:
            return f"Request body too large (at most {MAX_BODY_BYTES} bytes)"
        body = self.rfile.read(length)
        # A client killed half-way through its body: like any HTTP server, hand the
        # application nothing. Answering (and storing) "not valid JSON" under the
        # request's idempotency key would refuse the full body when it is sent again.
        return body if len(body) == length else None

    def _serve(self) -> None:
        server = self.server
        path, _, query = self.path.partition("?")
        relative = api_path(path) or path
        body = self._read_body()
        latency = server.faults.latency
        if latency:
            time.sleep(latency)
        started = time.perf_counter()

        def record(
            status: int | None, reply: Reply | None, dropped: bool, trickled: bool = False
        ) -> None:
            server.request_log.add(LoggedRequest(
                method=self.command, path=path, query=query, status=status,
                counted=reply.counted if reply else False,
                replayed=reply.replayed if reply else False,
                dropped=dropped, server_seconds=time.perf_counter() - started,
                trickled=trickled,
            ))

        if body is None or server.faults.take("drop_before", self.command, relative):
            self.close_connection = True
            record(None, None, dropped=True)
            return
        if isinstance(body, str):
            self.close_connection = True
            reply = server.pipeline.refuse(path, 400, body)
        else:
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                reply = server.pipeline.handle(self.command, path, query, headers, body)
            except Exception:
                log.exception("emulator failed on %s %s", self.command, self.path)
                reply = server.pipeline.server_error()
        if server.faults.take("drop_after", self.command, relative):
            self.close_connection = True
            record(reply.status, reply, dropped=True)
            return
        trickle = server.faults.take_trickle(self.command, relative)
        record(reply.status, reply, dropped=False, trickled=trickle is not None)
        if trickle is None:
            self._write(reply)
            return
        try:
            self._trickle(reply, trickle)
        except OSError:
            # The client gave up waiting (the point of the fault) or the server is
            # stopping: the answer is incomplete, so the connection cannot be reused.
            self.close_connection = True
            if not server.closing.is_set():
                server.faults.note_trickle_cut_off()

    def _trickle(self, reply: Reply, trickle: Trickle) -> None:
        raw = self.wfile
        slow = _TrickleWriter(raw, trickle.interval, self.server.closing)
        self.wfile = slow if trickle.headers else raw  # type: ignore[assignment]
        try:
            self._write(reply, body_to=slow)
        finally:
            self.wfile = raw

    def _write(self, reply: Reply, body_to: Any = None) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            (body_to or self.wfile).write(reply.body)
