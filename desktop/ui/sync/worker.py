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
from desktop.core.api import ServerUrlError, normalise_base_url
from desktop.core.store import Store
from desktop.core.store.edits import now_iso
from desktop.core.sync import SyncEngine
from desktop.ui.session import Session
from desktop.ui.sync.status import SyncSnapshot, parse_finished

log = logging.getLogger(__name__)

#: Quiet time after a local edit before it is sent, so a burst of edits goes as one.
AFTER_CHANGE_MS = 3000
#: How soon to look again when another process holds the sync lock (seconds).
BUSY_RETRY_S = 30
#: Progress reaches the GUI thread at most this often (seconds).
PROGRESS_INTERVAL_S = 0.1


def _report(status: str, message: str) -> dict[str, Any]:
    return {"status": status, "message": message, "pushed": 0, "pulled": 0, "conflicts": 0,
            "rejected": 0, "requests": 0, "usage": None, "retry_after": None}


class SyncWorker(QObject):
    """Lives on the sync thread; each ``run`` is one engine cycle."""

    progress = Signal(str, int, int)
    finished = Signal(dict)

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

    def _cycle(self, full: bool, force: bool, settings: Settings,
               server: tuple[str, str] | None) -> dict[str, Any]:
        if server is not None:
            url, key = server
        else:
            try:
                url = normalise_base_url(settings.effective_server_url())
            except ServerUrlError as exc:
                return _report("error", str(exc))
            key = get_api_key(url) or ""
        if not key:
            return _report("auth", "No API key is stored for this server; enter it in Settings")
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
    _run = Signal(bool, bool, object, object)

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
