"""The line over the list that says where a search looks, when that is not everywhere:
the view and filters it is narrowed to, what it found there, and one click to search
every job instead."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from desktop.ui.formatting import jobs


class SearchScope(QFrame):
    #: The user asked to search every job (the All jobs view, no other filters).
    search_all = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchScope")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 8, 4)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Where the search looks")
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.button = QPushButton(self)
        self.button.setToolTip("Look for these words in every job, whatever the view and "
                               "filters")
        self.button.clicked.connect(self.search_all)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_scope(self, search: str, view: str, filtered: bool, found: int | None,
                   everywhere: int) -> None:
        """Say that ``search`` looks only in ``view`` (and the filters): ``found`` there
        (``None``: the view cannot apply), ``everywhere`` in all jobs."""
        where = f"{view} with the filters" if filtered else view
        text = f"Searching “{search}” in {where} only"
        if found is not None:
            text += f": {jobs(found)}"
        self.text.setText(text + ".")
        self.button.setText(f"Search all jobs ({everywhere:,})")
        self.button.setAccessibleName(f"Search all jobs: {jobs(everywhere)}")
        self.show()
