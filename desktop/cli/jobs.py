"""`jobdesk jobs ...`: the local mirror's jobs from a shell."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from desktop.cli.context import Context, UsageError, print_json, printable
from desktop.core.jobs import YEAR_MAX, YEAR_MIN, FieldFlag, Priority, Status
from desktop.core.store import (
    SYNC_STATES,
    CustomerMissing,
    CustomerRecord,
    JobNotFound,
    JobQuery,
    JobRecord,
)
from desktop.core.store.edits import CUSTOMER_LOCAL_ID

#: How ``--set`` reads a value, for the help of ``add`` and ``edit``.
SET_HELP = (
    "FIELD=VALUE, repeatable; an empty VALUE clears an optional field (status, priority, "
    "title and customer_uuid cannot be cleared). Amounts: 150, 150.50 or 1,234.50 (a comma "
    f"only separates thousands: 1,5 is refused). Dates: YYYY-MM-DD, years {YEAR_MIN} to "
    f"{YEAR_MAX}. Times: HH:MM. Timestamps (started_at, completed_at, invoiced_at, paid_at): "
    "2025-02-18T14:30 is read as this computer's local time, 2025-02-18T14:30:00Z as UTC; "
    "both are stored in UTC. No control characters (new lines and tabs only in description "
    "and notes)."
)
_TABLE_COLUMNS: tuple[tuple[str, Callable[[JobRecord], str]], ...] = (
    ("ID", lambda r: str(r.local_id)),
    ("JOB #", lambda r: r["job_number"] or "-"),
    ("TITLE", lambda r: r["title"] or ""),
    ("CUSTOMER", lambda r: r.customer_name or ""),
    ("STATUS", lambda r: r["status"] or ""),
    ("PRIORITY", lambda r: r["priority"] or ""),
    ("SCHEDULED", lambda r: (r["scheduled_date"] or "")[:10]),
    ("SYNC", lambda r: r.sync_state),
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    jobs = sub.add_parser("jobs", help="list, show and edit jobs in the local mirror")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)

    listing = jobs_sub.add_parser("list", help="list jobs")
    listing.add_argument("--status", help="comma-separated statuses, e.g. 'New,Scheduled'")
    listing.add_argument("--priority", help="one of " + ", ".join(Priority))
    listing.add_argument("--customer", metavar="UUID")
    listing.add_argument("--assigned", metavar="UUID")
    listing.add_argument("--search", metavar="TEXT")
    listing.add_argument("--state", help="sync state: " + ", ".join(SYNC_STATES))
    listing.add_argument("--include-deleted", action="store_true")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    show = jobs_sub.add_parser("show", help="show one job (local id, uuid or job number)")
    show.add_argument("ref")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    add = jobs_sub.add_parser("add", help="create a job (synced later)")
    add.add_argument("--customer", metavar="REF", required=True,
                     help="the customer's local id or uuid (a customer added here and not "
                          "yet synced has only its local id)")
    add.add_argument("--title", required=True)
    add.add_argument("--set", metavar="FIELD=VALUE", action="append", default=[], dest="sets",
                     help=SET_HELP)
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=_add)

    edit = jobs_sub.add_parser(
        "edit", help="change fields of a job (an empty VALUE clears an optional field)")
    edit.add_argument("ref")
    edit.add_argument(
        "--set", metavar="FIELD=VALUE", action="append", required=True, dest="sets",
        help=SET_HELP,
    )
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(handler=_edit)

    for name, handler, text in (
        ("delete", _delete, "move a job to the Trash"),
        ("restore", _restore, "bring a job back from the Trash"),
        ("discard", _discard, "drop a job's unsent changes"),
    ):
        action = jobs_sub.add_parser(name, help=text)
        action.add_argument("ref")
        action.add_argument("--json", action="store_true")
        action.set_defaults(handler=handler)



def parse_sets(sets: Sequence[str]) -> dict[str, Any]:
    """``FIELD=VALUE`` pairs; an empty value means null (refused for required fields)."""
    changes: dict[str, Any] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set: expected FIELD=VALUE, got {item!r}")
        changes[name] = value if value != "" else None
    return changes


def _query(args: argparse.Namespace) -> JobQuery:
    statuses: tuple[str, ...] = ()
    if args.status:
        statuses = tuple(_known(s, Status, "--status") for s in args.status.split(",") if s.strip())
    priority = _known(args.priority, Priority, "--priority") if args.priority else None
    if args.state and args.state not in SYNC_STATES:
        raise UsageError(f"--state: must be one of {', '.join(SYNC_STATES)}, got {args.state!r}")
    return JobQuery(
        statuses=statuses,
        priority=priority,
        customer_uuid=args.customer,
        assigned_to=args.assigned,
        search=args.search or "",
        sync_states=(args.state,) if args.state else (),
        deleted="include" if args.include_deleted else "exclude",
        sort="scheduled",
    )


def _known(value: str, enum: type[Status] | type[Priority], option: str) -> str:
    for member in enum:
        if member.value.lower() == value.strip().lower():
            return member.value
    raise UsageError(f"{option}: {value.strip()!r} is not one of {', '.join(enum)}")


def _resolve(ctx: Context, ref: str) -> JobRecord:
    try:
        return ctx.store.resolve(ref)
    except JobNotFound as exc:
        raise UsageError(str(exc)) from None


def resolve_customer(ctx: Context, ref: str) -> CustomerRecord:
    try:
        return ctx.store.resolve_customer(ref)
    except CustomerMissing as exc:
        raise UsageError(str(exc)) from None


def print_table(records: Sequence[JobRecord]) -> None:
    rows = [[printable(get(r)) for _, get in _TABLE_COLUMNS] for r in records]
    widths = [len(h) for h, _ in _TABLE_COLUMNS]
    for row in rows:
        widths = [min(max(w, len(cell)), 40) for w, cell in zip(widths, row, strict=True)]
    for row in [[h for h, _ in _TABLE_COLUMNS], *rows]:
        line = "  ".join(cell[:w].ljust(w) for cell, w in zip(row, widths, strict=True))
        print(line.rstrip())


def _print_job(record: JobRecord) -> None:
    data = record.to_json()
    customer = data.pop("customer", None)
    data.pop("flagged", None)
    flags = {flag.column: flag for flag in record.flags.values()}
    if customer:
        data["customer_name"] = record.customer_name
    width = max(len(k) for k in data)
    indent = "\n" + " " * (width + 2)
    for key, value in data.items():
        flag = flags.get(key)
        if value is None and flag is None:
            continue
        text = "-" if value is None else printable(str(value), keep_lines=True)
        if flag is not None:
            text += f"  [flagged: {_flag_text(flag)}]"
        print(f"{key.ljust(width)}  {text.replace(chr(10), indent)}")


def _flag_text(flag: FieldFlag) -> str:
    return printable(flag.describe())


def _output(record: JobRecord, as_json: bool) -> int:
    if as_json:
        print_json(record.to_json())
    else:
        _print_job(record)
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    query = _query(args)
    total = ctx.store.count(query)
    records = ctx.store.page(query, 0, total or 1)
    if args.json:
        print_json([r.to_json() for r in records])
    else:
        print_table(records)
        print(f"{total} job(s)", file=sys.stderr)
    return 0


def _show(args: argparse.Namespace, ctx: Context) -> int:
    return _output(_resolve(ctx, args.ref), args.json)


def _add(args: argparse.Namespace, ctx: Context) -> int:
    values = parse_sets(args.sets)
    for name in ("customer_uuid", "title"):
        if name in values:
            raise UsageError(f"--set: use the option for {name}, not --set")
    values["title"] = args.title
    try:
        customer = ctx.store.resolve_customer(args.customer)
    except CustomerMissing as exc:
        if args.customer.strip().isdigit():
            raise UsageError(str(exc)) from None
        # Checked as a uuid with the job's other fields: every mistake named at once.
        values["customer_uuid"] = args.customer
    else:
        if customer.uuid is not None:
            values["customer_uuid"] = customer.uuid
        else:
            values[CUSTOMER_LOCAL_ID] = customer.local_id
    return _output(ctx.store.create_job(values), args.json)


def _edit(args: argparse.Namespace, ctx: Context) -> int:
    record = _resolve(ctx, args.ref)
    return _output(ctx.store.update_job(record.local_id, parse_sets(args.sets)), args.json)


def _delete(args: argparse.Namespace, ctx: Context) -> int:
    return _output(ctx.store.delete_job(_resolve(ctx, args.ref).local_id), args.json)


def _restore(args: argparse.Namespace, ctx: Context) -> int:
    return _output(ctx.store.restore_job(_resolve(ctx, args.ref).local_id), args.json)


def _discard(args: argparse.Namespace, ctx: Context) -> int:
    record = _resolve(ctx, args.ref)
    after = ctx.store.discard_changes(record.local_id)
    if after is None:
        if args.json:
            print_json({"local_id": record.local_id, "discarded": True})
        else:
            print(f"job {record.local_id} was never sent; removed")
        return 0
    return _output(after, args.json)
