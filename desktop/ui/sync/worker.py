"""Background sync: a worker thread runs the engine; the GUI only hears about it.

The controller (GUI thread) decides when to sync: at start, on the settings
interval, a few seconds after a local change, on F5, when the network comes back,
and when the engine asks to be run again (back-off, quota). The worker (its own
QThread) runs ``SyncEngine.run`` and sends back only plain values through queued
signals. A request made while a sync runs is remembered and run right after.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtNetwork import QNetworkInformation

from desktop.config import Paths, Settings, get_api_key
from desktop.core.api import (
    ApiError,
    AuthError,
    Forbidden,
    NetworkError,
    QuotaExceeded,
    ServerUrlError,
    normalise_base_url,
)
from desktop.core.store import Store
from desktop.core.store.edits import now_iso
from desktop.core.sync import SyncEngine
from desktop.core.sync.lock import SyncBusy
from desktop.ui.session import Session
from desktop.ui.sync.status import SyncSnapshot, parse_finished

log = logging.getLogger(__name__)

#: Quiet time after a local edit before it is sent, so a burst of edits goes as one.
AFTER_CHANGE_MS = 3000
#: How soon to look again when another process holds the sync lock (seconds).
BUSY_RETRY_S = 30
#: Progress reaches the GUI thread at most this often (seconds).
PROGRESS_INTERVAL_S = 0.1


class _NoServer(Exception):
    """No server or key to talk to; ``status`` is the report status that says so."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def _report(status: str, message: str) -> dict[str, Any]:
    return {"status": status, "message": message, "pushed": 0, "pulled": 0, "conflicts": 0,
            "rejected": 0, "requests": 0, "usage": None, "retry_after": None}


class SyncWorker(QObject):
    """Lives on the sync thread; each ``run`` is one engine cycle."""

    progress = Signal(str, int, int)
    finished = Signal(dict)
    #: One job's details were asked for: its local id and the outcome, one of "ok"
    #: (read and merged), "offline", "failed" (the server had a problem), "auth",
    #: "quota", "refused" (403) or "busy" (another process syncs this data).
    details_fetched = Signal(int, str)

    def __init__(self, store: Store, paths: Paths) -> None:
        super().__init__()
        self._store = store
        self._paths = paths
        self._last_progress = 0.0
        # Kept between cycles (its HTTP connections stay warm) until what it was
        # built from changes.
        self._engine: SyncEngine | None = None
        self._built_from: tuple[object, ...] = ()

    @Slot(bool, bool, object, object)
    def run(self, full: bool, force: bool, settings: Settings,
            server: tuple[str, str] | None) -> None:
        """One cycle against ``server`` (url, key), or the configured server and the
        key from the keyring (read here: a keyring may take a while to answer).
        ``force``: the user asked, so one probe goes out even in a spent month."""
        try:
            result = self._cycle(full, force, settings, server)
        except Exception as exc:
            # The engine reports network and server trouble itself; anything that
            # escapes is a bug, and it must not take the sync thread down with it.
            log.exception("sync cycle failed")
            result = _report("error", f"Sync stopped by an unexpected error: {exc}")
        result.setdefault("finished_at", now_iso())
        self.finished.emit(result)

    def _server(self, settings: Settings, server: tuple[str, str] | None) -> tuple[str, str]:
        """The url and key to use; raises ``_NoServer`` when there are none."""
        if server is not None:
            return server
        try:
            url = normalise_base_url(settings.effective_server_url())
        except ServerUrlError as exc:
            raise _NoServer("error", str(exc)) from None
        key = get_api_key(url, self._paths) or ""
        if not key:
            raise _NoServer("auth", "No API key is stored for this server; enter it in Settings")
        return url, key

    def _cycle(self, full: bool, force: bool, settings: Settings,
               server: tuple[str, str] | None) -> dict[str, Any]:
        try:
            url, key = self._server(settings, server)
        except _NoServer as exc:
            return _report(exc.status, str(exc))
        report = self._engine_for(settings, url, key).run(full=full, progress=self._progress,
                                                          force=force)
        return dict(report.to_json())

    def _engine_for(self, settings: Settings, url: str, key: str) -> SyncEngine:
        wanted = (url, key, settings.my_user_id, settings.quota_share_percent)
        if self._engine is None or wanted != self._built_from:
            self.close()
            self._engine = SyncEngine(self._store, self._paths, settings, url, key)
            self._built_from = wanted
        return self._engine

    @Slot(int, object, object)
    def fetch(self, local_id: int, settings: Settings,
              server: tuple[str, str] | None) -> None:
        """Read one job's whole record (one GET) into the mirror; emits the outcome."""
        try:
            outcome = self._fetch(local_id, settings, server)
        except Exception:
            # As for a cycle: a bug here must not take the sync thread down.
            log.exception("reading the details of job %s failed", local_id)
            outcome = "failed"
        self.details_fetched.emit(local_id, outcome)

    def _fetch(self, local_id: int, settings: Settings,
               server: tuple[str, str] | None) -> str:
        try:
            url, key = self._server(settings, server)
            # The engine's read, under the sync lock like a cycle (a `jobdesk sync` of
            # the same data elsewhere is left to finish) and paid from its budget.
            self._engine_for(settings, url, key).read_details(local_id)
        except _NoServer as exc:
            return "auth" if exc.status == "auth" else "failed"
        except SyncBusy:
            return "busy"
        except NetworkError as exc:
            log.info("details of job %s not read: %s", local_id, exc.message)
            return "offline"
        except AuthError:
            return "auth"
        except QuotaExceeded:
            return "quota"
        except Forbidden:
            return "refused"
        except ApiError as exc:
            log.warning("details of job %s not read: %s", local_id, exc.message)
            return "failed"
        return "ok"

    def cancel(self) -> None:
        """Ask a running cycle to stop after its current step (from any thread)."""
        engine = self._engine
        if engine is not None:
            engine.cancel()

    def close(self) -> None:
        """Let the engine go (called on the sync thread as it ends)."""
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def _progress(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_INTERVAL_S or (total and done >= total):
            self._last_progress = now
            self.progress.emit(phase, done, total)


class SyncController(QObject):
    """Decides when to sync and keeps what the status bar shows."""

    changed = Signal()
    #: A cycle ended; the report as a plain dict.
    finished = Signal(dict)
    #: A details read asked for with ``fetch_details`` ended: local id, outcome.
    details_fetched = Signal(int, str)
    _run = Signal(bool, bool, object, object)
    _fetch = Signal(int, object, object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._thread = QThread()
        self._thread.setObjectName("jobdesk-sync")
        self._worker = SyncWorker(session.store, session.paths)
        self._worker.moveToThread(self._thread)
        # Direct: ``finished`` is emitted on the sync thread itself, its last act.
        self._thread.finished.connect(self._worker.close, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(self._worker.deleteLater)
        self._run.connect(self._worker.run, Qt.ConnectionType.QueuedConnection)
        self._worker.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._worker.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._fetch.connect(self._worker.fetch, Qt.ConnectionType.QueuedConnection)
        self._worker.details_fetched.connect(self._on_details,
                                             Qt.ConnectionType.QueuedConnection)
        #: Jobs whose details are asked for and not answered yet.
        self._fetching: set[int] = set()
        self._running = False
        self._again: bool | None = None  # a request arrived mid-run (full or not)
        self._progress: tuple[str, int, int] | None = None
        self._started = False
        self.last: dict[str, Any] | None = session.store.get_meta("last_sync")
        self.last_ok_at = parse_finished(self.last) if (self.last or {}).get(
            "status") == "ok" else None
        self._interval = QTimer(self)
        self._interval.timeout.connect(lambda: self.sync_now(reason="interval"))
        self._soon = QTimer(self, singleShot=True, interval=AFTER_CHANGE_MS)
        self._soon.timeout.connect(lambda: self.sync_now(reason="local change"))
        self._retry = QTimer(self, singleShot=True)
        self._retry.timeout.connect(lambda: self.sync_now(reason="retry"))
        session.jobs_changed.connect(lambda _ids: self.local_change())
        session.settings_changed.connect(self._settings_changed)
        self._network: QNetworkInformation | None = None

    # -- state ------------------------------------------------------------------------

    @property
    def configured(self) -> bool:
        return self._session.demo is not None or bool(
            self._session.settings.effective_server_url())

    @property
    def running(self) -> bool:
        return self._running

    def snapshot(self, waiting: int, rejected: int, conflicts: int) -> SyncSnapshot:
        return SyncSnapshot(configured=self.configured, running=self._running,
                            progress=self._progress, last=self.last,
                            last_ok_at=self.last_ok_at, waiting=waiting, rejected=rejected,
                            conflicts=conflicts)

    # -- triggers -----------------------------------------------------------------------

    def start(self) -> None:
        """Begin: sync once now, then on the interval and on every other trigger."""
        self._thread.start()
        self._started = True
        self._watch_network()
        self._arm_interval()
        self.sync_now(reason="start")

    def sync_now(self, full: bool = False, reason: str = "user") -> None:
        if not self._started or not self.configured:
            return
        if self._running:
            self._again = bool(self._again) or full
            return
        log.info("sync (%s%s)", reason, ", full" if full else "")
        self._soon.stop()
        self._retry.stop()
        self._running = True
        self._progress = None
        demo = self._session.demo
        server = (demo.url, demo.api_key) if demo is not None else None
        # A copy: the worker must not see the GUI thread change settings mid-cycle.
        self._run.emit(full, reason == "user", dataclasses.replace(self._session.settings),
                       server)
        self.changed.emit()

    def fetch_details(self, local_id: int) -> str | None:
        """Ask the sync thread for one job's whole record (a summary-only job opened).

        None: asked (or already asked and not answered), ``details_fetched`` brings
        the outcome. Otherwise why no request goes out now: no CRM connected or sync
        not started ("unconfigured"), or the last sync met a refusal a read would
        only meet again and pay for ("auth", "quota", "refused").
        """
        if not self._started or not self.configured:
            return "unconfigured"
        status = (self.last or {}).get("status")
        if status in ("auth", "quota"):
            return str(status)
        if status == "forbidden":
            return "refused"
        if local_id not in self._fetching:
            self._fetching.add(local_id)
            demo = self._session.demo
            server = (demo.url, demo.api_key) if demo is not None else None
            self._fetch.emit(local_id, dataclasses.replace(self._session.settings), server)
        return None

    def _on_details(self, local_id: int, outcome: str) -> None:
        self._fetching.discard(local_id)
        self.details_fetched.emit(local_id, outcome)

    def local_change(self) -> None:
        if self._started and self.configured:
            self._soon.start()

    def _arm_interval(self) -> None:
        minutes = max(1, int(self._session.settings.sync_interval_minutes or 5))
        self._interval.start(minutes * 60_000)

    def _settings_changed(self) -> None:
        if self._started:
            self._arm_interval()
            self.sync_now(reason="settings changed")
        self.changed.emit()

    def _watch_network(self) -> None:
        # Where no backend loads (a minimal container, an odd desktop), the interval
        # and retry timers still bring sync back; there is nothing to report.
        if not QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability):
            return
        self._network = QNetworkInformation.instance()
        if self._network is not None:
            self._network.reachabilityChanged.connect(self._reachability_changed)

    def _reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        if reachability == QNetworkInformation.Reachability.Online:
            self.sync_now(reason="network back")

    # -- results ------------------------------------------------------------------------

    def _on_progress(self, phase: str, done: int, total: int) -> None:
        if self._running:
            self._progress = (phase, done, total)
            self.changed.emit()

    def _on_finished(self, report: dict[str, Any]) -> None:
        self._running = False
        self._progress = None
        self.last = report
        if report.get("status") == "ok":
            self.last_ok_at = parse_finished(report) or datetime.now(UTC)
        retry = report.get("retry_after") or (BUSY_RETRY_S if report.get("status") == "busy"
                                              else None)
        if retry:
            # QTimer counts in int milliseconds and a quota wait can be weeks: wake at
            # least daily and let the engine say again how long is left.
            self._retry.start(int(min(float(retry), 24 * 3600) * 1000))
        self.finished.emit(report)
        self.changed.emit()
        again, self._again = self._again, None
        if again is not None:
            self.sync_now(full=again, reason="requested during sync")

    def shutdown(self) -> None:
        """Stop the timers and a running cycle (after its current step, which is as
        safe as a crash: the next start carries on from there), then the thread."""
        for timer in (self._interval, self._soon, self._retry):
            timer.stop()
        self._started = False
        self._worker.cancel()
        self._thread.quit()
        self._thread.wait()
