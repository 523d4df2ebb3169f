"""Switches for what the vendor leaves undocumented, and the job shapes they produce.

The real server answers each of these one way we cannot know in advance, so the
client is tested against every answer. Defaults follow the documentation where it
says anything: amounts are typed ``number``; list items and ``data`` default to the
plain job. Assign at any time (``emu.variants.list_order = "updated_desc"``); each
request reads the switches once.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from .state import ListOrder

LIST_ORDERS: Final = get_args(ListOrder)
#: How a broken server pages: ``page_one`` serves and reports page 1 whatever was asked
#: and claims 100,000 pages; ``echo_page`` serves page 1 but reports the page asked for.
BrokenPaging = Literal["", "page_one", "echo_page"]
BROKEN_PAGINGS: Final = get_args(BrokenPaging)
CLAIMED_PAGES: Final = 100_000
#: How list items come: the whole job (``full``); the seed's example item plus what a
#: client needs to notice change and deletion (``summary``); or the seed's example item
#: exactly (``bare``), which says neither when a job changed nor whether it is deleted.
ListShape = Literal["full", "summary", "bare"]
LIST_SHAPES: Final = get_args(ListShape)
#: The seed's literal example list item.
BARE_FIELDS: Final = (
    "uuid", "job_number", "title", "status", "priority", "customer", "scheduled_date",
)
SUMMARY_FIELDS: Final = (*BARE_FIELDS, "updated_at", "deleted_at")
#: Where a single-job reply nests its assigned user ("assigned user information", as
#: the seed says of GET /jobs/{uuid}), each key with a shape of its own: ``""`` none;
#: ``assigned_user`` an id with first and last name and email; ``assigned_to`` a uuid
#: and one whole name; ``user`` only an email.
NestedUser = Literal["", "assigned_user", "assigned_to", "user"]
NESTED_USERS: Final = get_args(NestedUser)
AMOUNT_FIELDS: Final = ("estimated_amount", "actual_amount")


@dataclass(slots=True)
class Variants:
    """``slots`` makes a misspelt switch an error instead of a silent no-op."""

    #: ``created_desc``, ``updated_desc`` or ``unordered`` (stable, by uuid).
    list_order: ListOrder = "created_desc"
    #: What a list item carries: see ``ListShape``.
    list_shape: ListShape = "full"
    #: Single-job ``data`` is ``{"job": {...}}`` instead of the job itself.
    wrap_single_job: bool = False
    #: Amounts go out as ``"150.00"`` instead of the JSON number ``150``.
    amounts_as_strings: bool = False
    #: ``Idempotency-Key`` replays stored responses; off, the header is ignored.
    honour_idempotency: bool = True
    #: Titles are stored HTML-escaped (``Pipes & valves`` -> ``Pipes &amp; valves``), as
    #: a server that sanitises its input would.
    escape_titles: bool = False
    #: A server that ignores ``page``: see ``BrokenPaging``.
    broken_paging: BrokenPaging = ""
    #: Every job list comes back empty (a glitch): no items, a total of 0.
    empty_lists: bool = False
    #: Single-job replies nest the assigned user: see ``NestedUser``.
    nested_user: NestedUser = ""

    def __setattr__(self, name: str, value: object) -> None:
        if name == "list_order" and value not in LIST_ORDERS:
            raise ValueError(f"list_order must be one of {LIST_ORDERS}, not {value!r}")
        if name == "list_shape" and value not in LIST_SHAPES:
            raise ValueError(f"list_shape must be one of {LIST_SHAPES}, not {value!r}")
        if name == "nested_user" and value not in NESTED_USERS:
            raise ValueError(f"nested_user must be one of {NESTED_USERS}, not {value!r}")
        if name == "broken_paging" and value not in BROKEN_PAGINGS:
            raise ValueError(f"broken_paging must be one of {BROKEN_PAGINGS}, not {value!r}")
        object.__setattr__(self, name, value)

    @property
    def summary_items(self) -> bool:
        """The older switch: summaries with ``updated_at``/``deleted_at`` or full jobs."""
        return self.list_shape != "full"

    @summary_items.setter
    def summary_items(self, value: bool) -> None:
        self.list_shape = "summary" if value else "full"

    def stored_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Validated create or update fields as this server would store them."""
        if self.escape_titles and isinstance(fields.get("title"), str):
            return {**fields, "title": html.escape(fields["title"], quote=False)}
        return fields

    def job(self, record: dict[str, Any], customer: dict[str, Any] | None) -> dict[str, Any]:
        """A stored job as the API sends it: nested customer, amounts per the switch."""
        rendered = dict(record)
        rendered["customer"] = customer
        if not self.amounts_as_strings:
            for field in AMOUNT_FIELDS:
                text = rendered[field]
                if text is not None:
                    number = float(text)
                    rendered[field] = int(number) if number.is_integer() else number
        return rendered

    def single(self, job: dict[str, Any], user: dict[str, Any] | None = None) -> dict[str, Any]:
        """A single-job reply's ``data``; ``user`` is the assigned user, if known."""
        if self.nested_user and user is not None:
            job = {**job, self.nested_user: self._user(user)}
        return {"job": job} if self.wrap_single_job else job

    def _user(self, user: dict[str, Any]) -> dict[str, Any]:
        if self.nested_user == "assigned_to":
            return {"uuid": user["id"], "name": f"{user['first_name']} {user['last_name']}"}
        if self.nested_user == "user":
            return {"email": user["email"]}
        return dict(user)

    def list_item(self, job: dict[str, Any]) -> dict[str, Any]:
        if self.list_shape == "summary":
            return {field: job[field] for field in SUMMARY_FIELDS}
        if self.list_shape == "bare":
            return {field: job[field] for field in BARE_FIELDS}
        return job
