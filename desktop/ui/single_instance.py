"""One app per data directory: a second launch asks the first to come forward.

Which launch is the first is settled by an OS file lock in the data dir
(``window.lock``, ``filelock``: ``flock`` on POSIX, the system's own locking on Windows),
held for the app's whole life. Taking it is atomic, so of two launches started at
the same moment exactly one wins; the kernel drops it when its holder ends however it
ends, so a crashed app never leaves a lock that blocks the next start. Only the holder
listens on the local socket, which makes removing a socket file that is in the way
safe: nobody else can be serving it. A launch that cannot take the lock hands its
request to the holder over that socket and leaves.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import logging
import os
import time
from pathlib import Path

from filelock import FileLock, Timeout
from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_MS = 500
MESSAGE = b"raise\n"
#: How long a launch that lost the lock waits for the holder to listen. The holder
#: listens straight after taking the lock, so this is only reached when it is stuck.
HANDOFF_S = 10.0
#: Between two tries to reach the holder: a socket that is not listening yet has no
#: event to wait on.
RETRY_S = 0.02

log = logging.getLogger(__name__)


class AlreadyRunning(RuntimeError):
    """Another app holds this data dir but did not take the request in time."""


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    # Local socket names are shared across users on some systems.
    user = hashlib.sha256(getpass.getuser().encode()).hexdigest()[:8]
    return f"jobdesk-{user}-{digest}"


def lock_path(data_dir: Path) -> Path:
    return data_dir / "window.lock"


def holder_file(lock: Path) -> Path:
    """Beside the lock, not in it: Windows refuses reads of a locked file."""
    return lock.with_name(lock.name + ".pid")


class SingleInstance(QObject):
    raise_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self.lock_path = lock_path(data_dir)
        # Not a per-path singleton, as with the sync lock: a second claim from this
        # process (a test) must be refused like another process's.
        self._lock = FileLock(self.lock_path, timeout=0, mode=0o600, thread_local=False,
                              is_singleton=False)
        self._server: QLocalServer | None = None

    def start(self, wait_s: float = HANDOFF_S) -> bool:
        """Claim the data dir (True), or hand the request to the app that has it
        (False). Raises ``AlreadyRunning`` if that app does not answer in ``wait_s``."""
        deadline = time.monotonic() + wait_s
        while True:
            if self.listen():
                return True
            if self.notify_running():
                return False
            # The holder may have the lock but not be listening yet, or be closing:
            # then the lock comes free and the next turn takes it.
            if time.monotonic() >= deadline:
                raise AlreadyRunning(
                    f"JobDesk is already running for this data folder (pid "
                    f"{self.holder() or '?'}) but did not answer; if it is stuck, end it "
                    "and start JobDesk again.")
            time.sleep(RETRY_S)

    def holder(self) -> str | None:
        """The pid of the app that last took the lock, if it says."""
        try:
            return holder_file(self.lock_path).read_text(encoding="ascii").strip() or None
        except OSError:
            return None

    def notify_running(self) -> bool:
        """Ask an app already serving this data dir to show itself; True if one did."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_MS):
            return False
        socket.write(MESSAGE)
        socket.waitForBytesWritten(CONNECT_MS)
        socket.disconnectFromServer()
        return True

    def listen(self) -> bool:
        """Take the lock and serve the data dir; False if another app holds it."""
        if self._server is not None:
            return True
        self.lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self._lock.acquire()
        except Timeout:
            return False
        holder_file(self.lock_path).write_text(str(os.getpid()), encoding="ascii")
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # With the lock held, a socket file already there is a crashed app's.
        if not server.listen(self.name):
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                # Still the one window: later launches wait, then say it did not answer.
                log.warning("cannot listen for other launches (%s): %s", self.name,
                            server.errorString())
        server.newConnection.connect(self._connected)
        self._server = server
        return True

    def _connected(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            # The other launch writes its one line at once and leaves; reading it here
            # keeps no half-open socket waiting on the event loop.
            if socket.bytesAvailable() or socket.waitForReadyRead(CONNECT_MS):
                message = bytes(socket.readAll().data())
            else:
                message = b""
            socket.abort()
            socket.deleteLater()
            if message.strip() == MESSAGE.strip():
                self.raise_requested.emit()

    def close(self) -> None:
        if self._server is not None:
            # Stop answering before letting go: a launch in between takes the lock
            # rather than handing its request to an app on its way out.
            self._server.close()
            self._server = None
            with contextlib.suppress(OSError):
                holder_file(self.lock_path).write_text("", encoding="ascii")
            self._lock.release()
