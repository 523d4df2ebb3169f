"""Settings: which CRM, the API key (kept in the system keyring; where there is none,
in memory until JobDesk closes, or in a file only the user can read if they choose),
and sync preferences."""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.config import (
    ENV_API_KEY,
    KEY_FILE_CAVEAT,
    KEY_FILE_CHOICE,
    KeyStoreUnavailable,
    Settings,
    forget_key_file,
    get_api_key,
    keep_in_file,
    keep_in_memory,
    kept_in_file,
    keyring_problem,
    memory_key,
    set_api_key,
)
from desktop.core.api import (
    ApiClient,
    ApiError,
    AuthError,
    NetworkError,
    NotFound,
    ServerUrlError,
    normalise_base_url,
)
from desktop.logs import add_secret
from desktop.ui.session import Session
from desktop.ui.sync.status import usage_text
from desktop.ui.tasks import TaskRunner
from desktop.ui.widgets.technician_picker import fill_technicians

log = logging.getLogger(__name__)


def check_connection(url: str, key: str) -> str:
    """``GET /companies/me`` with this key: the company's name and this month's usage."""
    with ApiClient(url, key, read_timeout=15.0) as client:
        company = client.company()
        usage = client.usage
    name = company.get("name") or company.get("company_name") or "your company"
    used = usage_text(dataclasses.asdict(usage)) if usage else ""
    return f"Connected to {name}." + (f" {used}." if used else "")


IN_MEMORY_NOTE = ("No system keyring here, so the API key is kept in memory until "
                  "JobDesk closes")
IN_FILE_NOTE = "No system keyring here, so the API key is kept in a file only you can read"


def in_memory_text(reason: str) -> str:
    """Where the key goes when no keyring can keep it, and what that means."""
    return (f"No system keyring can keep the API key here ({reason}). JobDesk keeps it "
            "in memory until it closes and asks for it again next time, unless you "
            "choose a file below; or set the environment variable "
            f"{ENV_API_KEY}.")


def explain(error: BaseException) -> str:
    if isinstance(error, AuthError):
        return f"The server refused this API key: {error.message}"
    if isinstance(error, NotFound):
        return "That address has no Custom Trades CRM API; check the server URL."
    if isinstance(error, NetworkError):
        return f"Could not reach the server: {error.message}"
    if isinstance(error, ApiError):
        return f"The server answered with a problem: {error.message}"
    return f"The test failed: {error}"


class SettingsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        #: What became of the key on Save, for the window to say once the dialog is gone.
        self.key_note = ""
        self._tests = TaskRunner("connection-test", self)
        self.finished.connect(lambda _r: self._tests.close())
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        # The demo's own settings point at the demo server; the form edits the user's.
        self._base = (Settings.load(session.demo.user_paths) if session.demo is not None
                      else session.settings)
        settings = self._base
        layout = QVBoxLayout(self)
        if session.demo is not None:
            intro = _wrapped(QLabel("You are looking at demo data. Enter your CRM's address "
                                    "and API key here; JobDesk leaves the demo and connects "
                                    "to it as soon as you save.", self))
            layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)

        self.server_url = QLineEdit(self)
        self.server_url.setPlaceholderText("https://customtradescrm.com")
        self.server_url.setAccessibleName("Server URL")
        self.server_url.setToolTip("Your CRM's address; https:// is required except for "
                                   "this computer")
        self.server_url.setText(settings.server_url)
        form.addRow("Server URL:", self.server_url)
        self.url_error = self._error_label()
        form.addRow("", self.url_error)

        key_row = QWidget(self)
        key_layout = QHBoxLayout(key_row)
        key_layout.setContentsMargins(0, 0, 0, 0)
        self.api_key = QLineEdit(key_row)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setAccessibleName("API key")
        self.api_key.setToolTip("Kept in the system keyring, never in a file unless you "
                                "choose one where no keyring exists. Leave empty to keep "
                                "the stored key.")
        self.api_key.setPlaceholderText("ctc_live_…")
        reveal = QAction("Show", self.api_key)
        reveal.setCheckable(True)
        reveal.setToolTip("Show or hide the key")
        reveal.toggled.connect(lambda shown: self.api_key.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password))
        self.api_key.addAction(reveal, QLineEdit.ActionPosition.TrailingPosition)
        self.test_button = QPushButton("Test connection", key_row)
        self.test_button.setToolTip("Ask the server who this key belongs to (one request)")
        self.test_button.clicked.connect(self.test_connection)
        key_layout.addWidget(self.api_key, 1)
        key_layout.addWidget(self.test_button)
        form.addRow("API key:", key_row)
        self.test_result = _wrapped(QLabel(self))
        self.test_result.hide()
        self.test_result.setAccessibleName("Connection test result")
        form.addRow("", self.test_result)
        self.key_storage = _wrapped(QLabel(self))
        self.key_storage.setProperty("role", "hint")
        self.key_storage.setAccessibleName("Where the key is kept")
        form.addRow("", self.key_storage)
        # Where no keyring can keep the key (or one refused it), the user may choose a
        # file over typing the key again at every start.
        self._key_paths = (session.demo.user_paths if session.demo is not None
                           else session.paths)
        url = settings.server_url
        in_file = bool(url) and kept_in_file(self._key_paths, url)
        self.offers_key_file = (keyring_problem() is not None or in_file
                                or bool(url and memory_key(url)))
        self.key_file = QCheckBox(KEY_FILE_CHOICE, self)
        self.key_file.setChecked(in_file)
        self.key_file.setToolTip(f"In {self._key_paths.key_file}")
        self.key_file_caveat = _wrapped(QLabel(KEY_FILE_CAVEAT, self))
        self.key_file_caveat.setProperty("role", "hint")
        form.addRow("", self.key_file)
        form.addRow("", self.key_file_caveat)
        for widget in (self.key_file, self.key_file_caveat):
            widget.setVisible(self.offers_key_file)
        self._show_key_storage(url)

        self.my_user_id = QComboBox(self)
        self.my_user_id.setEditable(True)
        self.my_user_id.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.my_user_id.addItem("", "")
        fill_technicians(self.my_user_id, session.team_choices(), 1)
        index = self.my_user_id.findData(settings.my_user_id)
        if index >= 0:
            self.my_user_id.setCurrentIndex(index)
        else:
            self.my_user_id.setEditText(settings.my_user_id)
        self.my_user_id.setAccessibleName("I am")
        self.my_user_id.setToolTip("Who you are on the team, for My jobs and your route: "
                                   "pick your name (or type your user id in the CRM)")
        form.addRow("I am:", self.my_user_id)
        self.interval = QSpinBox(self)
        self.interval.setRange(1, 240)
        self.interval.setSuffix(" min")
        self.interval.setValue(int(settings.sync_interval_minutes))
        self.interval.setAccessibleName("Sync interval")
        self.interval.setToolTip("How often to look for changes on the server")
        form.addRow("Sync every:", self.interval)
        self.share = QSpinBox(self)
        self.share.setRange(1, 100)
        self.share.setSuffix(" %")
        self.share.setValue(int(settings.quota_share_percent))
        self.share.setAccessibleName("Quota share")
        self.share.setToolTip("This device's share of the company's monthly API requests")
        form.addRow("Share of monthly quota:", self.share)
        # Problems in words, wrapped in a box of their own under the form: however long,
        # they never squeeze the fields.
        self.messages = QFrame(self)
        self.messages.setObjectName("syncNotice")
        box = QVBoxLayout(self.messages)
        box.setContentsMargins(10, 6, 10, 6)
        self.save_error = self._error_label()
        self.save_error.setParent(self.messages)
        self.save_error.setAccessibleName("Problem")
        box.addWidget(self.save_error)
        self.messages.hide()
        layout.addWidget(self.messages)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.server_url.textChanged.connect(lambda _t: self.url_error.hide())
        self.setMinimumWidth(520)

    def _error_label(self) -> QLabel:
        label = _wrapped(QLabel(self))
        label.setProperty("role", "error")
        label.hide()
        return label

    def _show_key_storage(self, url: str) -> None:
        problem = keyring_problem()
        if url and kept_in_file(self._key_paths, url):
            self.key_storage.setText(f"The key for this server is kept in "
                                     f"{self._key_paths.key_file}, a file only you can read.")
        elif problem is not None:
            self.key_storage.setText(in_memory_text(problem))
        elif url and memory_key(url):
            self.key_storage.setText("The key for this server is kept in memory until "
                                     "JobDesk closes (the keyring refused it).")
        else:
            self.key_storage.setText("The key is kept in the system keyring, never in a file.")

    def _say(self, problem: str) -> None:
        self.save_error.setText(problem)
        self.save_error.show()
        self.messages.show()

    def _url(self) -> str | None:
        """The normalised server URL ('' when empty), or None after showing why not."""
        text = self.server_url.text().strip()
        if not text:
            return ""
        try:
            return normalise_base_url(text)
        except ServerUrlError as exc:
            self.url_error.setText(str(exc))
            self.url_error.show()
            return None

    def test_connection(self) -> None:
        url = self._url()
        if not url:
            if url == "":
                self.url_error.setText("Enter the server URL first.")
                self.url_error.show()
            return
        typed = self.api_key.text().strip()
        self.test_button.setEnabled(False)
        self.test_result.setText("Testing…")
        self.test_result.show()

        def work() -> str:
            key = typed or get_api_key(url, self._key_paths)
            if not key:
                return "Enter the API key first."
            return check_connection(url, key)

        self._tests.run(work, self._tested, lambda error: self._tested(explain(error)))

    def _tested(self, text: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(text)
        self.test_result.show()

    def save(self) -> None:
        url = self._url()
        if url is None:
            return
        try:
            self.key_note = self._keep_key(url, self.api_key.text().strip())
        except OSError as exc:
            self._say(f"The key could not be written to {self._key_paths.key_file}: "
                      f"{exc.strerror or exc}. Nothing was changed.")
            return
        try:
            self._session.save_settings(self._settings(url))
        except OSError as exc:
            self._say(f"The settings could not be saved: {exc.strerror or exc}. "
                      "Nothing was changed.")
            return
        self.accept()

    def _keep_key(self, url: str, typed: str) -> str:
        """Keep the typed key (or, on a change of choice, the one already kept) where
        the user chose; what became of it, for the status bar ("" for the keyring or
        no change)."""
        add_secret(typed)
        paths = self._key_paths
        if self.offers_key_file and self.key_file.isChecked():
            key = typed or memory_key(url)
            if key:
                keep_in_file(paths, url, key)
                log.info("API key kept in the key file, as chosen")
            return IN_FILE_NOTE if key or kept_in_file(paths, url) else ""
        if self.offers_key_file:
            # Unchecked: the file goes; its key stays in memory for this run.
            held = forget_key_file(paths, url)
            if held and not typed:
                keep_in_memory(url, held)
                return IN_MEMORY_NOTE
        if not typed:
            return ""
        try:
            set_api_key(url, typed)
        except KeyStoreUnavailable as exc:
            keep_in_memory(url, typed)
            log.warning("no keyring kept the API key (%s); kept in memory", exc.reason)
            return IN_MEMORY_NOTE
        return ""

    def _me(self) -> str:
        """The user id picked, or typed: a name (any case) stands for its id."""
        text = self.my_user_id.currentText().strip()
        index = self.my_user_id.findText(text, Qt.MatchFlag.MatchFixedString)
        return str(self.my_user_id.itemData(index)) if text and index > 0 else text

    def _settings(self, url: str) -> Settings:
        return dataclasses.replace(
            self._base, server_url=url, my_user_id=self._me(),
            sync_interval_minutes=self.interval.value(), quota_share_percent=self.share.value())


def _wrapped(label: QLabel) -> QLabel:
    """A label that wraps to the width the form gives it, as tall as its lines need,
    instead of asking for its longest line (a long error or server message would
    otherwise widen the dialog or squeeze the fields)."""
    label.setWordWrap(True)
    policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
    policy.setHeightForWidth(True)
    label.setSizePolicy(policy)
    return label
