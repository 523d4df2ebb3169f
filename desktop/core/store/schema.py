"""The mirror's tables as SQLModel classes.

Job columns carry the API's field names. Amounts are stored as integer cents so they
stay exact and sort numerically (SQLite has no decimal type; a REAL would round).
The frozen DDL that creates these tables lives in ``migrations``; a test checks
that the two agree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, Integer
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class Cents(TypeDecorator[Decimal]):
    """``Decimal`` with two places in Python, integer cents on disk."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * 100).to_integral_value())

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class Job(SQLModel, table=True):
    __tablename__ = "jobs"

    local_id: int | None = Field(default=None, primary_key=True)
    uuid: str | None = Field(default=None, unique=True)
    job_number: str | None = None
    customer_uuid: str | None = None
    location_uuid: str | None = None
    assigned_to_user_id: str | None = None
    title: str | None = None
    description: str | None = None
    status: str | None = None
    priority: str | None = None
    is_urgent: bool = False
    is_emergency: bool = False
    service_address1: str | None = None
    service_address2: str | None = None
    service_city: str | None = None
    service_state: str | None = None
    service_zip: str | None = None
    estimated_amount: Decimal | None = Field(default=None, sa_type=Cents)
    actual_amount: Decimal | None = Field(default=None, sa_type=Cents)
    scheduled_date: str | None = None
    scheduled_time_start: str | None = None
    scheduled_time_end: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    invoiced_at: str | None = None
    paid_at: str | None = None
    internal_notes: str | None = None
    customer_notes: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    deleted_at: str | None = None

    # Denormalised "First Last" so the list can sort and search by customer cheaply.
    customer_name: str | None = None
    # Fields the server sent that this version does not know, kept verbatim.
    extras_json: str | None = None

    # Sync bookkeeping (see DESIGN.md "The local mirror").
    sync_state: str = "synced"
    pending_op: str | None = None
    base_json: str | None = None
    conflict_json: str | None = None
    idempotency_key: str | None = None
    request_body: str | None = None
    first_attempt_at: str | None = None
    last_error: str | None = None
    local_rev: int = 0
    local_modified_at: str | None = None
    # The id of the last server scan that listed this job (see sync.pull).
    seen_scan: int | None = None


class Customer(SQLModel, table=True):
    __tablename__ = "customers"

    uuid: str = Field(primary_key=True)
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    phone: str | None = None
    email: str | None = None
    physical_address1: str | None = None
    physical_address2: str | None = None
    physical_city: str | None = None
    physical_state: str | None = None
    physical_zip: str | None = None
    updated_at: str | None = None
    deleted_at: str | None = None
    extras_json: str | None = None


class Meta(SQLModel, table=True):
    __tablename__ = "meta"

    key: str = Field(primary_key=True)
    value: str


JOB_TABLE = Job.__table__  # type: ignore[attr-defined]
CUSTOMER_TABLE = Customer.__table__  # type: ignore[attr-defined]
