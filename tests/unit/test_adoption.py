"""Recognising a lost create, and giving its uuid one row, on a real SQLite file."""

from __future__ import annotations

import html
import uuid as uuid_mod

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.jobs import ServerJob, parse_server_job
from desktop.core.store import Store
from desktop.core.store.mirror import insert_server_jobs
from desktop.core.store.outbox import DuplicateCopy, Request, build, confirm, record
from desktop.core.sync.adoption import is_own_create, normalised_title

FLOOR = "2025-06-01T12:00:00.000Z"


@given(st.text(max_size=40))
def test_a_title_escaped_or_respaced_by_a_server_reads_the_same(title: str) -> None:
    rewritten = "  " + html.escape(title, quote=False).upper().replace(" ", "\u00a0 ") + " "
    assert normalised_title(rewritten) == normalised_title(title.upper())


def test_different_words_are_different_titles() -> None:
    assert normalised_title("Pipes & valves") != normalised_title("Pipes and valves")


def _server_job(customer: str, title: str, created: str) -> ServerJob:
    return parse_server_job({
        "uuid": str(uuid_mod.uuid4()), "customer_uuid": customer, "title": title,
        "status": "New", "priority": "Normal", "created_at": created, "updated_at": created,
    })


def _sent_create(store: Store, customer: str, title: str) -> Request:
    row = store.create_job({"customer_uuid": customer, "title": title})
    request = build(row, FLOOR)
    assert request is not None
    with store.write() as conn:
        record(conn, request)
    return request


def test_a_create_is_matched_on_customer_title_and_the_servers_clock(
        store: Store, customer: str) -> None:
    request = _sent_create(store, customer, "Pipes & valves")
    assert is_own_create(request, _server_job(customer, "pipes &amp; valves",
                                              "2025-06-01T12:00:03.000Z"))
    assert not is_own_create(request, _server_job(customer, "Pipes & valves",
                                                  "2025-06-01T11:00:00.000Z"))
    assert not is_own_create(request, _server_job(str(uuid_mod.uuid4()),
                                                  "Pipes & valves", "2025-06-01T12:00:03.000Z"))


def _copy_of(store: Store, job: ServerJob) -> int:
    with store.write() as conn:
        insert_server_jobs(conn, [job])
        return int(conn.exec_driver_sql("SELECT max(local_id) FROM jobs").scalar_one())


def test_a_reply_for_a_job_already_mirrored_merges_the_two_rows(
        store: Store, customer: str) -> None:
    request = _sent_create(store, customer, "Twice seen")
    job = _server_job(customer, "Twice seen", "2025-06-01T12:00:03.000Z")
    copy = _copy_of(store, job)
    with store.write() as conn:
        confirm(conn, request, job)
    assert store.get(copy) is None
    mine = store.get(request.local_id)
    assert mine is not None and mine.uuid == job.uuid and mine.sync_state == "synced"


def test_a_mirrored_copy_with_edits_of_its_own_keeps_them(store: Store, customer: str) -> None:
    request = _sent_create(store, customer, "Edited there")
    job = _server_job(customer, "Edited there", "2025-06-01T12:00:03.000Z")
    copy = _copy_of(store, job)
    store.update_job(copy, {"description": "typed on the copy"})
    with store.write() as conn:
        confirm(conn, request, job)
    # The create carried nothing the server lacks, so its row goes; the copy stays.
    assert store.get(request.local_id) is None
    kept = store.get(copy)
    assert kept is not None and kept.values["description"] == "typed on the copy"


def test_both_rows_with_edits_is_that_jobs_trouble_alone(store: Store, customer: str) -> None:
    request = _sent_create(store, customer, "Edited twice")
    store.update_job(request.local_id, {"description": "typed after sending"})
    job = _server_job(customer, "Edited twice", "2025-06-01T12:00:03.000Z")
    copy = _copy_of(store, job)
    store.update_job(copy, {"description": "typed on the copy"})
    with pytest.raises(DuplicateCopy, match="keep one"), store.write() as conn:
        confirm(conn, request, job)
    # Nothing was changed: both rows and both edits are still there.
    assert store.get(copy) is not None
    mine = store.get(request.local_id)
    assert mine is not None and mine.values["description"] == "typed after sending"
