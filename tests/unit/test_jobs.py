"""Domain validation and server-payload normalising."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.api import parse_job_page
from desktop.core.jobs import (
    EDITABLE_FIELDS,
    FIELD_KINDS,
    FLAGS_KEY,
    JOB_FIELDS,
    FieldError,
    InvalidJob,
    Kind,
    completion_changes,
    parse_money,
    parse_server_job,
    parse_value,
    status_move,
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
        ("scheduled_date", "next tuesday", "must be a date YYYY-MM-DD"),
        ("estimated_amount", "-1", "zero or more"),
        ("estimated_amount", "12.345", "at most 2 decimal places"),
        ("estimated_amount", "abc", "amount like 150.00"),
        ("estimated_amount", "NaN", "amount like 150.00"),
        ("title", "x" * 256, "at most 255 characters"),
        ("is_urgent", "maybe", "true or false"),
        ("started_at", "yesterday", "must be a date and time"),
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


def test_server_job_without_a_usable_uuid_names_the_field() -> None:
    with pytest.raises(FieldError, match="uuid"):
        parse_server_job({"title": "no id"})
    with pytest.raises(FieldError, match="uuid"):
        parse_server_job({"uuid": "job-17", "title": "not a uuid"})
    with pytest.raises(FieldError, match="job"):
        parse_server_job(["not", "an", "object"])  # type: ignore[arg-type]


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


# --- ambiguous input is refused (issue 17, item 7) ---------------------------------

BASE = {"customer_uuid": CUSTOMER, "title": "t", "status": "New", "priority": "Normal"}


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("150", "150.00"),
        ("150.5", "150.50"),
        (" 150.50 ", "150.50"),
        (".50", "0.50"),
        ("1,234.50", "1234.50"),
        ("12,345", "12345.00"),
        ("1,234,567.89", "1234567.89"),
    ],
)
def test_amounts_take_commas_only_as_thousands_separators(text: str, amount: str) -> None:
    assert validate_changes({"estimated_amount": text}, BASE) == {
        "estimated_amount": Decimal(amount)}


@pytest.mark.parametrize(
    "text", ["1,5", "1,50", "1,5000", "12,34", "1234,567", "0,500", "1,,234", ",123",
             "1.234,50", "1,234.5,0"],
)
def test_an_amount_whose_comma_could_mean_cents_is_refused(text: str) -> None:
    errors = _errors({"estimated_amount": text}, BASE)
    assert "ambiguous" in errors["estimated_amount"]
    assert "1,234.50" in errors["estimated_amount"]


@pytest.mark.parametrize("text", ["1e3", "$150", "1 234", "\u0661\u0665\u0660", "150-"])
def test_amounts_are_plain_ascii_decimals(text: str) -> None:
    assert "amount like 150.00" in _errors({"actual_amount": text}, BASE)["actual_amount"]


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
def test_an_amount_written_with_thousands_separators_reads_back_exactly(
        amount: Decimal) -> None:
    assert parse_money("estimated_amount", f"{amount:,.2f}") == amount
    if amount == amount.to_integral_value():
        assert parse_money("estimated_amount", f"{int(amount):,}") == amount


@given(st.integers(min_value=0, max_value=99_999), st.integers(min_value=0, max_value=99),
       st.sampled_from(["{}", "{:02d}"]))
def test_a_comma_before_one_or_two_digits_is_never_read(whole: int, cents: int,
                                                         form: str) -> None:
    # "12,5" and "12,50" are cents in much of Europe and 125 / 1250 nowhere sane.
    text = f"{whole},{form.format(cents)}"
    with pytest.raises(FieldError, match="ambiguous"):
        parse_money("estimated_amount", text)


@pytest.mark.parametrize("field", ["status", "priority", "title", "customer_uuid"])
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_required_fields_cannot_be_cleared(field: str, empty: object) -> None:
    errors = _errors({field: empty}, BASE)
    assert errors == {field: "is required and cannot be cleared"}


def test_a_new_job_cannot_be_created_with_no_status_or_priority() -> None:
    errors = _errors({**BASE, "status": None, "priority": ""})
    assert errors == {"status": "is required", "priority": "is required"}


@pytest.mark.parametrize("text", ["2000-01-01", "2100-12-31", "2025-01-20",
                                  "2025-01-20T10:00:00Z", "2025-01-20T10:00:00.000Z"])
def test_scheduled_dates_take_the_documented_forms(text: str) -> None:
    assert validate_changes({"scheduled_date": text}, BASE) == {"scheduled_date": text}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2026-W01-1", "must be a date YYYY-MM-DD"),
        ("20260101", "must be a date YYYY-MM-DD"),
        ("2026-001", "must be a date YYYY-MM-DD"),
        ("2025-01-20T10:00:00+02:00", "must be a date YYYY-MM-DD"),
        ("2025-01-20 10:00", "must be a date YYYY-MM-DD"),
        ("01/02/2026", "must be a date YYYY-MM-DD"),
        ("0001-01-01", "outside the years 2000 to 2100"),
        ("1999-12-31", "outside the years 2000 to 2100"),
        ("2101-01-01", "outside the years 2000 to 2100"),
        ("9999-12-31T10:00:00Z", "outside the years 2000 to 2100"),
        ("2025-02-29", "not a real calendar date"),
        ("2025-02-29T10:00:00Z", "not a real calendar date"),
    ],
)
def test_ambiguous_or_absurd_dates_are_refused(text: str, fragment: str) -> None:
    assert fragment in _errors({"scheduled_date": text}, BASE)["scheduled_date"]


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's clock in New York (a POSIX rule: no tz database needed)."""
    monkeypatch.setenv("TZ", "EST5EDT,M3.2.0,M11.1.0")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york")
@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("2025-01-20T10:00", "2025-01-20T15:00:00.000Z"),
        ("2025-01-20 10:00", "2025-01-20T15:00:00.000Z"),
        ("2025-07-20T10:00:30", "2025-07-20T14:00:30.000Z"),
        ("2025-01-20T10:00:00Z", "2025-01-20T10:00:00.000Z"),
        ("2025-01-20T10:00:00.250Z", "2025-01-20T10:00:00.250Z"),
        ("2025-01-20T10:00:00+02:00", "2025-01-20T08:00:00.000Z"),
        ("2025-12-31T23:30", "2026-01-01T04:30:00.000Z"),
    ],
)
def test_timestamps_without_a_zone_are_local_time_stored_in_utc(text: str,
                                                                stored: str) -> None:
    assert validate_changes({"started_at": text}, BASE) == {"started_at": stored}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2025-01-20", "must be a date and time"),
        ("20250120T100000", "must be a date and time"),
        ("2025-W04-1T10:00", "must be a date and time"),
        ("10:00", "must be a date and time"),
        ("0001-01-01T00:00:00Z", "outside the years 2000 to 2100"),
        ("2025-02-30T10:00", "not a real date and time"),
        ("2025-01-20T25:00", "not a real date and time"),
    ],
)
def test_ambiguous_or_absurd_timestamps_are_refused(text: str, fragment: str) -> None:
    assert fragment in _errors({"completed_at": text}, BASE)["completed_at"]


def test_a_status_move_stamp_is_accepted_as_it_is() -> None:
    changes = status_move(BASE, "In Progress", "2025-02-18T14:30:00.000Z")
    assert validate_changes(changes, BASE) == changes


@pytest.mark.parametrize("field", ["title", "service_address1", "service_city", "service_zip"])
@pytest.mark.parametrize("bad", ["\x1b[2J", "\x07", "\x00", "\t", "\n", "\r", "\x7f", "\x9b"])
def test_single_line_text_refuses_control_characters(field: str, bad: str) -> None:
    problem = _errors({field: f"Boiler{bad}repair"}, BASE)[field]
    assert problem.startswith("must not contain control characters")
    assert repr(bad[0]) in problem and "character 7" in problem


@pytest.mark.parametrize("field", ["description", "internal_notes", "customer_notes"])
def test_notes_keep_lines_and_tabs_but_no_other_control_characters(field: str) -> None:
    text = "Kitchen:\n\t- tap\r\n\t- drain"
    assert validate_changes({field: text}, BASE) == {field: "Kitchen:\n\t- tap\n\t- drain"}
    problem = _errors({field: "red \x1b[31malert"}, BASE)[field]
    assert "control characters (new lines and tabs are fine)" in problem
    assert "'\\x1b'" in problem
    assert "control" in _errors({field: "line\roverwritten"}, BASE)[field]


@given(st.text(min_size=1, max_size=40))
def test_text_is_accepted_exactly_when_it_has_no_control_character(text: str) -> None:
    # An optional single-line field: blank text clears it rather than being refused.
    has_control = any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text.strip())
    try:
        clean = validate_changes({"service_city": text}, BASE)
    except InvalidJob as exc:
        assert has_control, exc
    else:
        assert not has_control
        assert clean == {"service_city": text.strip() or None}


# --- out-of-range server values are kept and flagged (issue 17, item 8) -------------

JOB_UUID = "0b7e8b0e-8d2c-4c55-9d59-5c2f5a8a1f00"


@pytest.mark.parametrize(
    ("field", "sent", "kept", "fragment"),
    [
        ("estimated_amount", -5, Decimal("-5.00"), "must be zero or more"),
        ("estimated_amount", "-5.00", Decimal("-5.00"), "must be zero or more"),
        ("actual_amount", 1e20, None, "must be at most 99999999.99"),
        ("actual_amount", 250_000_000, Decimal("250000000.00"), "must be at most"),
        ("actual_amount", 12.345, None, "at most 2 decimal places"),
        ("actual_amount", "1,5", None, "ambiguous"),
        ("actual_amount", True, None, "not true/false"),
        ("scheduled_time_start", "9am", "9am", "HH:MM"),
        ("scheduled_time_end", 900, "900", "must be text"),
        ("status", 3, "3", "must be text"),
        ("priority", ["High"], '["High"]', "must be text"),
        ("is_urgent", "maybe", False, "true or false"),
        ("customer_uuid", "cust-42", "cust-42", "must be a UUID"),
        ("assigned_to_user_id", 42, "42", "must be text"),
        ("title", {"en": "Boiler"}, '{"en": "Boiler"}', "must be text"),
        ("scheduled_date", "someday", "someday", "must be a date"),
        ("started_at", "9am", "9am", "ISO timestamp"),
    ],
)
def test_a_server_value_out_of_range_is_kept_and_flagged(field: str, sent: object,
                                                         kept: object, fragment: str) -> None:
    job = parse_server_job({"uuid": JOB_UUID, "title": "Boiler", "status": "New",
                            "estimated_amount": 150, field: sent})
    assert job.uuid == JOB_UUID
    assert job.fields[field] == kept
    flag = job.flags[field]
    assert flag.sent == sent and fragment in flag.problem
    assert flag.describe().startswith(f"the server sent {json.dumps(sent)}: ")
    others = {k: v for k, v in job.fields.items() if k != field}
    assert others == {k: v for k, v in {"uuid": JOB_UUID, "title": "Boiler", "status": "New",
                                        "estimated_amount": Decimal("150.00")}.items()
                      if k != field}
    assert list(job.flags) == [field]
    assert json.loads(json.dumps(job.extras)) == job.extras


def test_a_clean_server_job_has_no_flags() -> None:
    job = parse_server_job({"uuid": JOB_UUID, "status": "On Hold", "estimated_amount": "0.00"})
    assert job.flags == {} and FLAGS_KEY not in job.extras


def test_a_nested_customer_without_a_usable_uuid_is_flagged_not_fatal() -> None:
    job = parse_server_job({"uuid": JOB_UUID, "customer_uuid": CUSTOMER,
                            "customer": {"uuid": "c-1", "first_name": 7, "last_name": None}})
    assert job.customer is None and job.fields["customer_uuid"] == CUSTOMER
    assert job.flags["customer"].column == "customer_uuid"
    named = parse_server_job({"uuid": JOB_UUID, "customer": {
        "uuid": CUSTOMER, "first_name": 7, "last_name": ["Doe"]}})
    assert named.customer == {"uuid": CUSTOMER, "first_name": "7", "last_name": '["Doe"]'}


def test_a_page_keeps_flagged_jobs_and_reports_only_the_one_without_a_uuid() -> None:
    page = parse_job_page({
        "jobs": [
            {"uuid": JOB_UUID, "title": "Refund", "estimated_amount": -5},
            {"title": "no id at all", "estimated_amount": 10},
            {"uuid": CUSTOMER, "title": "Clean"},
        ],
        "pagination": {"page": 1, "limit": 100, "total": 3, "total_pages": 1},
    })
    assert [j.uuid for j in page.jobs] == [JOB_UUID, CUSTOMER]
    assert len(page.invalid) == 1 and "uuid" in page.invalid[0]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)


@given(st.dictionaries(st.sampled_from([f for f in JOB_FIELDS if f != "uuid"]), _JSON))
def test_no_single_server_value_costs_a_job(values: dict[str, object]) -> None:
    job = parse_server_job({"uuid": JOB_UUID, **values})
    assert job.uuid == JOB_UUID
    for field, sent in values.items():
        if field in job.flags:
            continue
        # Unflagged means the tolerant parse took it as it is.
        assert job.fields[field] == (parse_value(field, sent, strict=False)
                                     if sent is not None or FIELD_KINDS[field] is not Kind.BOOL
                                     else False)
    for field in ("estimated_amount", "actual_amount"):
        amount = job.fields.get(field)
        # Whatever is kept fits the mirror's integer-cents column.
        assert amount is None or abs(int(amount * 100)) < 2**63
    json.dumps(job.extras)


def test_completion_records_an_optional_amount_and_a_dated_work_note() -> None:
    day = date(2025, 2, 18)
    assert completion_changes({"internal_notes": None}, "", None, day) == {}
    assert completion_changes({"internal_notes": None}, "1,250.5", " Fitted a pump \n",
                              day) == {"actual_amount": Decimal("1250.50"),
                                       "internal_notes": "Work done 2025-02-18: Fitted a pump"}
    kept = completion_changes({"internal_notes": "Gate code 1234\n"}, None, "Done", day)
    assert kept == {"internal_notes": "Gate code 1234\n\nWork done 2025-02-18: Done"}
    for bad, problem in (("12,5", "ambiguous"), ("-3", "zero or more"), ("abc", "amount")):
        with pytest.raises(InvalidJob) as refused:
            completion_changes({}, bad, "note", day)
        assert [e.field for e in refused.value.errors] == ["actual_amount"]
        assert problem in str(refused.value)
