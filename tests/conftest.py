"""Fixtures shared by every test layer: a real store on a real SQLite file."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from desktop.core.store import Store


def wait_until(condition: Callable[[], bool], timeout: float = 20.0,
               interval: float = 0.005) -> bool:
    """Poll ``condition`` until it holds; False if ``timeout`` s pass first.

    For conditions with no event to wait on (another process, a log that grows); the
    deadline is generous because it only matters when the test is failing.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return condition()
        time.sleep(interval)
    return True


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


class MemoryKeyring(KeyringBackend):
    """A keyring that forgets everything when the test ends."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
