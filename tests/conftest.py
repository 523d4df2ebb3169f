"""Fixtures shared by every test layer: a real store on a real SQLite file."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "jobdesk.sqlite3")
    yield opened
    opened.close()


def make_customer(store: Store, first: str = "Ada", last: str = "Lovelace", **extra: str) -> str:
    """Put one live customer in the mirror and return its uuid."""
    customer_uuid = str(uuid.uuid4())
    store.upsert_customers([{"uuid": customer_uuid, "first_name": first, "last_name": last,
                             **extra}])
    return customer_uuid


@pytest.fixture
def customer(store: Store) -> str:
    return make_customer(store)
