"""The main window: presets on the left, the job list in the middle, the job on the right."""

from __future__ import annotations

import gc
import logging
from datetime import date
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QResizeEvent
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

from desktop.config import Settings
from desktop.core.store import CustomerRecord, JobQuery, JobRecord, Store
from desktop.ui import formatting, theme
from desktop.ui.board.page import BoardPage
from desktop.ui.customers.page import CustomersPage
from desktop.ui.dashboard.page import DashboardPage
from desktop.ui.documents.file_menu import FileMenu, FileMenuContext
from desktop.ui.edit_menu import EditMenu
from desktop.ui.jobs.conflict_dialog import ConflictDialog
from desktop.ui.jobs.detail_panel import DetailPanel
from desktop.ui.jobs.drawer import Drawer
from desktop.ui.jobs.filter_bar import FilterBar
from desktop.ui.jobs.presets import DEFAULT_PRESET, PRESETS, PRESETS_BY_KEY, Filters, narrow
from desktop.ui.jobs.search_scope import SearchScope
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
#: From this window width the job panel stays beside the list: the sidebar, every
#: column of the list with the Title's room, and the panel. Narrower windows (1366
#: and 1280 px laptops) show the job in a drawer over the list instead.
DOCKED_FROM = 1600
SIDEBAR_WIDTH = 170
PANEL_WIDTH = 340

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
#: Pages the job filters and search do not narrow: the bar is hidden there, so it
#: neither takes their room nor seems to apply to them.
NO_JOB_FILTERS = ("customers",)
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


#: Where the counts say a search would find every job (the All jobs view, no filters).
EVERYWHERE = "everywhere"


def _counts(store: Store, my_user_id: str, filters: Filters) -> dict[str, Any]:
    """Every preset's count under the filter bar's filters and search, the search's
    count in every job, and the sync backlog; read on the worker thread."""
    today = date.today()
    counts: dict[str, Any] = {}
    for preset in PRESETS:
        base = preset.build(today, my_user_id)
        query = narrow(base, filters, "scheduled", descending=False)
        counts[preset.key] = None if base is None else 0 if query is None else store.count(
            query)
    search = filters.search.strip()
    if search:
        counts[EVERYWHERE] = store.count(JobQuery(search=search))
    counts["sync"] = store.count_by_sync_state()
    return counts


class MainWindow(QMainWindow):
    #: Settings saved in the demo name the user's CRM: leave the demo for it now (with
    #: what became of the API key, to say in the new window).
    connect_requested = Signal(str)

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
        self.filters.set_team(session.team_choices())
        self.scope = SearchScope(self)
        self.model = JobTableModel(session, self)
        self.table = JobTableView(self.model, self)
        self.detail = DetailPanel(session, self)
        #: Whether the panel sits in the splitter (else in the drawer), and whether the
        #: drawer is wanted (a job is open and the user has not closed it).
        self._docked = True
        self._drawer_open = False
        #: The pages other than the list, made the first time each is shown.
        self._pages: dict[str, Page] = {}
        #: What the list shows (the preset narrowed by the filters); None: nothing.
        self.query: JobQuery | None = None
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self._build_actions()
        self._build_layout()

        self.sidebar.preset_chosen.connect(lambda _key: self.apply_query())
        self.scope.search_all.connect(self.search_everywhere)
        self.filters.changed.connect(self.apply_query)
        self.table.current_job_changed.connect(self.show_job)
        self.table.doubleClicked.connect(lambda _i: self._focus_detail())
        # A click on the job already shown brings a closed drawer back.
        self.table.clicked.connect(lambda _i: self._open_drawer(self.detail.current_id))
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
        session.team_changed.connect(self._team_changed)
        sync.changed.connect(self._show_sync)
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
        self._action("Find", self._find, QKeySequence.StandardKey.Find,
                     "Search the page's jobs or customers")
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
        self.edit_menu = EditMenu(self, self.session, self.status.note,
                                  self._keep_or_drop_edits, lambda _step: self.detail.reload())
        menus.addMenu(self.edit_menu)
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
        self.job_bar = QWidget(middle)
        bar = QVBoxLayout(self.job_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(0)
        bar.addWidget(self.filters)
        bar.addWidget(self.scope)
        column.addWidget(self.job_bar)
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
        self.splitter.setSizes([SIDEBAR_WIDTH, DOCKED_FROM - SIDEBAR_WIDTH - PANEL_WIDTH,
                                PANEL_WIDTH])

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        if self.session.demo is not None:
            outer.addWidget(self._demo_banner())
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._central = central
        self.drawer = Drawer(central)
        self.drawer.closed.connect(self._close_drawer)
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
            page.selection_changed.connect(self._update_actions)
            page.message.connect(self.status.note)
            # Del moves the page's pick to the Trash, as it does the list's.
            page.addAction(self.delete_action)
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
        self.job_bar.setVisible(key not in NO_JOB_FILTERS)
        self._place_detail()
        if page is not None and self.query is not None:
            page.set_query(self.query)
        self._update_actions()

    # -- where the job panel goes ----------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_detail()

    @property
    def docked(self) -> bool:
        """Whether the job panel sits beside the list (else in a drawer over it)."""
        return self._docked

    def _place_detail(self) -> None:
        """Beside the list on a wide window, in a drawer over it on a narrow one; hidden
        on the pages that show no single job (the dashboard, the customers), whose
        content gets the room (unsaved edits stay in the hidden panel until it is
        back)."""
        docked = self.width() >= DOCKED_FROM
        if docked != self._docked:
            self._docked = docked
            if docked:
                self.splitter.addWidget(self.detail)
                self.splitter.setStretchFactor(2, 0)
                sizes = self.splitter.sizes()
                side = sizes[0] or SIDEBAR_WIDTH
                self.splitter.setSizes([side, sum(sizes) - side - PANEL_WIDTH, PANEL_WIDTH])
            else:
                self.drawer.hold(self.detail)
        shown = self.page_key not in NO_JOB_PANEL
        if docked:
            self.drawer.hide()
            self.detail.setVisible(shown)
            return
        self.detail.show()
        if shown and self._drawer_open:
            # Below the filter bar, which stays in reach while a job is open.
            area = self.splitter.geometry()
            area.setTop(self.pages.mapTo(self._central, QPoint(0, 0)).y())
            self.drawer.place(area)
            self.drawer.show()
        else:
            self.drawer.hide()

    def _open_drawer(self, local_id: int | None) -> None:
        self._drawer_open = local_id is not None or self.detail.creating
        self._place_detail()

    def _close_drawer(self) -> None:
        self._drawer_open = False
        self._place_detail()
        # Back to the list at the job just closed (a list with no current row would
        # take focus by opening its first job).
        if self.page_key == "list" and self.table.currentIndex().isValid():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def apply_query(self) -> None:
        """Show the current preset narrowed by the filter bar."""
        preset = PRESETS_BY_KEY[self.preset_key]
        filters = self.filters.filters()
        base = preset.build(date.today(), self.session.my_user_id)
        query = narrow(base, filters, self.model.sort_key, self.model.descending)
        if base is None:
            empty = "Choose who you are in Settings (I am:) to see the jobs assigned to you."
        elif filters.active or filters.search.strip():
            empty = "No jobs match these filters."
        else:
            empty = EMPTY_TEXT.get(preset.key, "No jobs here.")
        self.table.set_empty_text(empty)
        self.model.set_query(query)
        self.query = query
        # The counts follow the filters and the search, and say where it looks.
        self._counts_timer.start()
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
        filters = self.filters.filters()
        self._counts_pending += 1
        self.session.reads.run(lambda: _counts(store, me, filters),
                               lambda counts: self._show_counts(counts, filters))

    def _show_counts(self, counts: dict[str, Any], filters: Filters) -> None:
        self._counts_pending -= 1
        self._sync_counts = counts.pop("sync")
        everywhere = counts.pop(EVERYWHERE, None)
        if filters != self.filters.filters():
            return  # the filters changed meanwhile; their own counts are on the way
        self.sidebar.set_counts(counts, filtered=filters.active or bool(filters.search.strip()))
        self._show_scope(counts, filters, everywhere)
        self._show_sync()

    def _show_scope(self, counts: dict[str, Any], filters: Filters,
                    everywhere: int | None) -> None:
        """Say where a search looks when the view or the filters narrow it."""
        search = filters.search.strip()
        preset = PRESETS_BY_KEY[self.preset_key]
        if everywhere is None or not search or (preset.key == "all" and not filters.active):
            self.scope.hide()
            return
        self.scope.show_scope(search, preset.label, filters.active, counts.get(preset.key),
                              everywhere)

    def search_everywhere(self) -> None:
        """Keep the search, drop the view and the other filters: every job is searched."""
        self.filters.reset(keep_search=True)
        self.sidebar.select("all")

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
        # A bound method, not a lambda: a window closed while the sync goes on (leaving
        # the demo) is disconnected, not called on a deleted list.
        self._data_changed()
        # A sync may have harvested technicians' names.
        self.session.refresh_team()
        if report.get("status") == "ok":
            self.detail.back_online()

    def _team_changed(self) -> None:
        self.filters.set_team(self.session.team_choices())
        self._data_changed()

    def _sync_status_clicked(self) -> None:
        last = self.sync.last or {}
        if not self.sync.configured or last.get("status") in ("auth", "forbidden"):
            self.open_settings()
        else:
            self.sync.sync_now()

    # -- actions --------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        """The jobs picked on the page shown: what Move to Trash and Restore act on. The
        list's selection is hidden behind the other pages, so it is never acted on there."""
        page = self._pages.get(self.page_key)
        return self.table.selected_ids() if page is None else page.selected_ids()

    def _update_actions(self) -> None:
        in_trash = self.preset_key == "trash"
        has_selection = bool(self.selected_ids())
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
        self._open_drawer(detail.current_id)

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
        self._open_drawer(None)

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
        ids = self.selected_ids()
        if not ids or self.preset_key == "trash":
            return
        self.status.note(f"Moving {formatting.jobs(len(ids))} to the Trash…")

        def moved(records: list[JobRecord]) -> None:
            if len(records) == 1:
                what = records[0].values["job_number"] or "the new job"
            else:
                what = formatting.jobs(len(records))
            self.status.note(f"Moved {what} to the Trash", undo=self.edit_menu.undo)

        self.session.delete_jobs(ids, moved, self._move_failed)

    def restore(self, local_ids: list[int] | None = None) -> None:
        ids = local_ids if local_ids is not None else self.selected_ids()
        if not ids:
            return
        self.status.note(f"Restoring {formatting.jobs(len(ids))}…")

        def restored(_records: list[JobRecord]) -> None:
            self.status.note(f"Restored {formatting.jobs(len(ids))}", undo=self.edit_menu.undo)

        self.session.restore_jobs(ids, restored, self._move_failed)

    def _move_failed(self, error: BaseException) -> None:
        # Jobs moved before the error stay where they went; the list shows which.
        log.error("moving jobs to or from the Trash failed", exc_info=error)
        self.status.note(f"Stopped before every job had moved: {error}")

    def _find(self) -> None:
        page = self.pages.currentWidget()
        if isinstance(page, CustomersPage):
            page.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            page.search.selectAll()
        else:
            self.filters.focus_search()

    def escape(self) -> None:
        if self.detail.cancel():
            self._open_drawer(self.detail.current_id)
            return
        if self.drawer.isVisible():
            self._close_drawer()
            return
        if self.page_key not in NO_JOB_FILTERS and self.filters.search.text():
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
        dialog.accepted.connect(lambda: self._settings_saved(dialog.key_note))
        dialog.open()
        return dialog

    def _settings_saved(self, key_note: str) -> None:
        demo = self.session.demo
        if demo is not None and Settings.load(demo.user_paths).effective_server_url():
            # The demo gives way to the CRM at once (whoever opened this window does it).
            self.status.note("Connecting to your CRM…")
            self.connect_requested.emit(key_note)
            return
        self.status.note(f"Saved · {key_note}" if key_note else "Settings saved")

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
        self.table.fit_title()

    def _default_size(self) -> None:
        screen = self.screen().availableGeometry()
        self.resize(min(1600, int(screen.width() * 0.9)), min(950, int(screen.height() * 0.9)))

    def save_state(self) -> None:
        self._state.setValue("geometry", self.saveGeometry())
        if self._docked:
            # Drawn from the docked layout: a drawer's two panes would restore a
            # docked panel at no width.
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
