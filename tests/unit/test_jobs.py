"""Domain validation and server-payload normalising."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.jobs import (
    EDITABLE_FIELDS,
    JOB_FIELDS,
    FieldError,
    InvalidJob,
    parse_money,
    parse_server_job,
    validate_changes,
    wire_value,
)

CUSTOMER = "123e4567-e89b-12d3-a456-426614174000"


def _errors(changes: dict[str, object], current: dict[str, object] | None = None) -> dict[str, str]:
    with pytest.raises(InvalidJob) as info:
        validate_changes(changes, current)
    return {e.field: e.problem for e in info.value.errors}


def test_api_fields_are_all_present() -> None:
    assert len(JOB_FIELDS) == 30
    assert "uuid" not in EDITABLE_FIELDS and "title" in EDITABLE_FIELDS


def test_new_job_needs_customer_and_title() -> None:
    errors = _errors({})
    assert errors == {"customer_uuid": "is required", "title": "is required"}


def test_new_job_gets_documented_defaults_and_trimmed_text() -> None:
    clean = validate_changes({"customer_uuid": CUSTOMER.upper(), "title": "  Fix leak  "})
    assert clean == {"customer_uuid": CUSTOMER, "title": "Fix leak"}


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("status", "Done", "must be one of New, Contacted"),
        ("priority", "Urgent", "must be one of Low, Normal, High, Emergency"),
        ("location_uuid", "not-a-uuid", "must be a UUID"),
        ("scheduled_time_start", "24:00", "HH:MM between 00:00 and 23:59"),
        ("scheduled_time_start", "9:00", "HH:MM"),
        ("scheduled_date", "2025-02-30", "not a real calendar date"),
        ("scheduled_date", "next tuesday", "YYYY-MM-DD or an ISO timestamp"),
        ("estimated_amount", "-1", "zero or more"),
        ("estimated_amount", "12.345", "at most 2 decimal places"),
        ("estimated_amount", "abc", "amount like 150.00"),
        ("estimated_amount", "NaN", "amount like 150.00"),
        ("title", "x" * 256, "at most 255 characters"),
        ("is_urgent", "maybe", "true or false"),
        ("started_at", "yesterday", "ISO timestamp"),
        ("uuid", CUSTOMER, "set by the server"),
        ("colour", "red", "not a job field"),
    ],
)
def test_each_rule_names_field_and_problem(field: str, value: object, fragment: str) -> None:
    errors = _errors({"customer_uuid": CUSTOMER, "title": "t", field: value})
    assert fragment in errors[field]


def test_end_time_must_follow_start() -> None:
    errors = _errors({"scheduled_time_start": "10:00", "scheduled_time_end": "09:30"},
                     {"customer_uuid": CUSTOMER, "title": "t"})
    assert "must be after scheduled_time_start (10:00)" in errors["scheduled_time_end"]
    ok = validate_changes({"scheduled_time_end": "11:00"},
                          {"customer_uuid": CUSTOMER, "title": "t",
                           "scheduled_time_start": "10:00"})
    assert ok == {"scheduled_time_end": "11:00"}


def test_an_old_broken_record_does_not_block_unrelated_edits() -> None:
    # A record from the server may already break a rule the user cannot see.
    current = {"customer_uuid": None, "title": "t"}
    assert validate_changes({"description": "more"}, current) == {"description": "more"}


def test_dates_accept_both_documented_forms() -> None:
    base = {"customer_uuid": CUSTOMER, "title": "t"}
    assert validate_changes({"scheduled_date": "2025-01-20"}, base)
    assert validate_changes({"scheduled_date": "2025-01-20T10:00:00Z"}, base)


def test_statuses_are_matched_case_insensitively_for_users() -> None:
    clean = validate_changes({"status": "in progress"}, {"customer_uuid": CUSTOMER, "title": "t"})
    assert clean == {"status": "In Progress"}


def test_server_job_is_parsed_tolerantly_and_keeps_unknowns() -> None:
    job = parse_server_job({
        "uuid": CUSTOMER, "title": "Boiler", "status": "On Hold", "priority": "Critical",
        "estimated_amount": 150, "actual_amount": "99.5", "is_urgent": "true",
        "scheduled_date": "2025-01-20T10:00:00Z", "crew_size": 3,
        "customer": {"uuid": CUSTOMER, "first_name": "John", "last_name": "Doe"},
    })
    assert job.fields["status"] == "On Hold"
    assert job.fields["priority"] == "Critical"
    assert job.fields["estimated_amount"] == Decimal("150.00")
    assert job.fields["actual_amount"] == Decimal("99.50")
    assert job.fields["is_urgent"] is True
    assert job.extras == {"crew_size": 3}
    assert job.customer == {"uuid": CUSTOMER, "first_name": "John", "last_name": "Doe"}
    assert job.fields["customer_uuid"] == CUSTOMER


def test_server_job_with_garbage_names_the_field() -> None:
    with pytest.raises(FieldError, match="estimated_amount"):
        parse_server_job({"uuid": CUSTOMER, "estimated_amount": {"x": 1}})
    with pytest.raises(FieldError, match="uuid"):
        parse_server_job({"title": "no id"})


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
def test_money_round_trips_exactly_through_wire_text(amount: Decimal) -> None:
    parsed = parse_money("estimated_amount", wire_value(amount))
    assert parsed == amount
    assert wire_value(parsed) == f"{amount:.2f}"


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False).map(lambda f: round(f, 2)))
def test_float_amounts_from_json_become_exact_cents(value: float) -> None:
    parsed = parse_money("actual_amount", value)
    assert parsed is not None
    assert parsed == Decimal(repr(value)).quantize(Decimal("0.01"))


def test_server_text_is_kept_whatever_its_length() -> None:
    # Limits guard what users type; the server's own records are mirrored as they are.
    job = parse_server_job({"uuid": CUSTOMER, "title": "t" * 300, "job_number": 1042})
    assert job.fields["title"] == "t" * 300
    assert job.fields["job_number"] == "1042"
