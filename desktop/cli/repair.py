"""`jobdesk db check` and `jobdesk db rebuild`: the local database's health.

``check`` reads every page (SQLite's quick_check) and exits 7 when it finds damage.
``rebuild`` moves the database aside, keeping it as ``jobdesk.sqlite3.damaged-<time>``,
and creates an empty one, so the next sync is a first sync. It refuses while changes
not yet sent can still be read from the old file, unless ``--force``: they would not
be lost (the old file is kept) but they would no longer be sent.
"""

from __future__ import annotations

import argparse
import sys

from desktop.cli.context import Context, print_json
from desktop.core.store.database import rebuild, unsent_changes
from desktop.core.sync.lock import SyncBusy, SyncLock

EXIT_UNUSABLE = 7


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    db = sub.add_parser("db", help="check the local database, or rebuild it from the server")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    check = db_sub.add_parser("check", help="read every page of the local database")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=_check)
    again = db_sub.add_parser(
        "rebuild", help="move the local database aside (it is kept) and start an empty one; "
        "the next sync fetches everything again (close the JobDesk window first)")
    again.add_argument("--force", action="store_true",
                       help="rebuild even though the old file holds changes not yet sent")
    again.set_defaults(handler=_rebuild)


def _check(args: argparse.Namespace, ctx: Context) -> int:
    damage = ctx.store.quick_check()
    if args.json:
        print_json({"ok": damage is None, "database": str(ctx.paths.database),
                    "problem": None if damage is None else str(damage)})
    elif damage is None:
        print(f"the local database {ctx.paths.database} is sound")
    if damage is not None:
        if not args.json:
            print(f"jobdesk: {damage}", file=sys.stderr)
        return EXIT_UNUSABLE
    return 0


def _rebuild(args: argparse.Namespace, ctx: Context) -> int:
    path = ctx.paths.database
    ctx.close()
    try:
        # Holding the sync lock keeps a sync from writing into the file being moved.
        with SyncLock(ctx.paths.sync_lock):
            unsent = unsent_changes(path)
            if unsent and not args.force:
                print(f"jobdesk: {path} still holds {unsent} job(s) or customer(s) with "
                      "changes not yet sent. Send them first (`jobdesk sync`), or see them "
                      "with `jobdesk jobs list --state pending` (and conflict, rejected); "
                      "`jobdesk db rebuild --force` rebuilds anyway and keeps them, unsent, "
                      "in the moved-aside file.", file=sys.stderr)
                return EXIT_UNUSABLE
            moved = rebuild(path)
    except SyncBusy as busy:
        print(f"jobdesk: {busy}; rebuild once it has finished", file=sys.stderr)
        return EXIT_UNUSABLE
    print(f"moved {path.name} aside to {moved}; a new, empty database is in its place. "
          "The next sync fetches your jobs from the server again.")
    if unsent is None:
        print("The old file could not be read, so any changes not yet sent in it could "
              "not be counted; it is kept as it was.")
    elif unsent:
        print(f"{unsent} job(s) or customer(s) with unsent changes stay in {moved.name}.")
    return 0
