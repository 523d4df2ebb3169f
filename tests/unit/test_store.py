"""The local mirror on a real SQLite file: edits, bookkeeping, queries, search."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.jobs import InvalidJob
from desktop.core.store import JobMissing, JobQuery, Store
from desktop.core.store.database import meta_get, meta_put
from desktop.core.sync.details import worst_staleness
from tests.conftest import make_customer

UUID_PREFIX = "aaaaaaaa-0000-4000-8000-00000000000"
T0 = "2025-01-01T00:00:00.000Z"


def _job(store: Store, customer: str, title: str = "Fix leak", **values: object) -> int:
    return store.create_job({"customer_uuid": customer, "title": title, **values}).local_id


def _mark_synced(store: Store, local_id: int, uuid: str, updated_at: str) -> None:
    """Stand in for a confirmed server write (the sync engine's job)."""
    with store.write() as conn:
        conn.exec_driver_sql(
            "UPDATE jobs SET uuid = ?, updated_at = ?, created_at = ?, sync_state = 'synced', "
            "pending_op = NULL, base_json = NULL WHERE local_id = ?",
            (uuid, updated_at, updated_at, local_id),
        )


def test_database_file_is_owner_only_and_in_wal_mode(store: Store) -> None:
    mode = stat.S_IMODE(os.stat(store.path).st_mode)
    assert mode == 0o600
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_create_records_a_pending_create(store: Store, customer: str) -> None:
    record = store.create_job({"customer_uuid": customer, "title": "Fix leak",
                               "estimated_amount": "150.5"})
    assert record.sync_state == "pending" and record.pending_op == "create"
    assert record.uuid is None
    assert record["status"] == "New" and record["priority"] == "Normal"
    assert record["estimated_amount"] == Decimal("150.50")
    assert record.to_json()["estimated_amount"] == "150.50"
    assert record.to_json()["customer"]["last_name"] == "Lovelace"


def test_bad_input_changes_nothing(store: Store, customer: str) -> None:
    local_id = _job(store, customer)
    before = store.get(local_id)
    with pytest.raises(InvalidJob, match="priority"):
        store.update_job(local_id, {"title": "New title", "priority": "Whenever"})
    assert store.get(local_id) == before
    with pytest.raises(InvalidJob, match="customer_uuid"):
        store.create_job({"customer_uuid": "123e4567-e89b-12d3-a456-426614174000", "title": "x"})
    assert store.count(JobQuery()) == 1


def test_edits_of_a_synced_job_coalesce_against_its_base(store: Store, customer: str) -> None:
    local_id = _job(store, customer)
    _mark_synced(store, local_id, f"{UUID_PREFIX}1", T0)
    store.update_job(local_id, {"status": "Scheduled"})
    record = store.update_job(local_id, {"description": "Under the sink"})
    assert record.pending_op == "update" and record.sync_state == "pending"
    assert record.base is not None and record.base["status"] == "New"
    assert record.base["updated_at"] == "2025-01-01T00:00:00.000Z"
    assert record.local_rev == 3
    # Undoing every change by hand leaves nothing to send.
    record = store.update_job(local_id, {"status": "New", "description": ""})
    assert record.pending_op is None and record.sync_state == "synced" and record.base is None


def test_created_then_deleted_offline_costs_nothing(store: Store, customer: str) -> None:
    local_id = _job(store, customer)
    record = store.delete_job(local_id)
    assert record.deleted and record.pending_op is None
    assert store.count(JobQuery(sync_states=("pending",))) == 0
    assert store.restore_job(local_id).pending_op == "create"


def test_delete_and_restore_of_a_synced_job(store: Store, customer: str) -> None:
    local_id = _job(store, customer)
    _mark_synced(store, local_id, f"{UUID_PREFIX}2", T0)
    record = store.delete_job(local_id)
    assert record.pending_op == "delete" and record.deleted
    assert store.count(JobQuery()) == 0 and store.count(JobQuery(deleted="only")) == 1
    with pytest.raises(InvalidJob, match="Trash"):
        store.update_job(local_id, {"title": "x"})
    record = store.restore_job(local_id)
    assert not record.deleted and record.pending_op is None and record.sync_state == "synced"


def test_restore_of_a_server_deleted_job_recreates_it(store: Store, customer: str) -> None:
    local_id = _job(store, customer, title="Gone")
    _mark_synced(store, local_id, f"{UUID_PREFIX}3", T0)
    with store.write() as conn:
        conn.exec_driver_sql("UPDATE jobs SET deleted_at = '2025-01-02T00:00:00.000Z' "
                             "WHERE local_id = ?", (local_id,))
    record = store.restore_job(local_id)
    assert record.uuid is None and record.pending_op == "create" and record["title"] == "Gone"


def test_discard_returns_to_the_server_version(store: Store, customer: str) -> None:
    local_id = _job(store, customer, title="Original")
    _mark_synced(store, local_id, f"{UUID_PREFIX}4", T0)
    store.update_job(local_id, {"title": "Changed"})
    record = store.discard_changes(local_id)
    assert record is not None and record["title"] == "Original" and record.sync_state == "synced"
    unsent = _job(store, customer, title="Never sent")
    assert store.discard_changes(unsent) is None and store.get(unsent) is None


def test_resolve_by_local_id_uuid_and_job_number(store: Store, customer: str) -> None:
    local_id = _job(store, customer)
    uuid = "aaaaaaaa-0000-4000-8000-000000000005"
    _mark_synced(store, local_id, uuid, "2025-01-01T00:00:00.000Z")
    with store.write() as conn:
        conn.exec_driver_sql("UPDATE jobs SET job_number = 'JOB-042' WHERE local_id = ?",
                             (local_id,))
    assert store.resolve(str(local_id)).local_id == local_id
    assert store.resolve(uuid).local_id == local_id
    assert store.resolve("job-042").local_id == local_id


def test_filters_sort_and_counts(store: Store, customer: str) -> None:
    other = make_customer(store, "Grace", "Hopper")
    _job(store, customer, "Boiler service", status="Scheduled", priority="High",
         scheduled_date="2025-03-02", estimated_amount="900")
    _job(store, customer, "Drain unblock", status="New", priority="Emergency",
         scheduled_date="2025-03-01T08:00:00Z", estimated_amount="80")
    _job(store, other, "Rewire kitchen", status="Scheduled", priority="Low",
         estimated_amount="2500.00")
    assert store.count(JobQuery(statuses=("Scheduled",))) == 2
    assert store.count(JobQuery(customer_uuid=other)) == 1
    assert store.count(JobQuery(unscheduled=True)) == 1
    assert store.count(JobQuery(urgent=True)) == 1
    march_first = JobQuery(date_from=date(2025, 3, 1), date_to=date(2025, 3, 1))
    assert [r["title"] for r in store.page(march_first)] == ["Drain unblock"]
    by_amount = store.page(JobQuery(sort="estimated_amount", descending=True))
    assert [r["title"] for r in by_amount] == ["Rewire kitchen", "Boiler service", "Drain unblock"]
    by_priority = store.page(JobQuery(sort="priority"))
    assert [r["priority"] for r in by_priority] == ["Low", "High", "Emergency"]
    ids = store.ids(JobQuery(sort="title"))
    assert [store.rows(ids)[i]["title"] for i in ids] == [
        "Boiler service", "Drain unblock", "Rewire kitchen"]


def test_search_matches_substrings_in_every_indexed_field(store: Store, customer: str) -> None:
    a = _job(store, customer, "Water heater", description="Anode rod replacement",
             service_city="Springfield", internal_notes="gate code 4471")
    b = make_customer(store, "Zelda", "Quintero")
    c = _job(store, b, "Thermostat")
    assert store.ids(JobQuery(search="HEAT")) == [a]
    assert store.ids(JobQuery(search="node")) == [a]
    assert store.ids(JobQuery(search="ringf")) == [a]
    assert store.ids(JobQuery(search="4471")) == [a]
    assert store.ids(JobQuery(search="quint")) == [c]
    assert store.ids(JobQuery(search="lovelace heater")) == [a]
    assert store.ids(JobQuery(search='"')) == []
    assert store.ids(JobQuery(search="Th")) == [c]
    # Editing the text keeps the index current.
    store.update_job(c, {"title": "Furnace"})
    assert store.ids(JobQuery(search="furn")) == [c]
    assert store.ids(JobQuery(search="thermo")) == []


def test_customer_rename_reaches_job_search(store: Store, customer: str) -> None:
    local_id = _job(store, customer)
    store.upsert_customers([{"uuid": customer, "first_name": "Augusta", "last_name": "King"}])
    assert store.ids(JobQuery(search="augusta")) == [local_id]
    assert store.get(local_id).customer_name == "Augusta King"  # type: ignore[union-attr]


def test_meta_round_trips_json(store: Store) -> None:
    assert store.get_meta("usage") is None
    store.put_meta("usage", {"count": 5, "limit": 50000})
    store.put_meta("usage", {"count": 6, "limit": 50000})
    assert store.get_meta("usage") == {"count": 6, "limit": 50000}
    store.put_meta("usage", None)
    assert store.get_meta("usage") is None
    store.put_meta("usage", None)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(min_size=1), value=JSON)
def test_meta_keeps_any_json_value_under_any_key(store: Store, key: str, value: Any) -> None:
    store.put_meta(key, value)
    assert store.get_meta(key) == value


def test_meta_written_in_a_failed_transaction_is_not_kept(store: Store) -> None:
    store.put_meta("scan", {"page": 1})
    with pytest.raises(RuntimeError), store.write() as conn:
        meta_put(conn, "scan", {"page": 2})
        meta_put(conn, "last_full", "2025-01-01")
        assert meta_get(conn, "scan") == {"page": 2}
        raise RuntimeError("crash half-way")
    assert store.get_meta("scan") == {"page": 1}
    assert store.get_meta("last_full") is None


def test_customers_match_every_word_in_any_field_by_name(store: Store) -> None:
    store.upsert_customers([
        {"uuid": "c1", "first_name": "ada", "last_name": "Lovelace", "phone": "555-0101",
         "physical_address1": "12 Analytical Row", "physical_city": "London"},
        {"uuid": "c2", "first_name": "Grace", "last_name": "hopper",
         "email": "grace@navy.example", "physical_state": "VA"},
        {"uuid": "c3", "first_name": "Alan", "last_name": "Turing",
         "company_name": "Bletchley Park Ltd"},
        {"uuid": "c4", "first_name": "Ada", "last_name": "Gone",
         "deleted_at": "2025-01-01T00:00:00.000Z"},
    ])
    assert [c.uuid for c in store.customers()] == ["c2", "c1", "c3"]
    assert [c.uuid for c in store.customers("ADA")] == ["c1"]
    assert [c.uuid for c in store.customers("park turing")] == ["c3"]
    assert [c.uuid for c in store.customers("navy")] == ["c2"]
    assert [c.uuid for c in store.customers("0101 ada")] == ["c1"]
    assert [c.uuid for c in store.customers("ada hopper")] == []
    assert len(store.customers(limit=2)) == 2
    ada = store.customers("lovelace")[0]
    assert ada.address == "12 Analytical Row London"
    assert store.customers("hopper")[0].address == "VA"


def test_customers_by_uuid_include_the_deleted(store: Store) -> None:
    make_customer(store)
    store.upsert_customers([{"uuid": "gone", "last_name": "Gone",
                             "deleted_at": "2025-01-01T00:00:00.000Z"}])
    gone = store.customer("gone")
    assert gone is not None and gone.deleted_at is not None and gone.address == ""
    assert store.customer("nobody") is None
    assert store.customers_by_uuid([]) == []
    assert {c.uuid for c in store.customers_by_uuid(["gone", "nobody"])} == {"gone"}


def test_a_job_takes_its_customers_display_name(store: Store) -> None:
    company = make_customer(store, first="", last="", company_name="Acme Plumbing")
    person = make_customer(store, first="Ada", last="")
    assert store.create_job({"customer_uuid": company, "title": "A"}).customer_name == (
        "Acme Plumbing")
    assert store.create_job({"customer_uuid": person, "title": "B"}).customer_name == "Ada"
    gone = make_customer(store, last="Gone", deleted_at="2025-01-01T00:00:00.000Z")
    with pytest.raises(InvalidJob, match="no live customer"):
        store.create_job({"customer_uuid": gone, "title": "C"})


def test_jobs_waiting_are_counted_by_state(store: Store, customer: str) -> None:
    assert store.count_by_sync_state() == {}
    first, second = _job(store, customer), _job(store, customer)
    _mark_synced(store, first, UUID_PREFIX + "1", T0)
    assert store.count_by_sync_state() == {"pending": 1}
    with store.write() as conn:
        conn.exec_driver_sql("UPDATE jobs SET sync_state = 'rejected' WHERE local_id = ?",
                             (second,))
    assert store.count_by_sync_state() == {"rejected": 1}


def test_a_second_store_on_the_same_file_sees_committed_edits(tmp_path: Path) -> None:
    first = Store.open(tmp_path / "shared.sqlite3")
    second = Store.open(tmp_path / "shared.sqlite3")
    try:
        customer = make_customer(first)
        local_id = _job(first, customer)
        assert second.get(local_id) is not None
    finally:
        first.close()
        second.close()


def test_search_counts_leave_out_the_trash(store: Store, customer: str) -> None:
    kept = _job(store, customer, "Heater service")
    binned = _job(store, customer, "Heater repair")
    store.delete_job(binned)
    assert store.count(JobQuery(search="heater")) == 1
    assert store.count(JobQuery(search="heater", deleted="only")) == 1
    assert store.count(JobQuery(search="heater", deleted="include")) == 2
    assert store.ids(JobQuery(search="heater")) == [kept]


def test_trash_is_searchable_and_restore_returns_to_the_index(store: Store,
                                                              customer: str) -> None:
    local_id = _job(store, customer, "Sump pump", service_city="Riverton")
    store.delete_job(local_id)
    assert store.ids(JobQuery(search="pump")) == []
    assert store.ids(JobQuery(search="verto", deleted="only")) == [local_id]
    assert store.ids(JobQuery(search="sump riv", deleted="include")) == [local_id]
    store.restore_job(local_id)
    assert store.ids(JobQuery(search="pump")) == [local_id]
    assert store.count(JobQuery(search="pump")) == 1


def test_urgent_jobs_sorted_by_priority(store: Store, customer: str) -> None:
    _job(store, customer, "Flagged low", priority="Low", is_urgent="true")
    _job(store, customer, "Burst main", priority="Emergency")
    _job(store, customer, "Routine", priority="Normal")
    gone = _job(store, customer, "Deleted emergency", priority="Emergency")
    store.delete_job(gone)
    titles = [r["title"] for r in store.page(JobQuery(urgent=True, sort="priority"))]
    assert titles == ["Flagged low", "Burst main"]
    assert store.count(JobQuery(urgent=True)) == 2


def test_selected_jobs_move_to_the_trash_and_back_together_or_not_at_all(
        store: Store, customer: str) -> None:
    first, second = _job(store, customer, "Gutter"), _job(store, customer, "Downspout")
    with pytest.raises(JobMissing):
        store.delete_jobs([first, second, 9999])
    assert not any(store.get(i).deleted for i in (first, second))  # type: ignore[union-attr]
    assert [r.deleted for r in store.delete_jobs([first, second])] == [True, True]
    assert store.count(JobQuery(deleted="only")) == 2
    with pytest.raises(JobMissing):
        store.restore_jobs([second, 9999])
    assert store.get(second).deleted  # type: ignore[union-attr]
    assert [r.deleted for r in store.restore_jobs([first, second])] == [False, False]
    assert store.count(JobQuery(search="gutter")) == 1


def test_a_search_every_live_job_matches_lists_exactly_the_live_jobs(
        store: Store, customer: str) -> None:
    # While a job number is typed, "JOB-0" matches every job: the list must still be
    # the live jobs in order, without the Trash.
    for title in ("Sump pump", "Pump repair", "Heat pump service"):
        _job(store, customer, title)
    store.delete_job(_job(store, customer, "Pump in the Trash"))
    by_title = JobQuery(sort="title", descending=True)
    searched = JobQuery(search="PUMP", sort="title", descending=True)
    assert store.ids(searched) == store.ids(by_title)
    assert [r["title"] for r in store.page(searched, 1, 2)] == ["Pump repair", "Heat pump service"]
    assert store.count(searched) == 3
    _job(store, customer, "Drain cleaning")
    assert [r["title"] for r in store.page(searched)] == [
        "Sump pump", "Pump repair", "Heat pump service"]
    assert store.count(searched) == 3


def test_a_checkpoint_beside_a_window_saving_and_reading_never_fails(store: Store) -> None:
    # A full scan ends with one while the window may be saving and listing. Its
    # optimize, begun as a read, was refused its write whenever a save committed
    # meanwhile; it writes only for tables the connection's own queries used, hence
    # the read before each. Forty in a row failed four runs out of four before.
    done = threading.Event()
    errors: list[BaseException] = []

    def busy(work: Callable[[], object]) -> threading.Thread:
        def loop() -> None:
            while not done.is_set():
                try:
                    work()
                except BaseException as exc:  # reported by the assert below
                    errors.append(exc)
                    return
        return threading.Thread(target=loop)

    saves = iter(range(10**9))
    now = datetime.now(UTC)
    # The end of a sync cycle's reads, on two threads as the window's and the sync's.
    workers = [busy(lambda: store.put_meta("saved", next(saves))),
               busy(lambda: worst_staleness(store, now)),
               busy(lambda: worst_staleness(store, now))]
    for worker in workers:
        worker.start()
    try:
        for _ in range(40):
            worst_staleness(store, now)
            store.checkpoint()
    finally:
        done.set()
        for worker in workers:
            worker.join()
    assert errors == []
