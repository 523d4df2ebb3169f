"""What the store keeps beside the jobs table follows it, on a real file.

The search index: edits, the Trash, deletions and customer renames are noted by
triggers and indexed in one statement as each write transaction ends; the index
must then hold exactly the live jobs' text, whatever mix of changes a transaction
held. The live counts by status: triggers keep them, whoever writes the row.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.jobs import InvalidJob, parse_server_job
from desktop.core.store import JobQuery, Store, edits
from desktop.core.store.edits import last_local_id
from desktop.core.store.mirror import insert_server_jobs, write_columns
from tests.conftest import make_customer

# What each live job's entry must hold, written out here rather than taken from the
# code under test.
EXPECTED_ENTRIES = """
SELECT local_id, title, description, job_number, customer_name,
       ifnull(service_address1, '') || ' ' || ifnull(service_address2, '') || ' '
       || ifnull(service_city, '') || ' ' || ifnull(service_state, '') || ' '
       || ifnull(service_zip, ''),
       ifnull(internal_notes, '') || ' ' || ifnull(customer_notes, '')
FROM jobs WHERE deleted_at IS NULL ORDER BY local_id
"""
INDEX_ENTRIES = ("SELECT rowid, title, description, job_number, customer_name, address, "
                 "notes FROM jobs_fts ORDER BY rowid")


def entries(store: Store) -> tuple[list[Any], list[Any]]:
    """The index's entries and what they should be."""
    with store.read() as conn:
        return ([tuple(r) for r in conn.exec_driver_sql(INDEX_ENTRIES)],
                [tuple(r) for r in conn.exec_driver_sql(EXPECTED_ENTRIES)])


def stale(store: Store) -> int:
    with store.read() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM jobs_fts_stale").scalar_one())


def counts(store: Store) -> tuple[set[Any], set[Any]]:
    """The live counts by status as kept, and as counted."""
    with store.read() as conn:
        return (set(conn.exec_driver_sql(
                    "SELECT status, jobs FROM live_status_counts WHERE jobs > 0")),
                set(conn.exec_driver_sql(
                    "SELECT ifnull(status, ''), count(*) FROM jobs "
                    "WHERE deleted_at IS NULL GROUP BY 1")))


def found(store: Store, text: str) -> set[str]:
    return {r["title"] for r in store.page(JobQuery(search=text), 0, 100)}


def test_an_edit_is_found_by_its_new_words_only(store: Store, customer: str) -> None:
    local_id = store.create_job({"customer_uuid": customer, "title": "Replace boiler"}).local_id
    store.update_job(local_id, {"title": "Service furnace", "internal_notes": "gate code 4711"})
    assert found(store, "furnace") == {"Service furnace"}
    assert found(store, "4711") == {"Service furnace"}
    assert found(store, "boiler") == set()
    assert stale(store) == 0


def test_the_trash_leaves_the_index_and_restore_brings_it_back(store: Store,
                                                                customer: str) -> None:
    local_id = store.create_job({"customer_uuid": customer, "title": "Attic fan"}).local_id
    store.delete_job(local_id)
    assert found(store, "attic") == set()
    assert store.count(JobQuery(search="attic")) == 0
    store.restore_job(local_id)
    assert found(store, "attic") == {"Attic fan"}
    assert store.count(JobQuery(search="attic")) == 1


def test_a_job_deleted_outright_leaves_the_index(store: Store, customer: str) -> None:
    local_id = store.create_job({"customer_uuid": customer, "title": "Never sent"}).local_id
    assert store.discard_changes(local_id) is None
    assert found(store, "never") == set()
    index, expected = entries(store)
    assert index == expected == []


def test_a_renamed_customer_is_found_by_the_new_name(store: Store) -> None:
    customer = make_customer(store, "Grace", "Hopper")
    store.create_job({"customer_uuid": customer, "title": "Sump pump"})
    store.upsert_customers([{"uuid": customer, "first_name": "Grace", "last_name": "Murray"}])
    assert found(store, "murray") == {"Sump pump"}
    assert found(store, "hopper") == set()


def test_many_changes_in_one_transaction_are_indexed_together(store: Store,
                                                              customer: str) -> None:
    ids = [store.create_job({"customer_uuid": customer, "title": f"Job {n}"}).local_id
           for n in range(30)]
    with store.write() as conn:
        for n, local_id in enumerate(ids[:20]):
            edits.update(conn, local_id, {"description": f"valve swap {n}"})
        for local_id in ids[20:]:
            edits.delete(conn, local_id)
        # Noted, not yet indexed: the index is written once, as the transaction ends.
        waiting = conn.exec_driver_sql("SELECT count(*) FROM jobs_fts_stale").scalar_one()
        assert waiting == 30
    assert store.count(JobQuery(search="valve swap")) == 20
    assert stale(store) == 0
    index, expected = entries(store)
    assert index == expected and len(index) == 20


def test_a_change_to_unindexed_columns_notes_nothing(store: Store, customer: str) -> None:
    local_id = store.create_job({"customer_uuid": customer, "title": "Gas leak"}).local_id
    with store.write() as conn:
        edits.update(conn, local_id, {"status": "Scheduled", "priority": "High"})
        edits.update(conn, local_id, {"title": "Gas leak"})  # the same text again
        assert conn.exec_driver_sql("SELECT count(*) FROM jobs_fts_stale").scalar_one() == 0


def test_a_failed_transaction_leaves_the_index_as_it_was(store: Store, customer: str) -> None:
    local_id = store.create_job({"customer_uuid": customer, "title": "Water heater"}).local_id
    before = entries(store)
    with pytest.raises(RuntimeError), store.write() as conn:
        edits.update(conn, local_id, {"title": "Tankless heater"})
        raise RuntimeError("the connection dropped")
    assert entries(store) == before
    assert stale(store) == 0
    assert found(store, "water") == {"Water heater"}


WORDS = ["valve", "boiler", "drain", "attic", "breaker", ""]
TEXT_FIELDS = ["title", "description", "internal_notes", "customer_notes",
               "service_city", "service_address1"]
Op = tuple[str, int, str, str]
OPS = st.tuples(
    st.sampled_from(["create", "edit", "status", "trash", "restore", "discard",
                     "from server", "gone on server", "server edit"]),
    st.integers(0, 7),
    st.sampled_from(TEXT_FIELDS),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
)


def _apply(conn: Any, customer: str, ids: list[int], op: Op) -> None:
    kind, pick, field, text = op
    if kind in ("from server", "gone on server"):
        # A sync's insert: a status this version does not know, or none; a job the
        # server had already deleted is written straight to the Trash.
        job = parse_server_job({
            "uuid": str(uuid.uuid4()), "customer_uuid": customer, "title": text or "x",
            "status": [None, "On Hold", "New"][pick % 3],
            "deleted_at": "2025-01-02T00:00:00Z" if kind == "gone on server" else None})
        insert_server_jobs(conn, [job])
        ids.append(last_local_id(conn))
        return
    if kind == "create" or not ids:
        ids.append(edits.create(conn, {"customer_uuid": customer,
                                       "title": text.strip() or "untitled"}).local_id)
        return
    local_id = ids[pick % len(ids)]
    if kind == "edit":
        value = text.strip() or ("untitled" if field == "title" else None)
        edits.update(conn, local_id, {field: value})
    elif kind == "status":
        edits.update(conn, local_id, {"status": "Complete"})
    elif kind == "server edit":
        # The sync's own writes: no user edit, text and status straight from the server.
        write_columns(conn, local_id, {field: text.strip() or None,
                                       "status": ["Invoiced", None][pick % 2]})
    elif kind == "trash":
        edits.delete(conn, local_id)
    elif kind == "restore":
        edits.restore(conn, local_id)
    elif kind == "discard":
        edits.discard(conn, local_id)
        ids.remove(local_id)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(OPS, min_size=1, max_size=6), min_size=1, max_size=6))
def test_after_any_transactions_the_index_and_counts_match_the_live_jobs(
        transactions: list[list[Op]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "jobdesk.sqlite3")
        try:
            customer = make_customer(store)
            ids: list[int] = []
            for transaction in transactions:
                kept = list(ids)
                try:
                    with store.write() as conn:
                        for op in transaction:
                            _apply(conn, customer, ids, op)
                except InvalidJob:
                    # Editing a job in the Trash is refused, and with it the whole
                    # transaction: whatever it had noted must go too.
                    ids = kept
                index, expected = entries(store)
                assert index == expected
                assert stale(store) == 0
                with store.write() as conn:
                    # FTS5 checks its index against the text it stores: raises if
                    # any entry is missing, left over or out of date.
                    conn.exec_driver_sql(
                        "INSERT INTO jobs_fts (jobs_fts, rank) VALUES ('integrity-check', 1)")
                kept, counted = counts(store)
                assert kept == counted
                assert store.count(JobQuery()) == len(expected)
            _, live = entries(store)
            for word in WORDS[:-1]:
                holding = [row for row in live
                           if any(word in (text or "").lower() for text in row[1:])]
                assert store.count(JobQuery(search=word)) == len(holding)
        finally:
            store.close()
