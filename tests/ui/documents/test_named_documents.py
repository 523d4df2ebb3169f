"""Documents with names and the company's own details: the sheets' heads and their
technician, finished visits left off a route, the print preview, every field as CSV."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget

from desktop.core.company import COMPANY_META
from desktop.core.export import EVERY_FIELD_TITLES
from desktop.core.store import JobQuery
from desktop.core.store import team as team_store
from desktop.emulator.demo_data import DemoData, make_company, make_locations
from desktop.ui.documents import export
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from tests.ui.documents.test_documents import DAY, _pages, _save_as, _sheet_job

TECH = str(uuid.uuid4())


def _company(session: Session) -> dict[str, Any]:
    now = datetime.now(UTC)
    company = make_company(seed=5, now=now)
    offices = make_locations([str(uuid.uuid4())], seed=5, now=now)
    session.store.put_meta(COMPANY_META, {"read_at": now.isoformat(), "company": company,
                                          "locations": offices})
    return company


def test_sheets_are_headed_by_the_company_and_name_the_technician(
        session: Session, demo_data: DemoData, tmp_path: Path) -> None:
    company = _company(session)
    team_store.name(session.store, [(TECH, "Alex Rivera")])
    local_id = _sheet_job(session, demo_data, assigned_to_user_id=TECH)
    path = tmp_path / "sheet.pdf"
    export.save_job_sheet_pdf(session.store, local_id, path)
    sheet = _pages(path)[0]
    for expected in (company["name"], company["phone"], company["address_line_1"],
                     "Alex Rivera"):
        assert expected in sheet, expected
    assert TECH not in sheet and TECH[:8] not in sheet and "Your company" not in sheet
    route = tmp_path / "route.pdf"
    assert export.save_route_sheet_pdf(session.store, TECH, DAY, route) == 1
    text = " ".join(_pages(route))
    assert company["name"] in text and "Alex Rivera" in text and TECH[:8] not in text


def test_an_unnamed_technician_is_shown_by_a_short_id_and_no_company_says_so(
        session: Session, demo_data: DemoData, tmp_path: Path) -> None:
    local_id = _sheet_job(session, demo_data, assigned_to_user_id=TECH)
    path = tmp_path / "sheet.pdf"
    export.save_job_sheet_pdf(session.store, local_id, path)
    sheet = _pages(path)[0]
    assert f"Technician {TECH[:4]}" in sheet and TECH not in sheet
    assert "Your company" in sheet


def test_the_route_sheet_leaves_out_finished_visits(
        session: Session, demo_data: DemoData, tmp_path: Path) -> None:
    _sheet_job(session, demo_data, assigned_to_user_id=TECH, title="Still to do")
    _sheet_job(session, demo_data, assigned_to_user_id=TECH, title="Done this morning",
               status="Complete", scheduled_time_start="07:00", scheduled_time_end="07:30")
    route = tmp_path / "route.pdf"
    assert export.save_route_sheet_pdf(session.store, TECH, DAY, route) == 1
    text = " ".join(_pages(route))
    assert "Still to do" in text and "Done this morning" not in text


def test_the_file_menu_previews_a_job_sheet(qtbot: Any, window: MainWindow) -> None:
    local_id = window.session.store.ids(JobQuery(sort="job_number"))[0]
    window.show_job(local_id)
    qtbot.waitUntil(window.settled)
    actions = {a.text(): a for a in window.file_menu.actions()}
    actions["Pre&view job sheet…"].trigger()
    dialog = window.findChild(QPrintPreviewDialog)
    assert dialog is not None and dialog.isVisible()
    preview = dialog.findChild(QPrintPreviewWidget)
    assert preview is not None
    qtbot.waitUntil(lambda: preview.pageCount() == 1)
    dialog.close()


def test_every_field_exports_with_names_and_defused_formulas(
        qtbot: Any, window: MainWindow, demo_data: DemoData, tmp_path: Path) -> None:
    session = window.session
    team_store.name(session.store, [(TECH, "Alex Rivera")])
    local_id = _sheet_job(session, demo_data, assigned_to_user_id=TECH,
                          title="=HYPERLINK(\"http://x\")")
    notes: list[str] = []
    path = tmp_path / "every.csv"
    dialog = export.ask_export_csv(window, session, JobQuery(search="HYPERLINK"), None,
                                   notes.append)
    _save_as(qtbot, window, dialog, path)
    qtbot.waitUntil(lambda: len(notes) == 2)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert tuple(header) == EVERY_FIELD_TITLES and len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    record = session.store.get(local_id)
    assert record is not None
    assert (row["technician"], row["assigned_to_user_id"]) == ("Alex Rivera", TECH)
    assert row["title"] == "'" + str(record.values["title"])
    assert row["customer_name"] == record.customer_name
