"""The Customer domain: the API's customer fields, the vendor's rules for them, and
customers as the server sends them.

As for jobs, two kinds of input reach a customer. What a user types is held to the
vendor's rules (``docs``: phone ``xxx-xxx-xxxx``, type Residential or Commercial,
"on my way" by email, sms or both) and refused naming the field; ten digits typed
another way (``(555) 123 4567``) are written the vendor's way rather than refused.
What the server sends is kept as sent: a customer is never dropped for one odd value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from desktop.core.jobs import (
    TEXT_MAX,
    TITLE_MAX,
    FieldError,
    InvalidJob,
    parse_bool,
    parse_text,
    parse_uuid,
    parse_value,
)

#: Every field of the API's Customer object the mirror keeps as a column, in the
#: API's order (``internal_flags``, JSON, stays among a customer's extras).
CUSTOMER_FIELDS: Final = (
    "uuid", "first_name", "last_name", "company_name", "email", "phone", "customer_type",
    "is_vip", "physical_address1", "physical_address2", "physical_city", "physical_state",
    "physical_zip", "billing_address1", "billing_address2", "billing_city", "billing_state",
    "billing_zip", "primary_service_location_uuid", "notes", "on_my_way_notify_via",
    "created_at", "updated_at", "deleted_at",
)
SERVER_FIELDS: Final = frozenset({"uuid", "created_at", "updated_at", "deleted_at"})
#: Fields a user may set, and that a customer's create or update sends.
EDITABLE_FIELDS: Final = tuple(f for f in CUSTOMER_FIELDS if f not in SERVER_FIELDS)
REQUIRED_FIELDS: Final = ("first_name", "last_name")
CUSTOMER_TYPES: Final = ("Residential", "Commercial")
NOTIFY_VIA: Final = ("email", "sms", "both")
NOTES_MAX: Final = TEXT_MAX

_PHONE_RE = re.compile(r"\d{3}-\d{3}-\d{4}", re.ASCII)
_PHONE_SEPARATORS = re.compile(r"[\s().+-]")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _line(field: str, value: object) -> str | None:
    return parse_text(field, value, multiline=False, limit=TITLE_MAX)


def _notes(field: str, value: object) -> str | None:
    return parse_text(field, value, multiline=True, limit=NOTES_MAX)


def parse_phone(field: str, value: object) -> str | None:
    text = _line(field, value)
    if text is None or _PHONE_RE.fullmatch(text):
        return text
    digits = _PHONE_SEPARATORS.sub("", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10 and digits.isascii() and digits.isdigit():
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    raise FieldError(field, f"must be a phone number written xxx-xxx-xxxx, got {text!r}")


def _email(field: str, value: object) -> str | None:
    text = _line(field, value)
    if text is not None and not _EMAIL_RE.fullmatch(text):
        raise FieldError(field, f"must be an email address like name@example.com, got {text!r}")
    return text


def _choice(choices: tuple[str, ...]) -> Callable[[str, object], str | None]:
    known = {c.lower(): c for c in choices}

    def parse(field: str, value: object) -> str | None:
        text = _line(field, value)
        if text is None:
            return None
        canonical = known.get(text.lower())
        if canonical is None:
            raise FieldError(field, f"must be one of {', '.join(choices)}; got {text!r}")
        return canonical

    return parse


_PARSERS: Final[dict[str, Callable[[str, object], Any]]] = {
    **dict.fromkeys(EDITABLE_FIELDS, _line),
    "email": _email,
    "phone": parse_phone,
    "customer_type": _choice(CUSTOMER_TYPES),
    "is_vip": parse_bool,
    "primary_service_location_uuid": parse_uuid,
    "notes": _notes,
    "on_my_way_notify_via": _choice(NOTIFY_VIA),
}


def validate_customer(changes: Mapping[str, object],
                      current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A user's changes to a customer (``current`` None for a new one), normalised.

    Raises ``InvalidJob`` naming every field that breaks a rule; nothing is applied.
    """
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for field, raw in changes.items():
        if field in SERVER_FIELDS:
            errors.append(FieldError(field, "is set by the server and cannot be edited"))
            continue
        parser = _PARSERS.get(field)
        if parser is None:
            errors.append(FieldError(field, "is not a customer field (one of "
                                            f"{', '.join(EDITABLE_FIELDS)})"))
            continue
        try:
            clean[field] = parser(field, raw)
        except FieldError as exc:
            errors.append(exc)
    merged = {**(current or {}), **clean}
    failed = {e.field for e in errors}
    for name in REQUIRED_FIELDS:
        touched = current is None or name in clean
        if touched and name not in failed and merged.get(name) is None:
            problem = "is required" if current is None else "is required and cannot be cleared"
            errors.append(FieldError(name, problem))
    # The server gives every customer a type (Residential unless told otherwise) and
    # takes none away.
    if (current is not None and "customer_type" in clean and clean["customer_type"] is None
            and current.get("customer_type") is not None):
        errors.append(FieldError("customer_type", "cannot be cleared; choose "
                                                  f"{' or '.join(CUSTOMER_TYPES)}"))
    if errors:
        raise InvalidJob(errors)
    return clean


def new_customer_defaults() -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(CUSTOMER_FIELDS)
    values["is_vip"] = False
    return values


def _server_text(field: str, value: object) -> str | None:
    if value is None:
        return None
    # Phones and ZIP codes sometimes arrive as JSON numbers; they are still text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise FieldError(field, "must be text")
    return value.strip() or None


def parse_server_customer(payload: object) -> dict[str, Any]:
    """A customer as a plain dict: the known fields normalised, every other field kept."""
    if not isinstance(payload, Mapping):
        raise FieldError("customer", "must be a JSON object")
    customer = dict(payload)
    for field in CUSTOMER_FIELDS:
        if field == "is_vip":
            try:
                customer[field] = parse_bool(field, payload.get(field))
            except FieldError:
                customer[field] = False
            continue
        customer[field] = _server_text(field, payload.get(field))
    # Fields of the same name as a job's share the job's rules (UUID form, ISO stamps).
    customer["uuid"] = parse_value("uuid", customer["uuid"], strict=False)
    for stamp in ("created_at", "updated_at", "deleted_at"):
        customer[stamp] = parse_value(stamp, customer[stamp], strict=False)
    if customer["uuid"] is None:
        raise FieldError("uuid", "is missing from the server's customer")
    return customer


def display_name(values: Mapping[str, Any]) -> str | None:
    """"First Last", else the company: the name a customer's jobs show."""
    name = " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
    return name or values.get("company_name") or None
