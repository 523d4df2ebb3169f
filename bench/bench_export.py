"""Documents at 100,000 jobs: the whole list as CSV, a week's calendar, one job sheet.

Targets: the CSV export runs on the reads thread while the window stays live, and a
person who asked for a 100,000-row file accepts a wait of a few seconds (about what a
spreadsheet takes to open it): <= 5 s. A job sheet is laid out on the GUI thread
after the save dialog closes, so it must feel immediate: <= 200 ms, even for a
description so long that the sheet searches for how much of it fits one page. A
technician's week as a calendar file is a click away (off the GUI thread): <= 300 ms.

Run: ``.venv/bin/python -m bench.bench_export``
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication

from bench.bench_store import JOBS, build
from bench.measure import median_ms, print_machine_speed, report
from desktop.core.export import write_week_calendar
from desktop.core.jobs import TEXT_MAX
from desktop.core.store import JobQuery, Store
from desktop.ui.documents.export import export_csv, save_job_sheet_pdf
from desktop.ui.jobs.rows import COLUMNS


def _csv_s(store: Store, path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    rows = export_csv(store, JobQuery(), range(len(COLUMNS)), path)
    return time.perf_counter() - start, rows


def main() -> int:
    print_machine_speed()
    _app = QGuiApplication.instance() or QGuiApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store, built_s, _customers, technicians = build(root / "bench.sqlite3")
        print(f"      built a {JOBS:,}-job store in {built_s:.1f} s")
        try:
            runs = [_csv_s(store, root / "jobs.csv") for _ in range(3)]
            seconds, rows = statistics.median(s for s, _ in runs), runs[0][1]
            size_mb = (root / "jobs.csv").stat().st_size / 1e6
            ok = report(f"CSV export of all {rows:,} jobs, every column (median of 3)",
                        seconds, 5.0, "s")
            print(f"      {size_mb:.1f} MB written")

            # Demo schedules sit around today, so this week is a full one.
            today = date.today()
            monday = today - timedelta(days=today.weekday())
            mine = JobQuery(assigned_to=technicians[0])
            events = write_week_calendar(store, mine, monday, root / "week.ics")
            ok &= report(f"one technician's week as .ics ({events:,} visits, median)",
                         median_ms(lambda: write_week_calendar(
                             store, mine, monday, root / "week.ics"), rounds=9), 300.0)
            start = time.perf_counter()
            events = write_week_calendar(store, JobQuery(), monday, root / "week.ics")
            print(f"      every technician's week: {events:,} visits in "
                  f"{time.perf_counter() - start:.2f} s")

            local_id = store.ids(JobQuery(sort="job_number"))[0]
            sheet = root / "sheet.pdf"
            ok &= report("job sheet to PDF, one page (median)",
                         median_ms(lambda: save_job_sheet_pdf(store, local_id, sheet),
                                   rounds=15), 200.0)
            store.update_job(local_id, {"description": ("Replace the stack. " * 600)[:TEXT_MAX]})
            ok &= report(f"job sheet to PDF, {TEXT_MAX:,}-character description (median)",
                         median_ms(lambda: save_job_sheet_pdf(store, local_id, sheet),
                                   rounds=15), 200.0)
        finally:
            store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
