"""`jobdesk customers ...`: list, show, add and edit customers in the local mirror.

A customer added here exists only on this device until the next sync creates it on
the server; it is named by its local id meanwhile (``jobs add --customer 12``), and
by local id or uuid afterwards.
"""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.context import Context, UsageError, print_json, printable
from desktop.cli.jobs import parse_sets, print_table, resolve_customer
from desktop.core.customers import CUSTOMER_TYPES, EDITABLE_FIELDS, NOTIFY_VIA
from desktop.core.store import CustomerRecord

SET_HELP = (
    f"FIELD=VALUE, repeatable; FIELD is one of {', '.join(EDITABLE_FIELDS)}. An empty VALUE "
    "clears an optional field (first_name and last_name cannot be cleared). phone: "
    "xxx-xxx-xxxx (ten digits written another way are rewritten so); customer_type: "
    f"{' or '.join(CUSTOMER_TYPES)}; on_my_way_notify_via: {', '.join(NOTIFY_VIA)}; "
    "is_vip: true or false."
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    customers = sub.add_parser("customers", help="list, show, add and edit customers")
    actions = customers.add_subparsers(dest="customers_command", metavar="ACTION",
                                       required=True)
    listing = actions.add_parser("list", help="list customers")
    listing.add_argument("--search", metavar="TEXT", default="")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="show a customer and their jobs (local id or uuid)")
    show.add_argument("ref")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    add = actions.add_parser("add", help="create a customer (sent with the next sync)")
    add.add_argument("--first-name", required=True)
    add.add_argument("--last-name", required=True)
    add.add_argument("--set", metavar="FIELD=VALUE", action="append", default=[], dest="sets",
                     help=SET_HELP)
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=_add)

    edit = actions.add_parser("edit", help="change fields of a customer")
    edit.add_argument("ref")
    edit.add_argument("--set", metavar="FIELD=VALUE", action="append", required=True,
                      dest="sets", help=SET_HELP)
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(handler=_edit)


def _details(ctx: Context, customer: CustomerRecord) -> dict[str, Any]:
    history = ctx.store.customer_history(customer)
    return {**customer.to_json(), "jobs": [job.to_json() for job in history.jobs],
            "job_totals": history.to_json()}


def _output(ctx: Context, customer: CustomerRecord, as_json: bool) -> int:
    if as_json:
        print_json(_details(ctx, customer))
        return 0
    data = customer.to_json()
    width = max(len(k) for k in data)
    indent = "\n" + " " * (width + 2)
    for key, value in data.items():
        if value is None or value == "":
            continue
        text = printable(str(value), keep_lines=True).replace("\n", indent)
        print(f"{key.ljust(width)}  {text}")
    history = ctx.store.customer_history(customer)
    totals = history.to_json()
    print(f"\n{totals['count']} job(s): {totals['open']} open, {totals['done']} done; "
          f"estimated {totals['estimated_total']}, actual {totals['actual_total']}")
    if history.jobs:
        print_table(history.jobs)
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    customers = ctx.store.customers(args.search, limit=10_000)
    if args.json:
        print_json([c.to_json() for c in customers])
        return 0
    for c in customers:
        ref = c.uuid or f"local {c.local_id}"
        print(printable(f"{c.local_id:>6}  {ref:<36}  {c.display_name:<30}  {c.phone or ''}"))
    return 0


def _show(args: argparse.Namespace, ctx: Context) -> int:
    return _output(ctx, resolve_customer(ctx, args.ref), args.json)


def _add(args: argparse.Namespace, ctx: Context) -> int:
    values = parse_sets(args.sets)
    for name in ("first_name", "last_name"):
        if name in values:
            raise UsageError(f"--set: use the option for {name}, not --set")
    values.update(first_name=args.first_name, last_name=args.last_name)
    return _output(ctx, ctx.store.create_customer(values), args.json)


def _edit(args: argparse.Namespace, ctx: Context) -> int:
    customer = resolve_customer(ctx, args.ref)
    return _output(ctx, ctx.store.update_customer(customer.local_id, parse_sets(args.sets)),
                   args.json)
