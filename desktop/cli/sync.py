"""`jobdesk sync` and `jobdesk conflicts ...`: sync from scripts and a terminal.

``sync`` exits 0 when the cycle completed (conflicts and rejections are not
failures), 3 offline / network / server error, 4 sign-in needed, 5 quota or
forbidden. Local changes are kept in every case.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop.cli.account import resolve_server_url
from desktop.cli.context import Context, UsageError, print_json, printable
from desktop.cli.jobs import parse_sets
from desktop.config import ENV_API_KEY, Settings, get_api_key
from desktop.core.jobs import InvalidJob, wire_value
from desktop.core.merge import DELETED
from desktop.core.store import JobNotFound, JobQuery, JobRecord
from desktop.core.sync import SyncEngine, SyncReport


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sync = sub.add_parser("sync", help="run one sync cycle with the CRM")
    sync.add_argument("--full", action="store_true", help="reconcile every job, not only "
                      "the active ones")
    sync.add_argument("--force", action="store_true", help="send one probe even while the "
                      "server has said the month's requests are spent")
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(handler=_sync)

    conflicts = sub.add_parser("conflicts", help="jobs changed on both sides")
    conflicts_sub = conflicts.add_subparsers(dest="conflicts_command", metavar="ACTION",
                                             required=True)
    listing = conflicts_sub.add_parser("list", help="list conflicts field by field")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    resolve = conflicts_sub.add_parser("resolve", help="settle a conflict")
    resolve.add_argument("ref")
    how = resolve.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep", choices=("mine", "theirs"), help="the whole job")
    how.add_argument("--field", action="append", metavar="NAME=mine|theirs", dest="fields")
    resolve.add_argument("--json", action="store_true")
    resolve.set_defaults(handler=_resolve)


def _sync(args: argparse.Namespace, ctx: Context) -> int:
    server = resolve_server_url(ctx)
    key = get_api_key(server, ctx.paths)
    if not key:
        report = SyncReport(status="auth", message="sign-in needed: no API key; run "
                            f"`jobdesk login` or set {ENV_API_KEY}")
    else:
        with SyncEngine(ctx.store, ctx.paths, Settings.load(ctx.paths), server, key) as engine:
            report = engine.run(full=args.full, force=args.force, explicit=True)
    if args.json:
        print_json(report.to_json())
    else:
        # Server text (messages, titles in them) reaches the terminal: no escapes.
        print(f"sync {report.status}: {printable(report.message)}")
        for skipped in report.skipped:
            print(f"  skipped: {printable(skipped)}")
        usage = report.usage
        if usage:
            print(f"  requests this cycle: {report.requests}; this month: "
                  f"{usage['count']} of {usage['limit']}")
    if report.status != "ok" and not args.json:
        print(f"jobdesk: {printable(report.message)}", file=sys.stderr)
    return report.exit_code


def _conflict_json(record: JobRecord) -> dict[str, Any]:
    return {
        "local_id": record.local_id,
        "uuid": record.uuid,
        "title": record["title"],
        "fields": [
            {"field": c.field, "base": wire_value(c.base), "mine": wire_value(c.mine),
             "theirs": wire_value(c.theirs)}
            for c in record.conflicts
        ],
    }


def _list(args: argparse.Namespace, ctx: Context) -> int:
    records = ctx.store.page(JobQuery(sync_states=("conflict",), deleted="include",
                                      sort="updated_at"), 0, 10_000)
    if args.json:
        print_json([_conflict_json(r) for r in records])
        return 0
    for record in records:
        print(printable(f"{record.local_id}  {record['job_number'] or '-'}  {record['title']}"))
        for c in record.conflicts:
            if c.field == DELETED:
                print("    deleted on the server while edited here")
            else:
                print(f"    {c.field}: base={wire_value(c.base)!r} mine={wire_value(c.mine)!r} "
                      f"theirs={wire_value(c.theirs)!r}")
    return 0


def _resolve(args: argparse.Namespace, ctx: Context) -> int:
    try:
        record = ctx.store.resolve(args.ref)
    except JobNotFound as exc:
        raise UsageError(str(exc)) from None
    if not record.conflicts:
        raise UsageError(f"job {args.ref}: has no conflict to resolve")
    if args.keep:
        choices = {c.field: args.keep for c in record.conflicts}
    else:
        choices = {}
        for name, choice in parse_sets(args.fields).items():
            if choice not in ("mine", "theirs"):
                raise UsageError(f"--field {name}: choose mine or theirs, got {choice!r}")
            choices[name] = choice
        unknown = set(choices) - {c.field for c in record.conflicts}
        if unknown:
            raise UsageError(f"--field {sorted(unknown)[0]}: not a conflicted field of this job")
    try:
        after = ctx.store.resolve_conflict(record.local_id, choices)
    except InvalidJob as exc:
        # The job keeps its conflict; the user picks again.
        raise UsageError(f"job {args.ref}: not resolved, nothing changed: {exc}") from None
    if args.json:
        print_json(after.to_json())
    else:
        print(f"job {after.local_id}: {after.sync_state}")
    return 0
