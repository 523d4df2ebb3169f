"""The Customers page (Ctrl+5): a searchable list of every customer, the one picked
with their details and job history, and a form to create or edit one.

The list holds ids only and reads the rows in sight (``CustomerListModel``); the ids
of a search and a customer's history are read on the reader thread, so typing in
the search never waits for the database. The main window's job filters do not
narrow customers: the page has its own search.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.store import CustomerHistory, CustomerRecord, JobQuery, Store
from desktop.ui.customers.details import CustomerDetails
from desktop.ui.customers.form import CustomerForm
from desktop.ui.customers.list_model import CustomerListModel
from desktop.ui.pages import Page
from desktop.ui.session import Session
from desktop.ui.tasks import LatestReads

SEARCH_DELAY_MS = 150
#: Customers shown before the whole list is read: a screenful and some.
FIRST_PAGE = 60
NOTHING_PICKED = "Pick a customer to see their details and jobs, or add a new one."


def read_customer(store: Store, local_id: int
                  ) -> tuple[CustomerRecord, CustomerHistory] | None:
    customer = store.get_customer(local_id)
    return None if customer is None else (customer, store.customer_history(customer))


class CustomersPage(Page):
    #: "New job for ...": a new job for this customer (a ``CustomerRecord``).
    new_job_for = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setAccessibleName("Customers")
        self._picked: int | None = None
        #: The search whose customers the list shows (None: none read yet).
        self._shown_search: str | None = None
        self._detail_reads = LatestReads(session.reads, self)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search customers: name, company, phone, email, city…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search customers")
        self.new_button = QPushButton("New customer", self)
        self.new_button.setToolTip("Add a customer here; the next sync sends it to the server")
        self.new_button.clicked.connect(lambda: self.open_form(None))
        self.count = QLabel(self)
        self.model = CustomerListModel(session.store, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Customers")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        # Fixed heights and widths: sizing to contents would read every row.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for number, width in enumerate((150, 125, 100, 175, 100, 95, 55)):
            self.table.setColumnWidth(number, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.details = CustomerDetails(self)
        self.form = CustomerForm(session, self)
        self.nothing = QLabel(NOTHING_PICKED, self)
        self.nothing.setObjectName("emptyState")
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.nothing.setWordWrap(True)
        self.side = QStackedWidget(self)
        for widget in (self.nothing, self.details, self.form):
            self.side.addWidget(widget)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        left = QWidget(self)
        listing = QVBoxLayout(left)
        listing.setContentsMargins(8, 8, 0, 8)
        listing.addLayout(top)
        listing.addWidget(self.table, 1)
        listing.addWidget(self.count)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 480])
        self.hint = self._lay_out_with_hint(splitter)
        self.hint.hide()

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.details.edit_requested.connect(lambda: self.open_form(self.details.customer))
        self.details.new_job_requested.connect(
            lambda: self.new_job_for.emit(self.details.customer))
        self.details.job_activated.connect(self.job_activated)
        self.form.saved.connect(self._saved)
        self.form.cancelled.connect(self._show_picked)
        self.form.message.connect(self.message)
        session.customers_changed.connect(self.model.forget)

    # -- the Page ----------------------------------------------------------------------

    def show_query(self, query: JobQuery | None) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the search's customers: a screenful first, shown at once, then every
        one of them (20,000 ids take several times as long)."""
        text = self.search.text()
        store = self.session.store
        self.reads.restart()

        def read_all(first: list[int] | None = None) -> None:
            if first is not None:
                self.model.set_ids(first)
            # Asked for once the first page is in: read beside it, the thousands of
            # ids would hold the interpreter while that page is drawn.
            self.reads.run(lambda: store.customer_ids(text), self._ids_read)

        if text == self._shown_search:
            read_all()
            return
        self._shown_search = text
        self.reads.run(lambda: store.customer_ids(text, FIRST_PAGE), read_all)

    def settled(self) -> bool:
        return super().settled() and not self._detail_reads.busy and (
            not self._search_timer.isActive())

    # -- the list ----------------------------------------------------------------------

    def _ids_read(self, ids: list[int]) -> None:
        picked = self._picked
        self.model.update_ids(ids)
        searching = bool(self.search.text().strip())
        self.count.setText(f"{len(ids):,} customer{'' if len(ids) == 1 else 's'}"
                           + (" match" if searching else ""))
        row = self.model.row_of(picked) if picked is not None else None
        if row is not None:
            if self.table.currentIndex().row() != row:
                self.table.selectRow(row)
            elif picked is not None and self.side.currentWidget() is self.details:
                # Still picked: their details and jobs may have changed (a sync).
                self.show_customer(picked)
        elif self.side.currentWidget() is not self.form:
            self._picked = None
            self.side.setCurrentWidget(self.nothing)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        local_id = self.model.id_at(current.row()) if current.isValid() else None
        if local_id is None:
            return
        self._picked = local_id
        if self.side.currentWidget() is self.form and self.form.changes():
            return  # the form keeps what was typed; Cancel or Save first
        self.show_customer(local_id)

    def select(self, local_id: int) -> bool:
        """Pick a customer in the list, if the search shows them."""
        row = self.model.row_of(local_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    # -- the side ----------------------------------------------------------------------

    def show_customer(self, local_id: int) -> None:
        self._picked = local_id
        store = self.session.store
        self._detail_reads.restart()
        self._detail_reads.run(lambda: read_customer(store, local_id), self._customer_read)

    def _customer_read(self, found: tuple[CustomerRecord, CustomerHistory] | None) -> None:
        if found is None:
            self.side.setCurrentWidget(self.nothing)
            return
        self.details.show_customer(*found)
        self.side.setCurrentWidget(self.details)

    def _show_picked(self) -> None:
        if self._picked is not None:
            self.show_customer(self._picked)
        else:
            self.side.setCurrentWidget(self.nothing)

    def open_form(self, customer: CustomerRecord | None) -> None:
        """Edit ``customer``, or create a new one."""
        self.form.edit(customer)
        self.side.setCurrentWidget(self.form)

    def _saved(self, customer: CustomerRecord) -> None:
        self._picked = customer.local_id
        self.show_customer(customer.local_id)
        self.reload()
