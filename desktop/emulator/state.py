"""The company's jobs and customers as the server holds them, behind one lock.

Records are API-shaped dicts without the nested ``customer`` (added when rendering, so
it always matches the customer). Three orders are maintained incrementally instead
of sorting per request: creation order (a list: jobs are never removed), update order
(an insertion-ordered dict where a touched job moves to the end) and uuid order (a
sorted list, our stand-in for "no particular order"). Filterable fields are indexed
(value -> set of uuids), so a filtered page is a set intersection and one ordered
scan instead of a test of every record, field by field.
"""

from __future__ import annotations

import bisect
import threading
import uuid as uuid_mod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, Final, Literal

from desktop.core.jobs import JOB_FIELDS, new_job_defaults

from .clock import format_timestamp, parse_timestamp
from .demo_data import format_job_number
from .search import TextIndex

ListOrder = Literal["created_desc", "updated_desc", "unordered"]
CustomerFilter = Literal["all", "residential", "commercial", "vip"]
_MILLISECOND: Final = timedelta(milliseconds=1)
_INDEXED: Final = ("status", "priority", "customer_uuid", "location_uuid", "assigned_to_user_id")


#: Every field of a customer record, in the API's order.
CUSTOMER_RECORD_FIELDS: Final = (
    "uuid", "first_name", "last_name", "company_name", "email", "phone", "customer_type",
    "is_vip", "physical_address1", "physical_address2", "physical_city", "physical_state",
    "physical_zip", "billing_address1", "billing_address2", "billing_city", "billing_state",
    "billing_zip", "primary_service_location_uuid", "notes", "internal_flags",
    "on_my_way_notify_via", "created_at", "updated_at", "deleted_at",
)


class CustomerTaken(ValueError):
    """A customer's create or update would reuse a live customer's email address."""


class UnknownCustomer(ValueError):
    """A job named a customer that does not exist (or is deleted) in the company."""


@dataclass(frozen=True)
class JobQuery:
    statuses: frozenset[str] = frozenset()
    priorities: frozenset[str] = frozenset()
    customer_uuid: str | None = None
    location_uuid: str | None = None
    assigned_to_user_id: str | None = None
    search: str = ""
    include_deleted: bool = False

    def indexed_filters(self) -> dict[str, frozenset[str]]:
        """Indexed field -> the values it may take, for every filter given."""
        wanted = {"status": self.statuses, "priority": self.priorities}
        for field in ("customer_uuid", "location_uuid", "assigned_to_user_id"):
            value = getattr(self, field)
            if value:
                wanted[field] = frozenset({value})
        return {field: values for field, values in wanted.items() if values}


@dataclass(frozen=True)
class CustomerQuery:
    search: str = ""
    kind: CustomerFilter = "all"
    include_deleted: bool = False


def _index_job_text(index: TextIndex, job: dict[str, Any]) -> None:
    index.put(job["uuid"], job["title"], job["description"], job["job_number"])


def _index_customer_text(index: TextIndex, customer: dict[str, Any]) -> None:
    name = f"{customer['first_name'] or ''} {customer['last_name'] or ''}"
    phone = customer["phone"] or ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    index.put(customer["uuid"], name, customer["company_name"], customer["email"], phone,
              digits, customer["uuid"])


class CompanyState:
    """Jobs and customers of one company; every method is thread-safe."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        customers: Iterable[dict[str, Any]],
        jobs: Iterable[dict[str, Any]],
    ) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._customers = {c["uuid"]: dict(c) for c in customers}
        self._customer_order: list[str] = sorted(
            self._customers, key=lambda u: self._customers[u]["created_at"], reverse=True
        )
        self._customer_text = TextIndex()
        for customer in self._customers.values():
            _index_customer_text(self._customer_text, customer)
        self._jobs: dict[str, dict[str, Any]] = {}
        for job in jobs:
            record: dict[str, Any] = {f: job.get(f) for f in JOB_FIELDS}
            self._jobs[record["uuid"]] = record
        self._created = sorted(self._jobs, key=lambda u: self._jobs[u]["created_at"])
        self._updated = dict.fromkeys(sorted(self._jobs, key=lambda u: self._jobs[u]["updated_at"]))
        self._by_uuid = sorted(self._jobs)
        self._job_text = TextIndex()
        for record in self._jobs.values():
            _index_job_text(self._job_text, record)
        self._index: dict[str, dict[Any, set[str]]] = {field: {} for field in _INDEXED}
        for record in self._jobs.values():
            self._add_to_index(record)
        self._deleted = {u for u, j in self._jobs.items() if j["deleted_at"] is not None}
        self._next_number = len(self._jobs) + 1
        stamps = [j["updated_at"] for j in self._jobs.values()]
        self._last_stamp = max(map(parse_timestamp, stamps)) if stamps else clock()

    # --- time -----------------------------------------------------------------------

    def _stamp(self) -> str:
        """Now, but always after the previous stamp (by at least one millisecond).

        Two writes in the same millisecond still get distinct, ordered ``updated_at``
        values, so "changed since" comparisons never miss an edit.
        """
        now = self._clock()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        self._last_stamp = max(now, self._last_stamp + _MILLISECOND)
        return format_timestamp(self._last_stamp)

    # --- customers ------------------------------------------------------------------

    def customer(self, uuid: str, *, include_deleted: bool = False) -> dict[str, Any] | None:
        with self._lock:
            found = self._customers.get(uuid)
            if found is None or (found["deleted_at"] is not None and not include_deleted):
                return None
            return dict(found)

    def customers(self, *, include_deleted: bool = True) -> list[dict[str, Any]]:
        """Every customer, newest first, as copies."""
        with self._lock:
            return [
                dict(c) for u in self._customer_order
                if (c := self._customers[u])["deleted_at"] is None or include_deleted
            ]

    def customer_ref(self, uuid: str | None) -> dict[str, Any] | None:
        with self._lock:
            found = self._customers.get(uuid or "")
            if found is None:
                return None
            return {k: found[k] for k in ("uuid", "first_name", "last_name")}

    def list_customers(
        self, query: CustomerQuery, page: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        with self._lock:
            found = self._customer_text.matching(query.search) if query.search else None
            matches: list[dict[str, Any]] = []
            for uuid in self._customer_order:
                customer = self._customers[uuid]
                if found is not None and uuid not in found:
                    continue
                if customer["deleted_at"] is not None and not query.include_deleted:
                    continue
                if query.kind == "vip" and not customer["is_vip"]:
                    continue
                if query.kind in ("residential", "commercial") and (
                    customer["customer_type"].lower() != query.kind
                ):
                    continue
                matches.append(customer)
            start = (page - 1) * limit
            return [dict(c) for c in matches[start:start + limit]], len(matches)

    def create_customer(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A new customer from validated fields; raises ``CustomerTaken``."""
        with self._lock:
            self._check_email(fields.get("email"), None)
            stamp = self._stamp()
            record: dict[str, Any] = dict.fromkeys(CUSTOMER_RECORD_FIELDS)
            record.update(is_vip=False, internal_flags={}, customer_type="Residential")
            record.update(fields)
            uuid = str(uuid_mod.uuid4())
            record.update(uuid=uuid, created_at=stamp, updated_at=stamp, deleted_at=None)
            self._customers[uuid] = record
            self._customer_order.insert(0, uuid)
            _index_customer_text(self._customer_text, record)
            return dict(record)

    def update_customer(self, uuid: str, fields: dict[str, Any]) -> dict[str, Any] | None:
        """Apply validated fields to a live customer; ``None`` if there is none."""
        with self._lock:
            record = self._customers.get(uuid)
            if record is None or record["deleted_at"] is not None:
                return None
            if "email" in fields:
                self._check_email(fields["email"], uuid)
            record.update(fields)
            record["updated_at"] = self._stamp()
            _index_customer_text(self._customer_text, record)
            return dict(record)

    def _check_email(self, email: str | None, uuid: str | None) -> None:
        if email is None:
            return
        for other in self._customers.values():
            if (other["uuid"] != uuid and other["deleted_at"] is None
                    and (other["email"] or "").lower() == email.lower()):
                raise CustomerTaken(f"email {email} is already used by another customer")

    # --- jobs -------------------------------------------------------------------------

    def job(self, uuid: str, *, include_deleted: bool = False) -> dict[str, Any] | None:
        with self._lock:
            found = self._jobs.get(uuid)
            if found is None or (found["deleted_at"] is not None and not include_deleted):
                return None
            return dict(found)

    def all_jobs(self, *, include_deleted: bool = True) -> list[dict[str, Any]]:
        """Every job in creation order, as copies."""
        with self._lock:
            return [
                dict(job) for u in self._created
                if (job := self._jobs[u])["deleted_at"] is None or include_deleted
            ]

    def _order(self, order: ListOrder) -> Iterator[str]:
        if order == "created_desc":
            return reversed(self._created)
        if order == "updated_desc":
            return reversed(self._updated)
        return iter(self._by_uuid)

    def _add_to_index(self, record: dict[str, Any]) -> None:
        for field, by_value in self._index.items():
            by_value.setdefault(record[field], set()).add(record["uuid"])

    def _remove_from_index(self, record: dict[str, Any]) -> None:
        for field, by_value in self._index.items():
            by_value[record[field]].discard(record["uuid"])

    def _allowed(self, query: JobQuery) -> set[str] | None:
        """The uuids passing every indexed filter (deleted ones removed unless wanted);
        ``None`` when no indexed filter was given."""
        allowed: set[str] | None = None
        for field, values in query.indexed_filters().items():
            by_value = self._index[field]
            matching = set().union(*(by_value.get(v, ()) for v in values))
            allowed = matching if allowed is None else allowed & matching
        if allowed is not None and not query.include_deleted:
            allowed -= self._deleted
        return allowed

    def list_jobs(
        self, query: JobQuery, order: ListOrder, page: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of matching jobs (copies) and the total number that match."""
        start, end = (page - 1) * limit, page * limit
        with self._lock:
            ids = self._order(order)
            allowed = self._allowed(query)
            hidden = frozenset() if query.include_deleted else self._deleted
            if query.search:
                found = self._job_text.matching(query.search)
                allowed = found & allowed if allowed is not None else found - hidden
            if allowed is None:
                # No filter: the total is known, so stop scanning once the page is full.
                picked = list(islice((u for u in ids if u not in hidden), start, end))
                total = len(self._jobs) - len(hidden)
            else:
                hits = [u for u in ids if u in allowed]
                total, picked = len(hits), hits[start:end]
            return [dict(self._jobs[u]) for u in picked], total

    def create_job(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A new job from validated fields; raises ``UnknownCustomer``."""
        with self._lock:
            self._check_customer(fields.get("customer_uuid"))
            stamp = self._stamp()
            record: dict[str, Any] = dict.fromkeys(JOB_FIELDS)
            record.update(new_job_defaults())
            record.update(fields)
            uuid = str(uuid_mod.uuid4())
            record.update(
                uuid=uuid,
                job_number=format_job_number(self._next_number),
                created_at=stamp,
                updated_at=stamp,
                deleted_at=None,
            )
            self._next_number += 1
            self._jobs[uuid] = record
            self._created.append(uuid)
            self._updated[uuid] = None
            bisect.insort(self._by_uuid, uuid)
            _index_job_text(self._job_text, record)
            self._add_to_index(record)
            return dict(record)

    def update_job(self, uuid: str, fields: dict[str, Any]) -> dict[str, Any] | None:
        """Apply validated fields to a live job; ``None`` if there is none."""
        with self._lock:
            record = self._jobs.get(uuid)
            if record is None or record["deleted_at"] is not None:
                return None
            if "customer_uuid" in fields:
                self._check_customer(fields["customer_uuid"])
            self._remove_from_index(record)
            record.update(fields)
            self._add_to_index(record)
            if "title" in fields or "description" in fields:
                _index_job_text(self._job_text, record)
            self._touch(record)
            return dict(record)

    def delete_job(self, uuid: str) -> dict[str, Any] | None:
        """Soft-delete a live job; ``None`` if there is none."""
        with self._lock:
            record = self._jobs.get(uuid)
            if record is None or record["deleted_at"] is not None:
                return None
            self._touch(record)
            record["deleted_at"] = record["updated_at"]
            self._deleted.add(uuid)
            return dict(record)

    def restamp(self, uuid: str, stamps: dict[str, str]) -> dict[str, Any] | None:
        """Overwrite a job's timestamps as bad data would (a clock jump, an import),
        leaving the server's own clock and every order as they were."""
        with self._lock:
            record = self._jobs.get(uuid)
            if record is None:
                return None
            record.update(stamps)
            return dict(record)

    def _touch(self, record: dict[str, Any]) -> None:
        record["updated_at"] = self._stamp()
        uuid = record["uuid"]
        del self._updated[uuid]
        self._updated[uuid] = None

    def _check_customer(self, uuid: str | None) -> None:
        found = self._customers.get(uuid or "")
        if found is None or found["deleted_at"] is not None:
            raise UnknownCustomer(f"customer_uuid {uuid} does not match a customer of your company")

    def any_customer_uuid(self) -> str:
        """A live customer, for helpers that create jobs without naming one."""
        with self._lock:
            for uuid in self._customer_order:
                if self._customers[uuid]["deleted_at"] is None:
                    return uuid
        raise UnknownCustomer("the company has no customers")
