"""The API's endpoints under ``/api/v1``: parameters in, ``data`` out, ``ApiError`` on refusal.

Where the vendor is silent we choose, and say so here:
- ``POST /jobs`` and ``POST /customers`` answer 201 (the vendor allows 200 or 201).
- A customer's body follows ``customer_rules`` (a new one needs first and last
  names; an email belongs to one live customer).
- ``DELETE /jobs/{uuid}`` answers 200 with the deleted job (its ``deleted_at`` set).
- A malformed uuid in a path is a 400 naming it; a well-formed unknown one is a 404.
- ``page`` and ``limit`` must be whole numbers of at least 1; a ``limit`` above 100 is
  served as 100 (and reported so in ``pagination.limit``).
- A parameter given with an empty value (``?page=``) is refused like any other bad
  value, except the free-text ones (``search``, ``status``, ``priority``), where empty
  means no filter.
- Unknown query parameters and unknown body fields are ignored.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any, Final, cast
from urllib.parse import unquote

from .customer_rules import clean_customer_body
from .envelope import ApiError
from .state import (
    CompanyState,
    CustomerFilter,
    CustomerQuery,
    CustomerTaken,
    JobQuery,
    UnknownCustomer,
)
from .validation import PRIORITIES, STATUSES, Problem, clean_job_body, is_uuid
from .variants import CLAIMED_PAGES, Variants

Query = dict[str, list[str]]
Handler = Callable[[Query, bytes], tuple[int, Any]]

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 100
CUSTOMER_FILTERS: Final = ("all", "residential", "commercial", "vip")
_DIGITS: Final = re.compile(r"[0-9]{1,9}")


def _last(query: Query, name: str) -> str | None:
    """The parameter's value (the last, if repeated); ``None`` if it was not given."""
    values = query.get(name)
    return values[-1] if values else None


def _flag(query: Query, name: str) -> bool:
    text = _last(query, name)
    if text in (None, "false", "0"):
        return False
    if text in ("true", "1"):
        return True
    raise ApiError(400, f"{name} must be true, false, 1 or 0")


def _whole_number(query: Query, name: str, default: int) -> int:
    text = _last(query, name)
    if text is None:
        return default
    if not _DIGITS.fullmatch(text) or int(text) < 1:
        raise ApiError(400, f"{name} must be a whole number from 1 to 999999999")
    return int(text)


def _paging(query: Query) -> tuple[int, int]:
    return (
        _whole_number(query, "page", 1),
        min(_whole_number(query, "limit", DEFAULT_LIMIT), MAX_LIMIT),
    )


def _pagination(page: int, limit: int, total: int) -> dict[str, int]:
    return {"page": page, "limit": limit, "total": total, "total_pages": -(-total // limit)}


def _choices(query: Query, name: str, allowed: tuple[str, ...]) -> frozenset[str]:
    """A comma-separated (or repeated) parameter, every item one of ``allowed``."""
    items = {item.strip() for value in query.get(name, []) for item in value.split(",")}
    items.discard("")
    wrong = sorted(items.difference(allowed))
    if wrong:
        raise ApiError(400, f"{name} must be one or more of: {', '.join(allowed)} "
                            f"(comma-separated); got {', '.join(wrong)}")
    return frozenset(items)


def _uuid_param(query: Query, name: str) -> str | None:
    text = _last(query, name)
    if text is None:
        return None
    if not is_uuid(text):
        raise ApiError(400, f"{name} must be a UUID like 123e4567-e89b-12d3-a456-426614174000")
    return text.lower()


def _path_uuid(text: str, what: str) -> str:
    if not is_uuid(text):
        raise ApiError(400, f"The {what} uuid in the path must be a UUID like "
                            "123e4567-e89b-12d3-a456-426614174000")
    return text.lower()


def _json_body(body: bytes) -> object:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "Request body must be valid JSON") from None


class Routes:
    def __init__(self, state: CompanyState, company: dict[str, Any], variants: Variants,
                 locations: list[dict[str, Any]] | None = None,
                 technicians: list[dict[str, Any]] | None = None) -> None:
        self._state = state
        self._company = company
        self._variants = variants
        self._locations = locations or []
        self._technicians = {user["id"]: user for user in technicians or []}

    def dispatch(self, method: str, path: str, query: Query, body: bytes) -> tuple[int, Any]:
        """``(status, data)`` for a request to ``path`` (relative to ``/api/v1``)."""
        trimmed = path.strip("/")
        segments = [unquote(s) for s in trimmed.split("/")] if trimmed else []
        # Each request sees one consistent set of switches even if a test flips one now.
        variants = dataclasses.replace(self._variants)
        handlers: dict[str, Handler]
        match segments:
            case ["jobs"]:
                handlers = {
                    "GET": lambda q, _b: self._list_jobs(q, variants),
                    "POST": lambda _q, b: self._create_job(b, variants),
                }
            case ["jobs", raw]:
                handlers = {
                    "GET": lambda _q, _b: self._get_job(raw, variants),
                    "PUT": lambda _q, b: self._update_job(raw, b, variants),
                    "DELETE": lambda _q, _b: self._delete_job(raw, variants),
                }
            case ["customers"]:
                handlers = {"GET": lambda q, _b: self._list_customers(q),
                            "POST": lambda _q, b: self._create_customer(b)}
            case ["customers", raw]:
                handlers = {"GET": lambda _q, _b: self._get_customer(raw),
                            "PUT": lambda _q, b: self._update_customer(raw, b)}
            case ["companies", "me"]:
                handlers = {"GET": lambda _q, _b: (200, dict(self._company))}
            case ["locations"]:
                handlers = {"GET": lambda q, _b: self._list_locations(q)}
            case _:
                raise ApiError(404, f"Not found: {method} /api/v1/{trimmed}")
        handler = handlers.get(method)
        if handler is None:
            raise ApiError(
                405,
                f"Method {method} is not allowed on /api/v1/{trimmed}",
                {"Allow": ", ".join(handlers)},
            )
        return handler(query, body)

    # --- jobs -------------------------------------------------------------------------

    def _render(self, record: dict[str, Any], variants: Variants) -> dict[str, Any]:
        return variants.job(record, self._state.customer_ref(record["customer_uuid"]))

    def _single(self, record: dict[str, Any], variants: Variants) -> dict[str, Any]:
        user = self._technicians.get(record.get("assigned_to_user_id") or "")
        return variants.single(self._render(record, variants), user)

    def _list_jobs(self, query: Query, variants: Variants) -> tuple[int, Any]:
        page, limit = _paging(query)
        job_query = JobQuery(
            statuses=_choices(query, "status", STATUSES),
            priorities=_choices(query, "priority", PRIORITIES),
            customer_uuid=_uuid_param(query, "customer_uuid"),
            location_uuid=_uuid_param(query, "location_uuid"),
            assigned_to_user_id=_uuid_param(query, "assigned_to_user_id"),
            search=_last(query, "search") or "",
            include_deleted=_flag(query, "include_deleted"),
        )
        if variants.empty_lists:
            return 200, {"jobs": [], "pagination": _pagination(page, limit, 0)}
        asked = page
        if variants.broken_paging:
            page = 1
        records, total = self._state.list_jobs(job_query, variants.list_order, page, limit)
        items = [variants.list_item(self._render(r, variants)) for r in records]
        pagination = _pagination(page, limit, total)
        if variants.broken_paging:
            pagination["total_pages"] = CLAIMED_PAGES
            if variants.broken_paging == "echo_page":
                pagination["page"] = asked
        return 200, {"jobs": items, "pagination": pagination}

    def _get_job(self, raw: str, variants: Variants) -> tuple[int, Any]:
        record = self._state.job(_path_uuid(raw, "job"))
        if record is None:
            raise ApiError(404, "Job not found")
        return 200, self._single(record, variants)

    def _create_job(self, body: bytes, variants: Variants) -> tuple[int, Any]:
        try:
            record = self._state.create_job(
                variants.stored_fields(clean_job_body(_json_body(body), creating=True)))
        except (Problem, UnknownCustomer) as exc:
            raise ApiError(400, str(exc)) from None
        return 201, self._single(record, variants)

    def _update_job(self, raw: str, body: bytes, variants: Variants) -> tuple[int, Any]:
        uuid = _path_uuid(raw, "job")
        if self._state.job(uuid) is None:
            raise ApiError(404, "Job not found")
        try:
            record = self._state.update_job(
                uuid, variants.stored_fields(clean_job_body(_json_body(body), creating=False)))
        except (Problem, UnknownCustomer) as exc:
            raise ApiError(400, str(exc)) from None
        if record is None:
            raise ApiError(404, "Job not found")
        return 200, self._single(record, variants)

    def _delete_job(self, raw: str, variants: Variants) -> tuple[int, Any]:
        record = self._state.delete_job(_path_uuid(raw, "job"))
        if record is None:
            raise ApiError(404, "Job not found")
        return 200, self._single(record, variants)

    # --- locations --------------------------------------------------------------------

    def _list_locations(self, query: Query) -> tuple[int, Any]:
        page, limit = _paging(query)
        shown = [dict(o) for o in self._locations
                 if _flag(query, "include_deleted") or o["deleted_at"] is None]
        items = shown[(page - 1) * limit:page * limit]
        return 200, {"locations": items, "pagination": _pagination(page, limit, len(shown))}

    # --- customers --------------------------------------------------------------------

    def _list_customers(self, query: Query) -> tuple[int, Any]:
        page, limit = _paging(query)
        kind = _last(query, "filter")
        kind = "all" if kind is None else kind
        if kind not in CUSTOMER_FILTERS:
            raise ApiError(400, f"filter must be one of: {', '.join(CUSTOMER_FILTERS)}")
        customer_query = CustomerQuery(
            search=_last(query, "search") or "",
            kind=cast(CustomerFilter, kind),
            include_deleted=_flag(query, "include_deleted"),
        )
        customers, total = self._state.list_customers(customer_query, page, limit)
        return 200, {"customers": customers, "pagination": _pagination(page, limit, total)}

    def _get_customer(self, raw: str) -> tuple[int, Any]:
        customer = self._state.customer(_path_uuid(raw, "customer"))
        if customer is None:
            raise ApiError(404, "Customer not found")
        return 200, customer

    def _create_customer(self, body: bytes) -> tuple[int, Any]:
        try:
            customer = self._state.create_customer(
                clean_customer_body(_json_body(body), creating=True))
        except (Problem, CustomerTaken) as exc:
            raise ApiError(400, str(exc)) from None
        return 201, customer

    def _update_customer(self, raw: str, body: bytes) -> tuple[int, Any]:
        uuid = _path_uuid(raw, "customer")
        if self._state.customer(uuid) is None:
            raise ApiError(404, "Customer not found")
        try:
            customer = self._state.update_customer(
                uuid, clean_customer_body(_json_body(body), creating=False))
        except (Problem, CustomerTaken) as exc:
            raise ApiError(400, str(exc)) from None
        if customer is None:
            raise ApiError(404, "Customer not found")
        return 200, customer
