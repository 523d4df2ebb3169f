"""Job and route sheets read back from their PDFs, and CSV exports of the list."""

from __future__ import annotations

import csv
import threading
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLineEdit, QMessageBox

from desktop.core.jobs import TEXT_MAX
from desktop.core.store import JobQuery, Store
from desktop.emulator.demo_data import DemoData
from desktop.ui.documents import export
from desktop.ui.formatting import time_window
from desktop.ui.jobs.rows import COLUMNS, SORT_COLUMNS
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session

SECRET = "Owes $300 from the last visit; do not mention"
DAY = date(2025, 3, 4)


def _pages(path: Path) -> list[str]:
    """Each page's text with runs of white space made single spaces and the font's
    ligatures (fi, fl) spelled out."""
    texts = (page.extract_text().replace("\ufb01", "fi").replace("\ufb02", "fl")
             for page in PdfReader(path).pages)
    return [" ".join(text.split()) for text in texts]


def _save_as(qtbot: Any, window: MainWindow, dialog: QFileDialog, path: Path) -> None:
    assert dialog.isVisible() and dialog.parent() is window
    dialog.selectFile(str(path))
    dialog.accept()
    qtbot.waitUntil(lambda: not dialog.isVisible())


def _sheet_job(session: Session, demo_data: DemoData, **changes: Any) -> int:
    customer = demo_data.customers[0]
    record = session.create_job({
        "customer_uuid": customer["uuid"], "title": "Leak under <sink> & R&D lab",
        "service_address1": "4736 Oak Ct", "service_city": "Cedar Park",
        "service_state": "TX", "service_zip": "78613", "scheduled_date": "2025-03-04",
        "scheduled_time_start": "08:00", "scheduled_time_end": "10:00",
        "estimated_amount": "1234.5", "actual_amount": "99.99", "priority": "High",
        "description": "Replace the trap.", "customer_notes": "Park in the drive.",
        "internal_notes": SECRET, **changes})
    return record.local_id


# -- job sheet -------------------------------------------------------------------------


def test_job_sheet_is_one_page_for_the_customer(session: Session, demo_data: DemoData,
                                                tmp_path: Path) -> None:
    local_id = _sheet_job(session, demo_data)
    with session.store.write() as conn:  # as if synced: the server numbered it
        conn.exec_driver_sql("UPDATE jobs SET job_number = 'JOB-009876' WHERE local_id = ?",
                             (local_id,))
    path = tmp_path / "sheet.pdf"
    export.save_job_sheet_pdf(session.store, local_id, path)
    pages = _pages(path)
    assert len(pages) == 1
    customer = demo_data.customers[0]
    for expected in ("JOB-009876", "4736 Oak Ct", "Cedar Park, TX 78613",
                     "Leak under <sink> & R&D lab", customer["phone"], customer["last_name"],
                     "Tuesday 04 March 2025", time_window("08:00", "10:00"), "$1,234.50", "$99.99",
                     "Park in the drive.", "Replace the trap.", "Signature"):
        assert expected in pages[0], expected
    assert SECRET not in pages[0] and "Owes" not in pages[0]


def test_a_long_description_is_cut_to_keep_one_page(session: Session, demo_data: DemoData,
                                                   tmp_path: Path) -> None:
    words = ("Remove the old cast iron stack and replace it with PVC. " * 200)[:TEXT_MAX]
    local_id = _sheet_job(session, demo_data, description=words,
                          customer_notes="Call first. " * 300)
    path = tmp_path / "sheet.pdf"
    export.save_job_sheet_pdf(session.store, local_id, path)
    pages = _pages(path)
    assert len(pages) == 1
    assert "…" in pages[0] and "Shortened to fit one page" in pages[0]
    assert "4736 Oak Ct" in pages[0] and "Signature" in pages[0]
    assert SECRET not in pages[0]


def test_printing_a_job_sheet_goes_through_the_printer(session: Session, demo_data: DemoData,
                                                      tmp_path: Path) -> None:
    local_id = _sheet_job(session, demo_data)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    export.print_job_sheet(session.store, local_id, printer)
    pages = _pages(tmp_path / "printed.pdf")
    assert len(pages) == 1
    assert "4736 Oak Ct" in pages[0] and SECRET not in pages[0]


def test_save_job_sheet_from_the_window(qtbot: Any, window: MainWindow,
                                        tmp_path: Path) -> None:
    local_id = window.session.store.ids(JobQuery(sort="job_number"))[0]
    number = window.session.store.get(local_id).values["job_number"]
    notes: list[str] = []
    dialog = export.ask_save_job_sheet(window, window.session, local_id, notes.append)
    assert dialog.selectedFiles()[0].endswith(f"{number}.pdf")
    _save_as(qtbot, window, dialog, tmp_path / "sheet.pdf")
    assert notes == ["Saved the job sheet to sheet.pdf"]
    pages = _pages(tmp_path / "sheet.pdf")
    assert len(pages) == 1 and number in pages[0]


def test_print_dialog_prints_the_sheet(qtbot: Any, window: MainWindow,
                                      tmp_path: Path) -> None:
    if QPrinterInfo.availablePrinterNames():
        pytest.skip("a printer is installed here: the test would print on paper")
    notes: list[str] = []
    local_id = window.session.store.ids(JobQuery(sort="job_number"))[0]
    dialog = export.ask_print_job_sheet(window, window.session, local_id, notes.append)
    assert dialog.isVisible() and dialog.parent() is window
    # With no printer installed the dialog offers printing to a PDF file.
    output = dialog.findChild(QLineEdit, "filename")
    output.setText(str(tmp_path / "printed.pdf"))
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert notes == ["Sent the job sheet to the printer"]
    number = window.session.store.get(local_id).values["job_number"]
    pages = _pages(tmp_path / "printed.pdf")
    assert len(pages) == 1 and number in pages[0]


# -- route sheet -----------------------------------------------------------------------


def test_route_sheet_lists_the_technicians_day_in_time_order(
        session: Session, demo_data: DemoData, tmp_path: Path) -> None:
    tech, other = str(uuid.uuid4()), str(uuid.uuid4())
    customer = demo_data.customers[1]

    def job(title: str, assignee: str = tech, day: str = DAY.isoformat(),
            start: str | None = None, end: str | None = None) -> None:
        session.create_job({"customer_uuid": customer["uuid"], "title": title,
                            "assigned_to_user_id": assignee, "scheduled_date": day,
                            "scheduled_time_start": start, "scheduled_time_end": end,
                            "customer_notes": f"Notes for {title}",
                            "internal_notes": SECRET})

    job("Afternoon boiler", start="14:00", end="16:00")
    job("Whenever it suits")
    job("Early faucet", start="07:30", end="08:30")
    job("Before noon", end="12:00")
    job("Mid-morning fan", start="10:00")
    job("Other technician", assignee=other, start="09:00")
    job("Another day", day="2025-03-05", start="09:00")

    path = tmp_path / "route.pdf"
    assert export.save_route_sheet_pdf(session.store, tech, DAY, path) == 5
    text = " ".join(_pages(path))
    order = ["Early faucet", "Mid-morning fan", "Before noon", "Afternoon boiler",
             "Whenever it suits"]
    positions = [text.index(f"{title} {customer['first_name']}") for title in order]
    assert positions == sorted(positions)
    assert time_window("07:30", "08:30") in text and "until 12:00" in text and "Any time" in text
    assert customer["phone"] in text and "Notes for Early faucet" in text
    assert "Other technician" not in text and "Another day" not in text
    assert SECRET not in text


def test_a_long_route_breaks_pages_between_jobs(session: Session, demo_data: DemoData,
                                                tmp_path: Path) -> None:
    tech = str(uuid.uuid4())
    customer = demo_data.customers[2]
    titles = [f"Visit number {n:02d}" for n in range(24)]
    for n, title in enumerate(titles):
        session.create_job({
            "customer_uuid": customer["uuid"], "title": title, "assigned_to_user_id": tech,
            "scheduled_date": DAY.isoformat(), "scheduled_time_start": f"{7 + n // 3:02d}:00",
            "customer_notes": f"Gate code {n:02d}. " + "Beware of the dog. " * (n % 5 * 4)})
    path = tmp_path / "route.pdf"
    export.save_route_sheet_pdf(session.store, tech, DAY, path)
    pages = _pages(path)
    assert len(pages) > 1
    for n, title in enumerate(titles):
        # Each job whole on one page: its heading and the end of its notes together.
        holding = [i for i, page in enumerate(pages) if title in page]
        assert len(holding) == 1, title
        assert f"Gate code {n:02d}." in pages[holding[0]], title


# -- CSV export ------------------------------------------------------------------------


def _read_csv(path: Path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_export_holds_exactly_the_filtered_rows(store: Store, demo_data: DemoData,
                                                    tmp_path: Path) -> None:
    query = JobQuery(statuses=("Scheduled", "In Progress"), sort="job_number")
    path = tmp_path / "jobs.csv"
    columns = list(range(len(COLUMNS)))
    assert export.export_csv(store, query, columns, path) == store.count(query)
    header, *rows = _read_csv(path)
    assert header == [c.title for c in COLUMNS]
    expected = store.ids(query)
    records = store.rows(expected)
    assert [r[0] for r in rows] == [records[i].values["job_number"] for i in expected]
    status, estimate = SORT_COLUMNS["status"], SORT_COLUMNS["estimated_amount"]
    assert {r[status] for r in rows} == {"Scheduled", "In Progress"}
    for row, local_id in zip(rows, expected, strict=True):
        amount = records[local_id].values["estimated_amount"]
        assert row[estimate] == ("" if amount is None else f"{amount:.2f}")
        assert "$" not in row[estimate]


def test_export_from_the_window_writes_the_visible_columns(
        qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    header = window.table.horizontalHeader()
    header.hideSection(SORT_COLUMNS["sync_state"])
    header.moveSection(header.visualIndex(SORT_COLUMNS["customer"]), 0)
    query = JobQuery(statuses=("Scheduled",), sort="title")
    notes: list[str] = []
    path = tmp_path / "scheduled.csv"
    dialog = export.ask_export_csv(window, window.session, query,
                                      window.table.visible_columns(), notes.append)
    _save_as(qtbot, window, dialog, path)
    qtbot.waitUntil(lambda: len(notes) == 2)
    expected = window.session.store.ids(query)
    assert notes == ["Exporting to scheduled.csv…",
                     f"Exported {len(expected)} jobs to scheduled.csv"]
    header_row, *rows = _read_csv(path)
    assert header_row == ["Customer", "Job #", "Title", "Status", "Priority", "Scheduled",
                          "City", "Estimate"]
    records = window.session.store.rows(expected)
    assert [(r[0], r[2]) for r in rows] == [
        (records[i].customer_name, records[i].values["title"]) for i in expected]


def test_a_failed_export_says_which_file_and_why(qtbot: Any, window: MainWindow,
                                                 tmp_path: Path) -> None:
    folder = tmp_path / "usb stick"
    folder.mkdir()
    target = folder / "jobs.csv"
    notes: list[str] = []
    gate = threading.Event()
    # Hold the reads thread so the folder can vanish between the choice and the write.
    window.session.reads.run(gate.wait, lambda _done: None)
    dialog = export.ask_export_csv(window, window.session, JobQuery(), [0, 1],
                                      notes.append)
    _save_as(qtbot, window, dialog, target)
    folder.rmdir()
    gate.set()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox) is not None)
    box = window.findChild(QMessageBox)
    assert box.text() == f"Could not write {target}: the folder does not exist."
    assert "Traceback" not in box.text() and notes == ["Exporting to jobs.csv…"]
    box.accept()


def test_week_schedule_export_from_the_window(qtbot: Any, window: MainWindow,
                                              demo_data: DemoData, tmp_path: Path) -> None:
    tech = demo_data.technician_ids[0]
    monday = date.today()
    query = JobQuery(assigned_to=tech)
    notes: list[str] = []
    path = tmp_path / "week.ics"
    dialog = export.ask_export_week_ics(window, window.session, query, monday,
                                           notes.append)
    _save_as(qtbot, window, dialog, path)
    qtbot.waitUntil(lambda: bool(notes))
    week = JobQuery(assigned_to=tech, date_from=monday,
                    date_to=date.fromordinal(monday.toordinal() + 6))
    count = len(window.session.store.ids(week))
    assert notes == [f"Saved {count} visit{'' if count == 1 else 's'} to week.ics"]
    assert path.read_bytes().count(b"BEGIN:VEVENT") == count
