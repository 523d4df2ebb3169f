"""Printed sheets: HTML laid out page by page by QTextDocument, onto a PDF or a printer.

Sheets go to customers and technicians on paper, so they are black on white whatever
the screen's theme, and sized for the paper where the user is (Letter or A4).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QBuffer, QIODevice, QLocale, QMarginsF, QSizeF
from PySide6.QtGui import (
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
    QTextFormat,
)

from desktop.core.company import Company
from desktop.core.company import load as load_company
from desktop.core.store import Store
from desktop.core.store import team as team_store
from desktop.core.team import technician_name
from desktop.ui.formatting import EMPTY

T = TypeVar("T")

#: Until the company's details are read from the server, the header says plainly
#: where its name belongs.
COMPANY = "Your company"
FONT_POINTS = 10
MARGIN_MM = 15
PDF_DPI = 300

STYLE = """
h1 { font-size: 16pt; margin: 0; }
.company { font-size: 15pt; font-weight: bold; }
.kind { font-size: 9pt; color: #555555; }
.number { font-size: 16pt; font-weight: bold; }
.label { font-size: 8pt; color: #555555; }
.muted { color: #555555; }
.section { font-size: 9pt; font-weight: bold; color: #333333; margin-top: 10px; }
"""


def paper() -> QPageSize:
    metric = QLocale.system().measurementSystem() == QLocale.MeasurementSystem.MetricSystem
    return QPageSize(QPageSize.PageSizeId.A4 if metric else QPageSize.PageSizeId.Letter)


def text(value: object, empty: str = EMPTY) -> str:
    """A value as HTML: escaped, its line breaks kept, a dash when there is none."""
    if value is None or value == "":
        return empty
    return html.escape(str(value)).replace("\n", "<br/>")


def document(device: QPagedPaintDevice, body: str) -> QTextDocument:
    """``body`` laid out in pages of ``device``'s printable area."""
    doc = QTextDocument()
    # Measured at the device's own resolution, so what fits here fits on paper.
    doc.documentLayout().setPaintDevice(device)
    font = QFont()
    font.setPointSizeF(FONT_POINTS)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(STYLE)
    doc.setDocumentMargin(0)
    doc.setPageSize(QSizeF(device.width(), device.height()))
    doc.setHtml(body)
    return doc


@dataclass(frozen=True)
class Letterhead:
    """What every sheet knows besides its jobs: the company (for its head) and the
    technicians' names (a sheet never shows a user id)."""

    company: Company | None
    team: Mapping[str, str]

    @classmethod
    def read(cls, store: Store) -> Letterhead:
        return cls(load_company(store), team_store.names(store))

    def head(self) -> str:
        """The company's name, then its address and phone in small print."""
        company = self.company
        name = company.name if company and company.name else COMPANY
        details = [*company.address, company.phone] if company else []
        small = " · ".join(text(d) for d in details if d)
        return (f'<span class="company">{text(name)}</span>'
                + (f'<br/><span class="kind">{small}</span>' if small else ""))

    def technician(self, user_id: str | None) -> str:
        return technician_name(user_id, self.team)


def keep_tables_whole(doc: QTextDocument) -> None:
    """Start a table that would run over a page break on the next page instead."""
    height = doc.pageSize().height()
    layout = doc.documentLayout()
    for frame in doc.rootFrame().childFrames():
        box = layout.frameBoundingRect(frame)
        if box.height() >= height:
            continue  # longer than a page: it has to break somewhere
        if int(box.top() // height) != int((box.bottom() - 1) // height):
            shape = frame.frameFormat()
            shape.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            frame.setFrameFormat(shape)


def pdf_bytes(title: str, render: Callable[[QPagedPaintDevice], T]) -> tuple[bytes, T]:
    """What ``render`` prints, as a PDF file's bytes (kept in memory, so the file on
    disk is written whole or not at all), and what ``render`` returned."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("JobDesk")
    writer.setResolution(PDF_DPI)
    writer.setPageSize(paper())
    writer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                          QPageLayout.Unit.Millimeter)
    result = render(writer)
    buffer.close()
    return bytes(buffer.data().data()), result
