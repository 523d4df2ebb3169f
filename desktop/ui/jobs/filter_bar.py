"""The row above the table: search as you type, status, priority, assignee and dates."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
)

from desktop.core.jobs import WORKFLOW, Priority, Status
from desktop.ui.jobs.presets import Filters
from desktop.ui.widgets.flow_layout import FlowLayout
from desktop.ui.widgets.technician_picker import Choices, fill_technicians

SEARCH_DELAY_MS = 250
ANYONE, ME = "Anyone", "Me"


class _StayOpenMenu(QMenu):
    """Ticking a status keeps the menu open, so several can be picked in one go."""

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        action = self.activeAction()
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().mouseReleaseEvent(event)


def _range(choice: str, today: date) -> tuple[date | None, date | None]:
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    return {
        "Today": (today, today),
        "Tomorrow": (today + timedelta(days=1), today + timedelta(days=1)),
        "This week": (monday, monday + timedelta(days=6)),
        "Next 7 days": (today, today + timedelta(days=6)),
        "This month": (first, next_month - timedelta(days=1)),
        "Before today": (None, today - timedelta(days=1)),
    }.get(choice, (None, None))


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


DATE_CHOICES = ("Any date", "Today", "Tomorrow", "This week", "Next 7 days", "This month",
                "Before today", "Between…")


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, me: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._me = me
        # On a narrow window the filters wrap under the search, never cut short.
        layout = FlowLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search title, customer, address, notes, job # (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search jobs")
        self.search.setToolTip("Search as you type; words narrow the list")
        self.search.setMinimumWidth(240)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        layout.addWidget(self.search)

        self.status = QToolButton(self)
        self.status.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.status.setAccessibleName("Status filter")
        self.status.setToolTip("Show only jobs in the ticked statuses")
        menu = _StayOpenMenu(self.status)
        self._status_actions: list[QAction] = []
        for status in WORKFLOW:
            action = menu.addAction(status.value)
            action.setCheckable(True)
            action.toggled.connect(self._statuses_changed)
            self._status_actions.append(action)
        menu.addSeparator()
        menu.addAction("Any status", self._clear_statuses)
        self.status.setMenu(menu)
        # Wide enough for the longest label plus the menu arrow, which Qt draws over
        # the text of an InstantPopup button that is sized to its text alone.
        longest = max(["Any status", "10 statuses", *(s.value for s in Status)],
                      key=self.status.fontMetrics().horizontalAdvance)
        self.status.setMinimumWidth(self.status.fontMetrics().horizontalAdvance(longest) + 28)
        layout.addWidget(self.status)

        self.priority = QComboBox(self)
        self.priority.addItem("Any priority", None)
        for priority in reversed(Priority):
            self.priority.addItem(priority.value, priority.value)
        self.priority.setAccessibleName("Priority filter")
        self.priority.setToolTip("Show only jobs of this priority")
        self.priority.currentIndexChanged.connect(lambda _i: self.changed.emit())
        layout.addWidget(self.priority)

        self.assignee = QComboBox(self)
        self.assignee.setEditable(True)
        self.assignee.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.assignee.addItems([ANYONE, ME])
        self.assignee.setAccessibleName("Assigned to filter")
        self.assignee.setToolTip("Anyone, you (who you are is set in Settings), "
                                 "or a technician: pick or type a name or user id")
        self.assignee.setMinimumContentsLength(9)
        self.assignee.activated.connect(lambda _i: self.changed.emit())
        typed = self.assignee.lineEdit()
        assert typed is not None  # an editable combo always has one
        typed.editingFinished.connect(self.changed)
        layout.addWidget(self.assignee)

        self.dates = QComboBox(self)
        self.dates.addItems(DATE_CHOICES)
        self.dates.setAccessibleName("Scheduled date filter")
        self.dates.setToolTip("Show only jobs scheduled in this range")
        self.dates.currentTextChanged.connect(self._dates_changed)
        layout.addWidget(self.dates)
        today = QDate.currentDate()
        self.date_from = self._date_edit(today, "From")
        self.until = QLabel("to", self)
        self.date_to = self._date_edit(today.addDays(7), "To")
        for widget in (self.date_from, self.until, self.date_to):
            layout.addWidget(widget)
            widget.hide()

        self.clear = QToolButton(self)
        self.clear.setText("Clear filters")
        self.clear.setToolTip("Show the whole view again")
        self.clear.clicked.connect(self.reset)
        layout.addWidget(self.clear)
        self._update_status_text()
        self._update_clear()
        self.changed.connect(self._update_clear)

    def _date_edit(self, initial: QDate, name: str) -> QDateEdit:
        edit = QDateEdit(initial, self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(f"{name} date")
        edit.dateChanged.connect(lambda _d: self.changed.emit())
        return edit

    def set_me(self, me: str) -> None:
        self._me = me

    def set_team(self, choices: Choices) -> None:
        """Each technician by name, after Anyone and Me."""
        fill_technicians(self.assignee, choices, 2)

    def filters(self) -> Filters:
        statuses = tuple(a.text() for a in self._status_actions if a.isChecked())
        date_from, date_to = self._date_range()
        return Filters(statuses=statuses, priority=self.priority.currentData(),
                       assigned_to=self._assignee(), date_from=date_from, date_to=date_to,
                       search=self.search.text())

    def _assignee(self) -> str | None:
        text = self.assignee.currentText().strip()
        if not text or text == ANYONE:
            return None
        if text == ME:
            # Nobody can be "me" before a user id is set; match nothing rather than all.
            return self._me or "(no user id set)"
        # A name picked or typed (any case) stands for its id; anything else is an id.
        index = self.assignee.findText(text, Qt.MatchFlag.MatchFixedString)
        return str(self.assignee.itemData(index)) if index >= 2 else text

    def _date_range(self) -> tuple[date | None, date | None]:
        choice = self.dates.currentText()
        if choice == DATE_CHOICES[-1]:
            start, end = _day(self.date_from.date()), _day(self.date_to.date())
            return (start, end) if start <= end else (end, start)
        return _range(choice, date.today())

    def _statuses_changed(self) -> None:
        self._update_status_text()
        self.changed.emit()

    def _untick_statuses(self) -> None:
        for action in self._status_actions:
            action.blockSignals(True)
            action.setChecked(False)
            action.blockSignals(False)

    def _clear_statuses(self) -> None:
        self._untick_statuses()
        self._statuses_changed()

    def _update_status_text(self) -> None:
        ticked = [a.text() for a in self._status_actions if a.isChecked()]
        if not ticked:
            self.status.setText("Any status")
        elif len(ticked) == 1:
            self.status.setText(ticked[0])
        else:
            self.status.setText(f"{len(ticked)} statuses")

    def _dates_changed(self, choice: str) -> None:
        custom = choice == DATE_CHOICES[-1]
        for widget in (self.date_from, self.until, self.date_to):
            widget.setVisible(custom)
        self.changed.emit()

    def _update_clear(self) -> None:
        self.clear.setEnabled(self.filters() != Filters())

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def flush(self) -> None:
        """Apply a search still waiting out its typing delay."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()

    def reset(self, *, keep_search: bool = False) -> None:
        for widget in (self.priority, self.assignee, self.dates, self.search):
            widget.blockSignals(True)
        self._untick_statuses()
        self.priority.setCurrentIndex(0)
        self.assignee.setCurrentIndex(0)
        self.dates.setCurrentIndex(0)
        if not keep_search:
            self.search.clear()
        for widget in (self.priority, self.assignee, self.dates, self.search):
            widget.blockSignals(False)
        for custom in (self.date_from, self.until, self.date_to):
            custom.hide()
        self._debounce.stop()
        self._update_status_text()
        self.changed.emit()
