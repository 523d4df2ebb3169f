"""Plain frozen values that leave the store; never ORM objects, so any thread may hold them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from desktop.core.customers import CUSTOMER_FIELDS, display_name
from desktop.core.customers import EDITABLE_FIELDS as CUSTOMER_EDITABLE
from desktop.core.jobs import (
    EDITABLE_FIELDS,
    FIELD_KINDS,
    JOB_FIELDS,
    FieldFlag,
    Kind,
    read_flags,
    wire_value,
)
from desktop.core.merge import FieldConflict

#: Columns read for every job, in this order: the API fields, then bookkeeping.
BOOKKEEPING = (
    "local_id",
    "customer_name",
    "extras_json",
    "sync_state",
    "pending_op",
    "base_json",
    "conflict_json",
    "idempotency_key",
    "request_body",
    "first_attempt_at",
    "last_error",
    "local_rev",
    "local_modified_at",
    "summary_only",
    "details_at",
    "customer_local_id",
)
JOB_COLUMNS = (*JOB_FIELDS, *BOOKKEEPING)
_FIELD_COUNT = len(JOB_FIELDS)
#: Read alongside, from the customer mirror (a join on its primary key).
CUSTOMER_COLUMNS = ("first_name", "last_name")


def fields_to_json(fields: Mapping[str, Any]) -> str:
    return json.dumps({k: wire_value(v) for k, v in fields.items()}, sort_keys=True)


def fields_from_json(text: str | None) -> dict[str, Any]:
    """Inverse of ``fields_to_json``: amounts come back as ``Decimal``."""
    if not text:
        return {}
    raw: dict[str, Any] = json.loads(text)
    for name, value in raw.items():
        if value is not None and FIELD_KINDS.get(name) is Kind.MONEY:
            raw[name] = Decimal(value)
    return raw


@dataclass(frozen=True)
class JobRecord:
    values: Mapping[str, Any]
    local_id: int
    customer_first_name: str | None
    customer_last_name: str | None
    customer_name: str | None
    sync_state: str
    pending_op: str | None
    last_error: str | None
    local_rev: int
    base: Mapping[str, Any] | None
    conflicts: tuple[FieldConflict, ...]
    extras: Mapping[str, Any]
    idempotency_key: str | None
    request_body: Mapping[str, Any] | None
    first_attempt_at: str | None
    local_modified_at: str | None
    #: Only the job's list summary is known: fields it does not show are unknown here
    #: (shown as not downloaded yet), not empty.
    summary_only: bool = False
    #: When its whole record was last read (the sync engine's clock, ISO); None: never.
    details_at: str | None = None
    #: The customer created here that this job waits for (its ``customer_uuid`` is
    #: None until the server has that customer).
    customer_local_id: int | None = None

    def __getitem__(self, field: str) -> Any:
        return self.values[field]

    @property
    def uuid(self) -> str | None:
        uuid: str | None = self.values["uuid"]
        return uuid

    @property
    def deleted(self) -> bool:
        return self.values["deleted_at"] is not None

    @property
    def flags(self) -> dict[str, FieldFlag]:
        """Server values kept although they break a rule, by field, while they are
        still what the job holds: a field the user has changed since is theirs."""
        flags = read_flags(self.extras)
        if not flags or self.base is None:
            return flags
        return {name: flag for name, flag in flags.items()
                if self.values.get(flag.column) == self.base.get(flag.column)}

    def editable(self) -> dict[str, Any]:
        return {f: self.values[f] for f in EDITABLE_FIELDS}

    @classmethod
    def from_row(cls, row: Any) -> JobRecord:
        # Positional: a list or an export builds these by the thousand.
        values = dict(zip(JOB_FIELDS, row[:_FIELD_COUNT], strict=True))
        for name in ("is_urgent", "is_emergency"):
            values[name] = bool(values[name])
        for name in ("estimated_amount", "actual_amount"):
            if values[name] is not None:
                # Cents to an exact two-place amount: 15000 -> 150.00.
                values[name] = Decimal(int(values[name])).scaleb(-2)
        # BOOKKEEPING, then CUSTOMER_COLUMNS, in their order.
        (local_id, customer_name, extras, sync_state, pending_op, base, conflict_json,
         idempotency_key, request_body, first_attempt_at, last_error, local_rev,
         local_modified_at, summary_only, details_at, customer_local_id, first,
         last) = row[_FIELD_COUNT:]
        # Nearly every row has neither conflicts nor unknown fields: parsing "[]" and
        # "{}" regardless adds up.
        conflicts = tuple(
            FieldConflict(c["field"], c["base"], c["mine"], c["theirs"])
            for c in json.loads(conflict_json)
        ) if conflict_json else ()
        return cls(
            values=values,
            local_id=local_id,
            customer_first_name=first,
            customer_last_name=last,
            customer_name=customer_name,
            sync_state=sync_state,
            pending_op=pending_op,
            last_error=last_error,
            local_rev=local_rev,
            base=fields_from_json(base) if base else None,
            conflicts=conflicts,
            extras=json.loads(extras) if extras else {},
            idempotency_key=idempotency_key,
            request_body=json.loads(request_body) if request_body else None,
            first_attempt_at=first_attempt_at,
            local_modified_at=local_modified_at,
            summary_only=bool(summary_only),
            details_at=details_at,
            customer_local_id=customer_local_id,
        )

    def to_json(self) -> dict[str, Any]:
        """The record as the CLI's ``--json`` prints it: API names, amounts as text."""
        out: dict[str, Any] = {f: wire_value(self.values[f]) for f in JOB_FIELDS}
        if self.values["customer_uuid"] and (self.customer_first_name or self.customer_last_name):
            out["customer"] = {
                "uuid": self.values["customer_uuid"],
                "first_name": self.customer_first_name,
                "last_name": self.customer_last_name,
            }
        out["local_id"] = self.local_id
        if self.customer_local_id is not None:
            out["customer_local_id"] = self.customer_local_id
        out["sync_state"] = self.sync_state
        out["sync_error"] = self.last_error
        out["summary_only"] = self.summary_only
        out["flagged"] = {name: flag.to_json() for name, flag in self.flags.items()}
        return out


#: Columns read for every customer, in this order: the API fields, then bookkeeping.
CUSTOMER_BOOKKEEPING = ("local_id", "extras_json", "sync_state", "pending_op", "base_json",
                        "idempotency_key", "request_body", "first_attempt_at", "last_error",
                        "local_rev")
CUSTOMER_RECORD_COLUMNS = (*CUSTOMER_FIELDS, *CUSTOMER_BOOKKEEPING)
_CUSTOMER_FIELD_COUNT = len(CUSTOMER_FIELDS)


@dataclass(frozen=True)
class CustomerRecord:
    """A customer as the mirror holds it: the effective record and its sync state."""

    values: Mapping[str, Any]
    local_id: int
    sync_state: str = "synced"
    pending_op: str | None = None
    last_error: str | None = None
    local_rev: int = 0
    base: Mapping[str, Any] | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None
    request_body: Mapping[str, Any] | None = None
    first_attempt_at: str | None = None

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def uuid(self) -> str | None:
        uuid: str | None = self.values["uuid"]
        return uuid

    @property
    def first_name(self) -> str | None:
        return self.values["first_name"]  # type: ignore[no-any-return]

    @property
    def last_name(self) -> str | None:
        return self.values["last_name"]  # type: ignore[no-any-return]

    @property
    def company_name(self) -> str | None:
        return self.values["company_name"]  # type: ignore[no-any-return]

    @property
    def phone(self) -> str | None:
        return self.values["phone"]  # type: ignore[no-any-return]

    @property
    def email(self) -> str | None:
        return self.values["email"]  # type: ignore[no-any-return]

    @property
    def deleted_at(self) -> str | None:
        return self.values["deleted_at"]  # type: ignore[no-any-return]

    @property
    def deleted(self) -> bool:
        return self.values["deleted_at"] is not None

    @property
    def address(self) -> str:
        """The physical address on one line, as a list or a sheet shows it."""
        return " ".join(self.values[f] for f in ("physical_address1", "physical_city",
                                                 "physical_state") if self.values[f])

    @property
    def display_name(self) -> str:
        return display_name(self.values) or self.uuid or f"customer {self.local_id}"

    def editable(self) -> dict[str, Any]:
        return {f: self.values[f] for f in CUSTOMER_EDITABLE}

    @classmethod
    def from_row(cls, row: Any) -> CustomerRecord:
        values = dict(zip(CUSTOMER_FIELDS, row[:_CUSTOMER_FIELD_COUNT], strict=True))
        values["is_vip"] = bool(values["is_vip"])
        (local_id, extras, sync_state, pending_op, base, idempotency_key, request_body,
         first_attempt_at, last_error, local_rev) = row[_CUSTOMER_FIELD_COUNT:]
        return cls(
            values=values, local_id=local_id, sync_state=sync_state, pending_op=pending_op,
            last_error=last_error, local_rev=local_rev,
            base=json.loads(base) if base else None,
            extras=json.loads(extras) if extras else {},
            idempotency_key=idempotency_key,
            request_body=json.loads(request_body) if request_body else None,
            first_attempt_at=first_attempt_at,
        )

    def to_json(self) -> dict[str, Any]:
        """The customer as the CLI's ``--json`` prints it: API names and its sync state."""
        out: dict[str, Any] = dict(self.values)
        if "internal_flags" in self.extras:
            out["internal_flags"] = self.extras["internal_flags"]
        out["address"] = self.address
        out["local_id"] = self.local_id
        out["sync_state"] = self.sync_state
        out["sync_error"] = self.last_error
        return out
