"""How arrived pages become write transactions: order, duplicates, summary pages."""

from __future__ import annotations

from typing import Any

from desktop.core.api import JobPage
from desktop.core.jobs import parse_server_job
from desktop.core.sync.pull import each_once, write_units
from desktop.emulator.demo_data import generate

_JOBS = generate(jobs=12, customers=3, seed=5).jobs


def _page(number: int, jobs: list[dict[str, Any]], *, summary: bool = False) -> JobPage:
    keep = ("uuid", "job_number", "title", "status", "updated_at", "deleted_at")
    items = [parse_server_job({k: j[k] for k in keep} if summary else j) for j in jobs]
    return JobPage(items, [], number, 100, 1_000, 10)


def test_a_job_listed_on_two_pages_is_taken_once_from_the_later_listing() -> None:
    moved = {**_JOBS[2], "title": "Renamed between the two pages",
             "updated_at": "2099-01-01T00:00:00.000Z"}
    first = _page(1, _JOBS[0:3])
    second = _page(2, [moved, *_JOBS[3:5]])
    jobs = each_once([first, second])
    # In the order of the listings kept: the moved job where the later page had it.
    assert [j.uuid for j in jobs] == [j["uuid"] for j in (*_JOBS[0:2], moved, *_JOBS[3:5])]
    assert next(j for j in jobs if j.uuid == moved["uuid"]).fields["title"] == moved["title"]


def test_pages_of_full_records_are_written_together_and_summary_pages_alone() -> None:
    pages = [_page(1, _JOBS[0:2]), _page(2, _JOBS[2:4]), _page(3, _JOBS[4:6], summary=True),
             _page(4, _JOBS[6:8], summary=True), _page(5, _JOBS[8:10]), _page(6, _JOBS[10:])]
    units = write_units(pages)
    assert [[p.page for p in unit] for unit in units] == [[1, 2], [3], [4], [5, 6]]
