"""Multi-row inserts: every row lands, in order, whatever the parameter limit."""

from __future__ import annotations

import sqlite3
from typing import Any

from desktop.core.jobs import parse_server_job
from desktop.core.store import JobQuery, Store
from desktop.core.store.bulk import insert_rows
from desktop.core.store.mirror import insert_server_jobs, upsert_nested_customers
from desktop.emulator.demo_data import generate


def _limit_parameters(conn: Any, limit: int) -> int:
    driver = conn.connection.driver_connection
    return int(driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit))


def test_rows_beyond_one_statement_all_land_in_order(store: Store) -> None:
    rows = [(f"c{i}", f"First{i}", None) for i in range(50)]
    with store.write() as conn:
        old = _limit_parameters(conn, 21)  # room for seven rows of three: four a statement
        try:
            insert_rows(conn, "INSERT INTO customers (uuid, first_name, last_name)", rows)
        finally:
            _limit_parameters(conn, old)
    with store.read() as conn:
        stored = conn.exec_driver_sql(
            "SELECT uuid, first_name, last_name FROM customers ORDER BY rowid").all()
    assert [tuple(r) for r in stored] == rows


def test_tail_clause_applies_to_every_batch(store: Store) -> None:
    head = "INSERT INTO customers (uuid, first_name)"
    upsert = "ON CONFLICT (uuid) DO UPDATE SET first_name = excluded.first_name"
    with store.write() as conn:
        old = _limit_parameters(conn, 4)
        try:
            insert_rows(conn, head, [(f"c{i}", "old") for i in range(5)])
            insert_rows(conn, head, [(f"c{i}", "new") for i in range(3, 8)], upsert)
        finally:
            _limit_parameters(conn, old)
    with store.read() as conn:
        names = dict(conn.exec_driver_sql("SELECT uuid, first_name FROM customers").all())
    assert names == {"c0": "old", "c1": "old", "c2": "old", "c3": "new", "c4": "new",
                     "c5": "new", "c6": "new", "c7": "new"}


def test_server_jobs_inserted_in_batches_are_listed_and_searchable(store: Store) -> None:
    data = generate(jobs=120, customers=10, seed=3)
    parsed = [parse_server_job(j) for j in data.jobs]
    with store.write() as conn:
        old = _limit_parameters(conn, 2_000)  # a few dozen jobs a statement
        try:
            upsert_nested_customers(conn, parsed)
            insert_server_jobs(conn, parsed)
        finally:
            _limit_parameters(conn, old)
    live = [j for j in parsed if j.fields["deleted_at"] is None]
    assert store.count(JobQuery()) == len(live)
    numbers = [r.values["job_number"] for r in store.page(JobQuery(sort="job_number"), 0, 200)]
    assert numbers == sorted(j.fields["job_number"] for j in live)
    term = str(live[0].fields["job_number"])
    assert [r.values["job_number"] for r in store.page(JobQuery(search=term))] == [term]


def test_batches_come_in_a_few_shapes_whatever_the_row_counts(store: Store) -> None:
    # Each shape is a statement the driver keeps prepared: one per row count would
    # pile up a statement for every page size a sync ever wrote.
    seen: set[int] = set()
    with store.write() as conn:
        driver = conn.connection.driver_connection
        # The trace shows each statement with its values filled in: ('1-0', 'x'), ...
        driver.set_trace_callback(
            lambda sql: seen.add(sql.count("), (") + 1) if sql.startswith("INSERT") else None)
        try:
            for count in range(1, 101):
                rows = [(f"{count}-{i}", "x") for i in range(count)]
                insert_rows(conn, "INSERT INTO customers (uuid, first_name)", rows)
        finally:
            driver.set_trace_callback(None)
        stored = conn.exec_driver_sql("SELECT count(*) FROM customers").scalar_one()
    assert stored == sum(range(1, 101))
    assert seen == {1, 2, 4, 8, 16, 32, 64}
