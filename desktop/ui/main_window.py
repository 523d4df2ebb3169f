"""The main window: presets on the left, the job list in the middle, the job on the right."""

from __future__ import annotations

import gc
import logging
from datetime import date
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.core.store import CustomerRecord, JobQuery, JobRecord, Store
from desktop.ui import theme
from desktop.ui.board.page import BoardPage
from desktop.ui.customers.page import CustomersPage
from desktop.ui.dashboard.page import DashboardPage
from desktop.ui.documents.file_menu import FileMenu, FileMenuContext
from desktop.ui.jobs.conflict_dialog import ConflictDialog
from desktop.ui.jobs.detail_panel import DetailPanel
from desktop.ui.jobs.filter_bar import FilterBar
from desktop.ui.jobs.presets import DEFAULT_PRESET, PRESETS, PRESETS_BY_KEY, narrow
from desktop.ui.jobs.sidebar import Sidebar
from desktop.ui.jobs.table import JobTableModel, JobTableView
from desktop.ui.pages import Page
from desktop.ui.schedule.page import SchedulePage
from desktop.ui.session import Session
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.sync import status
from desktop.ui.sync.status_bar import StatusBar
from desktop.ui.sync.worker import SyncController

log = logging.getLogger(__name__)

#: While a sync runs, the list and counts are re-read this often so arrivals show.
LIVE_REFRESH_MS = 2000
COUNTS_DELAY_MS = 150
CLOCK_MS = 30_000
#: The sidebar preset is saved under its first name, so a saved choice survives.
PRESET_STATE = "view"

#: The ways of looking at the jobs: key, label, shortcut, tip, and the widget (the
#: list is the window's own table; the others are ``Page`` widgets).
PAGES: tuple[tuple[str, str, str, str, type[Page] | None], ...] = (
    ("list", "List", "Ctrl+1", "The jobs as a list", None),
    ("schedule", "Schedule", "Ctrl+2", "Jobs by day and time: drag to reschedule",
     SchedulePage),
    ("board", "Board", "Ctrl+3", "Jobs by status: drag to move them along", BoardPage),
    ("dashboard", "Dashboard", "Ctrl+4", "Counts, the next two weeks, this month's amounts",
     DashboardPage),
    ("customers", "Customers", "Ctrl+5", "Customers, their details and their jobs",
     CustomersPage),
)
#: Pages with no single job to show: the job panel gives them its room.
NO_JOB_PANEL = ("dashboard", "customers")
PAGE_TYPES = {key: kind for key, *_, kind in PAGES if kind is not None}

EMPTY_TEXT = {
    "today": "Nothing scheduled for today.",
    "mine": "No open jobs assigned to you.",
    "week": "Nothing scheduled this week.",
    "unscheduled": "Every open job has a date.",
    "approval": "No jobs waiting for approval.",
    "urgent": "No emergencies. Good.",
    "all": "No jobs yet. Press Ctrl+N to create one.",
    "waiting": "Every change is on the server.",
    "conflicts": "No conflicts.",
    "trash": "The Trash is empty.",
}


def _jobs(count: int) -> str:
    return f"{count:,} job{'' if count == 1 else 's'}"


def _counts(store: Store, my_user_id: str) -> dict[str, Any]:
    """Every preset's count and the sync backlog, read on the worker thread."""
    today = date.today()
    counts: dict[str, Any] = {}
    for preset in PRESETS:
        query = preset.build(today, my_user_id)
        counts[preset.key] = None if query is None else store.count(query)
    counts["sync"] = store.count_by_sync_state()
    return counts


class MainWindow(QMainWindow):
    def __init__(self, session: Session, sync: SyncController, state_file: Path,
                 preset: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.sync = sync
        self._state = QSettings(str(state_file), QSettings.Format.IniFormat)
        self._sync_counts: dict[str, int] = {}
        self._closing = False
        self._leaving = False
        self._counts_pending = 0
        self.setWindowTitle("JobDesk · Demo" if session.demo else "JobDesk")
        self.setWindowIcon(theme.app_icon())
        self.setAccessibleName("JobDesk")

        self.sidebar = Sidebar(self)
        self.filters = FilterBar(session.my_user_id, self)
        self.model = JobTableModel(session, self)
        self.table = JobTableView(self.model, self)
        self.detail = DetailPanel(session, self)
        #: The pages other than the list, made the first time each is shown.
        self._pages: dict[str, Page] = {}
        #: What the list shows (the preset narrowed by the filters); None: nothing.
        self.query: JobQuery | None = None
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self._build_actions()
        self._build_layout()

        self.sidebar.preset_chosen.connect(lambda _key: self.apply_query())
        self.filters.changed.connect(self.apply_query)
        self.table.current_job_changed.connect(self.show_job)
        self.table.doubleClicked.connect(lambda _i: self._focus_detail())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.model.total_changed.connect(self._total_changed)
        self.model.total_changed.connect(_freeze_startup_objects,
                                         Qt.ConnectionType.SingleShotConnection)
        self.model.modelReset.connect(self._update_actions)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.detail.saved.connect(self._saved)
        self.detail.message.connect(self.status.note)
        self.detail.resolve_requested.connect(self.resolve_conflict)
        self.detail.restore_requested.connect(lambda i: self.restore([i]))
        self.status.sync_clicked.connect(self._sync_status_clicked)
        session.jobs_changed.connect(self._jobs_changed)
        # A customer renamed renames their jobs in the list.
        session.customers_changed.connect(lambda _ids: self.model.refresh())
        session.settings_changed.connect(self._settings_changed)
        sync.changed.connect(self._show_sync)
        sync.finished.connect(lambda _report: self._data_changed())
        # A summary-only job opened is read whole on the sync thread, once.
        self.detail.fetch_details = sync.fetch_details
        sync.details_fetched.connect(self._details_fetched)
        sync.finished.connect(self._sync_finished)
        self._counts_timer = QTimer(self, singleShot=True, interval=COUNTS_DELAY_MS)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._live = QTimer(self, interval=LIVE_REFRESH_MS)
        self._live.timeout.connect(self._data_changed)
        # "Synced 3 min ago" must keep counting while nothing else happens.
        self._clock = QTimer(self, interval=CLOCK_MS)
        self._clock.timeout.connect(self._show_sync)
        self._clock.start()

        self._restore_state()
        self.show_page(str(self._state.value("page", "list")))
        self.sidebar.select(preset or str(self._state.value(PRESET_STATE, DEFAULT_PRESET)))
        self.refresh_counts()
        self._show_sync()

    # -- building -----------------------------------------------------------------------

    def _action(self, text: str, slot: Any,
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                tip: str = "", icon: str | None = None) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            theme.set_icon(action, icon)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or text} ({keys})" if keys else tip or text)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("New job", self.new_job, QKeySequence.StandardKey.New,
                                       "Create a job", "new")
        self.delete_action = self._action("Move to Trash", self.delete_selected,
                                          QKeySequence.StandardKey.Delete,
                                          "Move the selected jobs to the Trash", "trash")
        # Del belongs to text fields while one has focus; the list and toolbar own it.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.removeAction(self.delete_action)
        self.table.addAction(self.delete_action)
        self.restore_action = self._action("Restore", self.restore, None,
                                           "Bring the selected jobs back from the Trash",
                                           "restore")
        self.sync_action = self._action("Sync now", self.sync.sync_now, "F5",
                                        "Send and receive changes now", "sync")
        # Most Linux desktops define no Preferences key; Ctrl+, is the common choice.
        preferences = QKeySequence(QKeySequence.StandardKey.Preferences)
        self.settings_action = self._action("Settings", self.open_settings,
                                            preferences if not preferences.isEmpty()
                                            else "Ctrl+,",
                                            "Server, API key and sync preferences", "settings")
        self.save_action = self._action("Save", self.detail.save, QKeySequence.StandardKey.Save,
                                        "Save the job on this computer")
        self._action("Find", self.filters.focus_search, QKeySequence.StandardKey.Find,
                     "Search jobs")
        self._action("Cancel", self.escape, "Esc", "Drop unsaved edits or clear the search")
        self.page_actions = QActionGroup(self)
        for key, label, shortcut, tip, _kind in PAGES:
            action = self._action(label, lambda k=key: self.show_page(k), shortcut, tip)
            action.setCheckable(True)
            action.setData(key)
            self.page_actions.addAction(action)

    def _build_layout(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.new_action, self.delete_action, self.restore_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.sync_action)
        toolbar.addAction(self.settings_action)
        toolbar.addSeparator()
        for action in self.page_actions.actions():
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        menus = self.menuBar()
        self.file_menu = FileMenu(FileMenuContext(
            window=self, session=self.session, note=self.status.note,
            current_job=lambda: self.detail.current_id, query=lambda: self.query,
            day=self._schedule_day, visible_columns=self.table.visible_columns,
            new_action=self.new_action, settings_action=self.settings_action))
        menus.addMenu(self.file_menu)
        pages = menus.addMenu("&View")
        for action in self.page_actions.actions():
            pages.addAction(action)
        pages.addSeparator()
        pages.addAction(self.sync_action)

        middle = QWidget(self)
        column = QVBoxLayout(middle)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.pages = QStackedWidget(middle)
        self.pages.addWidget(self.table)
        column.addWidget(self.filters)
        column.addWidget(self.pages, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([180, 1070, 350])

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        if self.session.demo is not None:
            outer.addWidget(self._demo_banner())
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        for first, second in ((self.sidebar, self.filters.search),
                              (self.filters.search, self.filters.status),
                              (self.filters.clear, self.table),
                              (self.table, self.detail)):
            QWidget.setTabOrder(first, second)

    def _demo_banner(self) -> QWidget:
        banner = QFrame(self)
        banner.setObjectName("banner")
        layout = QHBoxLayout(banner)
        layout.setContentsMargins(12, 6, 12, 6)
        text = QLabel("<b>Demo data</b> — connect your CRM in Settings. Changes here go to a "
                      "built-in demo server and vanish when JobDesk closes.", banner)
        text.setWordWrap(True)
        button = QPushButton("Open Settings", banner)
        button.setToolTip("Enter your CRM's address and API key")
        button.clicked.connect(self.open_settings)
        layout.addWidget(text, 1)
        layout.addWidget(button)
        return banner

    # -- the list -------------------------------------------------------------------------

    @property
    def preset_key(self) -> str:
        return self.sidebar.current_key() or DEFAULT_PRESET

    @property
    def page_key(self) -> str:
        checked = self.page_actions.checkedAction()
        return str(checked.data()) if checked is not None else "list"

    def _page(self, key: str) -> Page | None:
        """The page shown for ``key`` (``None``: the list). Each is made when first
        asked for: building all of them cost a third of the window's cold start."""
        kind = PAGE_TYPES.get(key)
        if kind is None:
            return None
        page = self._pages.get(key)
        if page is None:
            page = self._pages[key] = kind(self.session, self)
            page.job_activated.connect(self._open_job)
            page.message.connect(self.status.note)
            if isinstance(page, CustomersPage):
                page.new_job_for.connect(self.new_job)
            self.pages.addWidget(page)
        return page

    @property
    def schedule(self) -> SchedulePage:
        return cast(SchedulePage, self._page("schedule"))

    @property
    def board(self) -> BoardPage:
        return cast(BoardPage, self._page("board"))

    @property
    def dashboard(self) -> DashboardPage:
        return cast(DashboardPage, self._page("dashboard"))

    def _schedule_day(self) -> date:
        """The schedule's day while it is shown, else today: what a route sheet is for."""
        return self.schedule.anchor if self.page_key == "schedule" else date.today()

    def show_page(self, key: str) -> None:
        """Show the list, the schedule, the board or the dashboard."""
        if key != "list" and key not in PAGE_TYPES:
            key = "list"
        for action in self.page_actions.actions():
            action.setChecked(action.data() == key)
        page = self._page(key)
        self.pages.setCurrentWidget(page if page is not None else self.table)
        # The dashboard shows no single job: its charts get the room (unsaved edits stay
        # in the hidden panel until it is back).
        self.detail.setVisible(key not in NO_JOB_PANEL)
        if page is not None and self.query is not None:
            page.set_query(self.query)
        self._update_actions()

    def apply_query(self) -> None:
        """Show the current preset narrowed by the filter bar."""
        preset = PRESETS_BY_KEY[self.preset_key]
        filters = self.filters.filters()
        base = preset.build(date.today(), self.session.my_user_id)
        query = narrow(base, filters, self.model.sort_key, self.model.descending)
        if base is None:
            empty = "Set your user id in Settings to see the jobs assigned to you."
        elif filters.active or filters.search.strip():
            empty = "No jobs match these filters."
        else:
            empty = EMPTY_TEXT.get(preset.key, "No jobs here.")
        self.table.set_empty_text(empty)
        self.model.set_query(query)
        self.query = query
        page = self._pages.get(self.page_key)
        if page is not None:
            page.set_query(query)
        self._update_actions()

    def _total_changed(self, total: int) -> None:
        preset = PRESETS_BY_KEY[self.preset_key]
        self.table.setAccessibleDescription(f"{preset.label}: {total:,} jobs")

    def _data_changed(self) -> None:
        self.model.refresh()
        page = self._pages.get(self.page_key)
        if page is not None:
            page.refresh()
        self.detail.reload()
        self._counts_timer.start()

    def _jobs_changed(self, local_ids: list[int]) -> None:
        self.model.invalidate(local_ids)
        self.model.refresh()
        self._counts_timer.start()

    def refresh_counts(self) -> None:
        store, me = self.session.store, self.session.my_user_id
        self._counts_pending += 1
        self.session.reads.run(lambda: _counts(store, me), self._show_counts)

    def _show_counts(self, counts: dict[str, Any]) -> None:
        self._counts_pending -= 1
        self._sync_counts = counts.pop("sync")
        self.sidebar.set_counts(counts)
        self._show_sync()

    def settled(self) -> bool:
        """Whether the list and counts show the data as of now (nothing being read)."""
        page = self._pages.get(self.page_key)
        return (self.model.complete and not self.model.loading and not self._counts_pending
                and not self._counts_timer.isActive() and (page is None or page.settled()))

    # -- sync -----------------------------------------------------------------------------

    def _show_sync(self) -> None:
        counts = self._sync_counts
        snapshot = self.sync.snapshot(waiting=counts.get("pending", 0),
                                      rejected=counts.get("rejected", 0),
                                      conflicts=counts.get("conflict", 0))
        text = status.describe(snapshot)
        progress = None
        if snapshot.running:
            done, total = (snapshot.progress or ("", 0, 0))[1:]
            progress = (done, total)
        self.status.set_sync(text, progress)
        usage = (self.sync.last or {}).get("usage") or self.session.store.get_meta("usage")
        self.status.set_usage(status.usage_text(usage))
        if snapshot.running and not self._live.isActive():
            self._live.start()
        elif not snapshot.running:
            self._live.stop()

    def _details_fetched(self, local_id: int, outcome: str) -> None:
        if outcome == "ok":
            # The list's row may show fields that just arrived (time, technician).
            self.model.invalidate([local_id])
            self.model.refresh()
        self.detail.details_arrived(local_id, outcome)

    def _sync_finished(self, report: dict[str, Any]) -> None:
        if report.get("status") == "ok":
            self.detail.back_online()

    def _sync_status_clicked(self) -> None:
        last = self.sync.last or {}
        if not self.sync.configured or last.get("status") in ("auth", "forbidden"):
            self.open_settings()
        else:
            self.sync.sync_now()

    # -- actions --------------------------------------------------------------------------

    def _update_actions(self) -> None:
        in_trash = self.preset_key == "trash"
        # The list's selection is hidden behind the other pages: never act on it there.
        has_selection = self.page_key == "list" and bool(self.table.selected_ids())
        self.delete_action.setEnabled(has_selection and not in_trash)
        self.restore_action.setEnabled(has_selection and in_trash)
        self.restore_action.setVisible(in_trash)
        self.delete_action.setVisible(not in_trash)

    def show_job(self, local_id: int | None) -> None:
        """Show another job in the detail panel; what was typed into the one shown is
        saved first, never dropped on the way."""
        detail = self.detail
        if detail.creating and not detail.is_dirty():
            detail.cancel()
        elif (detail.creating or detail.is_dirty()) and local_id != detail.current_id:
            self._leaving = True
            try:
                saved = detail.save()
            finally:
                self._leaving = False
            if not saved:
                # The panel names what is wrong; the list goes back to the job it is
                # about, once Qt has finished moving the selection away from it.
                QTimer.singleShot(0, self._back_to_edited_job)
                return
        detail.show_job(local_id)

    def _back_to_edited_job(self) -> None:
        if self.detail.current_id is None:
            self.table.clearSelection()
        else:
            self.table.select_job(self.detail.current_id)

    def _open_job(self, local_id: int) -> None:
        """A job opened on a page: shown in the job panel, on the list if the page has
        no room for it."""
        if self.page_key in NO_JOB_PANEL:
            self.show_page("list")
        self.show_job(local_id)

    def new_job(self, customer: CustomerRecord | None = None) -> None:
        """A new job in the job panel; for ``customer``, at their address."""
        if not self._keep_or_drop_edits():
            return
        if self.page_key in NO_JOB_PANEL:
            self.show_page("list")
        self.table.clearSelection()
        self.detail.new_job(customer)

    def _saved(self, local_id: int) -> None:
        if self._leaving:
            return  # saved on the way to another job: the selection has moved on
        # The list is re-read in the background; select the job once it is in.
        def select() -> None:
            self.model.total_changed.disconnect(select)
            self.table.select_job(local_id)

        if not self.table.select_job(local_id):
            self.model.total_changed.connect(select)

    def delete_selected(self) -> None:
        ids = self.table.selected_ids()
        if not ids or self.preset_key == "trash" or self.page_key != "list":
            return
        self.status.note(f"Moving {_jobs(len(ids))} to the Trash…")

        def moved(records: list[JobRecord]) -> None:
            if len(records) == 1:
                what = records[0].values["job_number"] or "the new job"
            else:
                what = _jobs(len(records))
            self.status.note(f"Moved {what} to the Trash",
                             undo=lambda: self.restore(ids, undo=True))

        self.session.delete_jobs(ids, moved, self._move_failed)

    def restore(self, local_ids: list[int] | None = None, *, undo: bool = False) -> None:
        ids = local_ids if local_ids is not None else self.table.selected_ids()
        if not ids:
            return
        self.status.note(f"Restoring {_jobs(len(ids))}…")

        def restored(_records: list[JobRecord]) -> None:
            if undo:
                self.status.note("Restored from the Trash")
            else:
                self.status.note(f"Restored {_jobs(len(ids))}",
                                 undo=lambda: self._trash_again(ids))

        self.session.restore_jobs(ids, restored, self._move_failed)

    def _trash_again(self, ids: list[int]) -> None:
        self.status.note(f"Moving {_jobs(len(ids))} back to the Trash…")
        self.session.delete_jobs(ids, lambda _records: self.status.note(
            "Moved back to the Trash"), self._move_failed)

    def _move_failed(self, error: BaseException) -> None:
        # Jobs moved before the error stay where they went; the list shows which.
        log.error("moving jobs to or from the Trash failed", exc_info=error)
        self.status.note(f"Stopped before every job had moved: {error}")

    def escape(self) -> None:
        if self.detail.cancel():
            return
        if self.filters.search.text():
            self.filters.search.clear()
            self.filters.flush()
            self.table.setFocus()

    def _focus_detail(self) -> None:
        title = self.detail.editors["title"]
        if isinstance(title, QWidget) and title.isEnabled():
            title.setFocus(Qt.FocusReason.OtherFocusReason)

    def _table_menu(self, point: QPoint) -> None:
        local_id = self.table.current_id()
        if local_id is None:
            return
        record = self.session.store.get(local_id)
        if record is None:
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if not record.deleted:
            menu.addAction("Start", self.detail.start).setEnabled(
                self.detail.start_button.isEnabled())
            menu.addAction("Complete", self.detail.complete).setEnabled(
                self.detail.complete_button.isEnabled())
            menu.addSeparator()
        if record.sync_state == "conflict":
            menu.addAction("Resolve conflict…", lambda: self.resolve_conflict(local_id))
        if record.sync_state == "rejected":
            menu.addAction("Discard my changes", self.detail.discard)
        menu.addAction(self.restore_action if record.deleted else self.delete_action)
        menu.popup(self.table.viewport().mapToGlobal(point))

    def resolve_conflict(self, local_id: int) -> ConflictDialog | None:
        record = self.session.store.get(local_id)
        if record is None or not record.conflicts:
            self.status.note("This job has no conflict to resolve")
            return None
        dialog = ConflictDialog(self.session, record, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # The panel shows the job as resolved at once, not after the next sync.
        dialog.accepted.connect(self.detail.reload)
        dialog.accepted.connect(lambda: self.status.note("Conflict resolved · waiting to sync"))
        dialog.open()
        return dialog

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if self.session.demo is not None:
            dialog.accepted.connect(lambda: self.status.note(
                "Saved. JobDesk connects to your CRM the next time it starts."))
        dialog.open()
        return dialog

    def _settings_changed(self) -> None:
        self.filters.set_me(self.session.my_user_id)
        self.apply_query()
        self.refresh_counts()

    def _keep_or_drop_edits(self) -> bool:
        """Before leaving unsaved edits: save, discard or stay. True to go on."""
        if not self.detail.is_dirty() and not self.detail.creating:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", "Save the changes to this job first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Save:
            return self.detail.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.detail.cancel()
            return True
        return False

    # -- window state ---------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self._state.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self._default_size()
        for key, target in (("splitter", self.splitter),
                            ("columns", self.table.horizontalHeader())):
            value = self._state.value(key)
            if isinstance(value, QByteArray):
                target.restoreState(value)
        header = self.table.horizontalHeader()
        self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def _default_size(self) -> None:
        screen = self.screen().availableGeometry()
        self.resize(min(1600, int(screen.width() * 0.9)), min(950, int(screen.height() * 0.9)))

    def save_state(self) -> None:
        self._state.setValue("geometry", self.saveGeometry())
        self._state.setValue("splitter", self.splitter.saveState())
        self._state.setValue("columns", self.table.horizontalHeader().saveState())
        self._state.setValue(PRESET_STATE, self.preset_key)
        self._state.setValue("page", self.page_key)
        self._state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing:
            event.accept()
            return
        if not self._keep_or_drop_edits():
            event.ignore()
            return
        self._closing = True
        self.save_state()
        self.sync.shutdown()
        self.session.close()
        event.accept()


def _freeze_startup_objects(_total: int) -> None:
    # What is alive once the first list is in (Qt wrappers, caches, settings) lives as
    # long as the window. Out of the collector's sight, it no longer makes each full
    # collection long enough to stall a scroll step (measured: 55 ms -> 14 ms worst).
    gc.collect()
    gc.freeze()
