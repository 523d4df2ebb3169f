"""What the server accepts in a customer's create or update body.

The vendor's documented rules (phone ``xxx-xxx-xxxx``, type Residential or
Commercial, "on my way" by email, sms or both) and, where the vendor is silent, our
choices: a new customer needs a first and a last name, is Residential unless told
otherwise, and its type cannot be cleared; an email address may belong to one live
customer only. Unknown and server-assigned fields are ignored.
"""

from __future__ import annotations

import re
from typing import Any, Final

from .validation import Problem, is_uuid

CUSTOMER_TYPES: Final = ("Residential", "Commercial")
NOTIFY_VIA: Final = ("email", "sms", "both")
TEXT_FIELDS: Final = (
    "first_name", "last_name", "company_name", "email", "phone", "physical_address1",
    "physical_address2", "physical_city", "physical_state", "physical_zip",
    "billing_address1", "billing_address2", "billing_city", "billing_state", "billing_zip",
    "notes",
)
_PHONE_RE: Final = re.compile(r"\d{3}-\d{3}-\d{4}", re.ASCII)


_CHOICES: Final = {"customer_type": CUSTOMER_TYPES, "on_my_way_notify_via": NOTIFY_VIA}


def _clean(field: str, value: object) -> Any:
    if field == "is_vip":
        if value is not None and not isinstance(value, bool):
            raise Problem(f"{field} must be true, false or null")
        return bool(value)
    if field == "internal_flags":
        if value is not None and not isinstance(value, dict):
            raise Problem(f"{field} must be a JSON object or null")
        return value or {}
    if value is not None and not isinstance(value, str):
        raise Problem(f"{field} must be a string or null")
    if field in _EXACT:
        return _exact(field, value)
    text = value.strip() if isinstance(value, str) else None
    return text or None


def _exact(field: str, value: str | None) -> str | None:
    """A value with a form of its own, taken exactly as sent: no spaces trimmed."""
    if field == "customer_type" and value is None:
        raise Problem(f"{field} must be one of: {', '.join(CUSTOMER_TYPES)}")
    if value is None:
        return None
    if field == "phone" and not _PHONE_RE.fullmatch(value):
        raise Problem(f"{field} must be formatted xxx-xxx-xxxx")
    if field in _CHOICES and value not in _CHOICES[field]:
        raise Problem(f"{field} must be one of: {', '.join(_CHOICES[field])}")
    if field == "primary_service_location_uuid" and not is_uuid(value):
        raise Problem(f"{field} must be a UUID")
    return value


#: Fields whose value must be exactly one form, or null (never an empty string).
_EXACT: Final = ("phone", "customer_type", "on_my_way_notify_via",
                 "primary_service_location_uuid")


WRITABLE: Final = (*TEXT_FIELDS, "customer_type", "is_vip", "primary_service_location_uuid",
                   "internal_flags", "on_my_way_notify_via")


def clean_customer_body(body: object, *, creating: bool) -> dict[str, Any]:
    """The writable fields present in ``body``, normalised for storage; raises
    ``Problem`` naming every field that was refused."""
    if not isinstance(body, dict):
        raise Problem("Request body must be a JSON object")
    problems: list[str] = []
    clean: dict[str, Any] = {}
    for field in WRITABLE:
        if field not in body:
            continue
        try:
            clean[field] = _clean(field, body[field])
        except Problem as exc:
            problems.append(str(exc))
    for field in ("first_name", "last_name"):
        if (creating or field in clean) and clean.get(field) is None and not any(
                p.startswith(field) for p in problems):
            problems.append(f"{field} is required")
    if problems:
        raise Problem("; ".join(problems))
    return clean
