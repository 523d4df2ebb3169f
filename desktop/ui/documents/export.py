"""Documents made from jobs: job and route sheets (PDF or printer), the job list as CSV,
and a week's schedule as an iCalendar file.

Functions given a path or a printer do the work and raise ``OSError`` when a file
cannot be written. The ``ask_*`` functions are the menu's actions: they ask where,
do the work (big exports on the reads thread) and report the outcome in a sentence:
a note on success, or a message box naming the file and the problem.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QPagedPaintDevice
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop.core.export import (
    EVERY_FIELD_TITLES,
    every_field_cells,
    records,
    write_bytes,
    write_csv,
    write_problem,
    write_week_calendar,
)
from desktop.core.jobs import parse_day, wire_value
from desktop.core.store import JobNotFound, JobQuery, JobRecord, Store
from desktop.ui import formatting
from desktop.ui.documents.job_sheet import job_sheet
from desktop.ui.documents.printing import Letterhead, paper, pdf_bytes
from desktop.ui.documents.route_sheet import route_sheet
from desktop.ui.jobs.rows import COLUMNS, SORT_COLUMNS, row_view
from desktop.ui.session import Session

Note = Callable[[str], None]
T = TypeVar("T")

_SCHEDULED = SORT_COLUMNS["scheduled"]
_ESTIMATE = SORT_COLUMNS["estimated_amount"]


# -- the work, given where it goes -------------------------------------------------------


def csv_cells(record: JobRecord, today: date) -> list[str]:
    """A job's cells as the list shows them, except what a spreadsheet computes on:
    the amount as a plain number and the date as an ISO date ("Today" in a saved
    file would be wrong tomorrow)."""
    cells = list(row_view(record, today).texts)
    v = record.values
    day = parse_day(v["scheduled_date"])
    window = formatting.time_window(v["scheduled_time_start"], v["scheduled_time_end"])
    cells[_SCHEDULED] = " ".join(p for p in (day.isoformat() if day else "", window) if p)
    cells[_ESTIMATE] = wire_value(v["estimated_amount"]) or ""
    return cells


def export_csv(store: Store, query: JobQuery, columns: Sequence[int], path: Path) -> int:
    """Every job of ``query`` in its order, ``columns`` (indexes into the list's columns)
    as CSV; returns the number of jobs. Safe on any thread."""
    today = date.today()
    rows = (csv_cells(r, today) for r in records(store, query))
    return write_csv(path, [COLUMNS[c].title for c in columns],
                     ([cells[c] for c in columns] for cells in rows))


def export_every_field_csv(store: Store, query: JobQuery, path: Path) -> int:
    """Every job of ``query`` with every field (ids beside their names) as CSV;
    returns the number of jobs. Safe on any thread."""
    letterhead = Letterhead.read(store)
    rows = (every_field_cells(r, letterhead.team, letterhead.company)
            for r in records(store, query))
    return write_csv(path, EVERY_FIELD_TITLES, rows)


def _job(store: Store, local_id: int) -> JobRecord:
    record = store.get(local_id)
    if record is None:
        raise JobNotFound(f"job: no job with local id {local_id}")
    return record


def _print_job(store: Store, record: JobRecord, device: QPagedPaintDevice) -> None:
    customer_uuid = record.values["customer_uuid"]
    customer = store.customer(customer_uuid) if customer_uuid else None
    job_sheet(device, record, customer, date.today(), Letterhead.read(store)).print_(device)


def print_job_sheet(store: Store, local_id: int, printer: QPagedPaintDevice) -> None:
    _print_job(store, _job(store, local_id), printer)


def save_job_sheet_pdf(store: Store, local_id: int, path: Path) -> None:
    record = _job(store, local_id)
    data, _ = pdf_bytes(f"Work order {record.values['job_number'] or ''}".strip(),
                        lambda device: _print_job(store, record, device))
    write_bytes(path, data)


def print_route_sheet(store: Store, technician: str, day: date,
                      printer: QPagedPaintDevice) -> int:
    """Returns the number of jobs on the sheet."""
    doc, count = route_sheet(printer, store, technician, day)
    doc.print_(printer)
    return count


def save_route_sheet_pdf(store: Store, technician: str, day: date, path: Path) -> int:
    data, count = pdf_bytes(f"Route sheet {day.isoformat()}",
                            lambda device: print_route_sheet(store, technician, day, device))
    write_bytes(path, data)
    return count


# -- the menu's actions ------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _warn(parent: QWidget, title: str, message: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, title, message,
                      QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def _ask_path(parent: QWidget, title: str, name: str, kind: str,
              then: Callable[[Path], None]) -> QFileDialog:
    suffix = Path(name).suffix.lstrip(".")
    documents = Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation))
    folder = documents if documents.is_dir() else Path.home()
    dialog = QFileDialog(parent, title, str(folder / name), f"{kind} (*.{suffix})")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix(suffix)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(lambda chosen: then(Path(chosen)))
    dialog.open()
    return dialog


def _write(parent: QWidget, path: Path, write: Callable[[], T], done: Callable[[T], None],
           session: Session | None = None) -> None:
    """Run ``write`` (on the reads thread when a session is given), then report."""

    def failed(error: BaseException) -> None:
        if not isinstance(error, OSError):
            raise error  # a fault, not the disk: the app's error handler reports it
        _warn(parent, "Could not save", write_problem(path, error))

    if session is not None:
        session.reads.run(write, done, failed)
        return
    try:
        result = write()
    except OSError as error:
        failed(error)
        return
    done(result)


def ask_export_csv(parent: QWidget, session: Session, query: JobQuery,
                   columns: Sequence[int] | None, note: Note) -> QFileDialog:
    """Export the list's jobs with its visible ``columns`` (see ``JobTableView``), or
    with every field when ``columns`` is None."""
    store, chosen = session.store, None if columns is None else list(columns)

    def export(path: Path) -> None:
        note(f"Exporting to {path.name}…")
        _write(parent, path,
               lambda: export_every_field_csv(store, query, path) if chosen is None
               else export_csv(store, query, chosen, path),
               lambda n: note(f"Exported {_plural(n, 'job')} to {path.name}"), session)

    return _ask_path(parent, "Export jobs as CSV", f"jobs-{date.today().isoformat()}.csv",
                     "CSV files", export)


def ask_export_week_ics(parent: QWidget, session: Session, query: JobQuery,
                        week_start: date, note: Note) -> QFileDialog:
    """Export the jobs of ``query`` scheduled in the week from ``week_start``."""
    store = session.store

    def export(path: Path) -> None:
        _write(parent, path, lambda: write_week_calendar(store, query, week_start, path),
               lambda n: note(f"Saved {_plural(n, 'visit')} to {path.name}"), session)

    return _ask_path(parent, "Export the week's schedule",
                     f"schedule-{week_start.isoformat()}.ics", "Calendar files", export)


def ask_save_job_sheet(parent: QWidget, session: Session, local_id: int,
                       note: Note) -> QFileDialog:
    number = _job(session.store, local_id).values["job_number"] or "new-job"

    def save(path: Path) -> None:
        _write(parent, path, lambda: save_job_sheet_pdf(session.store, local_id, path),
               lambda _none: note(f"Saved the job sheet to {path.name}"))

    return _ask_path(parent, "Save the job sheet as PDF", f"{number}.pdf", "PDF files", save)


def ask_save_route_sheet(parent: QWidget, session: Session, technician: str, day: date,
                         note: Note) -> QFileDialog:
    def save(path: Path) -> None:
        _write(parent, path,
               lambda: save_route_sheet_pdf(session.store, technician, day, path),
               lambda n: note(f"Saved a route sheet of {_plural(n, 'job')} to {path.name}"))

    return _ask_path(parent, "Save the route sheet as PDF", f"route-{day.isoformat()}.pdf",
                     "PDF files", save)


def _ask_printer(parent: QWidget, print_on: Callable[[QPrinter], Any], done: str,
                 note: Note) -> QPrintDialog:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        print_on(printer)
        if printer.printerState() == QPrinter.PrinterState.Error:
            target = printer.outputFileName() or printer.printerName()
            _warn(parent, "Could not print",
                  f"Could not print to {target}: the printer or file could not be opened.")
        else:
            note(done)

    dialog.accepted.connect(accepted)
    # QPrintDialog's binding hides QDialog.open(); this is what it does.
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog


def _preview(parent: QWidget, title: str, print_on: Callable[[QPrinter], Any]
             ) -> QPrintPreviewDialog:
    """The sheet as it will print, on the paper where the user is; printable from there."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(paper())
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(title)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.paintRequested.connect(print_on)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog


def ask_preview_job_sheet(parent: QWidget, session: Session,
                          local_id: int) -> QPrintPreviewDialog:
    return _preview(parent, "Job sheet preview",
                    lambda p: print_job_sheet(session.store, local_id, p))


def ask_preview_route_sheet(parent: QWidget, session: Session, technician: str,
                            day: date) -> QPrintPreviewDialog:
    return _preview(parent, "Route sheet preview",
                    lambda p: print_route_sheet(session.store, technician, day, p))


def ask_print_job_sheet(parent: QWidget, session: Session, local_id: int,
                        note: Note) -> QPrintDialog:
    return _ask_printer(parent, lambda p: print_job_sheet(session.store, local_id, p),
                        "Sent the job sheet to the printer", note)


def ask_print_route_sheet(parent: QWidget, session: Session, technician: str, day: date,
                          note: Note) -> QPrintDialog:
    return _ask_printer(parent,
                        lambda p: print_route_sheet(session.store, technician, day, p),
                        "Sent the route sheet to the printer", note)
