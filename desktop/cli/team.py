"""`jobdesk team ...`: the technicians' names, and the team file laptops share."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.context import Context, UsageError, print_json, printable
from desktop.core.export import CSV_ENCODING, write_bytes, write_problem
from desktop.core.store import team as team_store
from desktop.core.team import (
    TeamFileError,
    check_name,
    check_user_id,
    export_csv,
    parse_csv,
    technician_name,
)

#: The team file is a few hundred bytes; anything this large is not one.
FILE_MAX = 1_000_000


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    team = sub.add_parser("team", help="technicians' names: list, name, import, export")
    team_sub = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)

    listing = team_sub.add_parser("list", help="every technician seen in jobs or named")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    name = team_sub.add_parser("name", help="name a technician's user id on this computer")
    name.add_argument("id", metavar="ID")
    name.add_argument("name", metavar="NAME")
    name.set_defaults(handler=_name)

    imports = team_sub.add_parser(
        "import", help="take the names of a team file (CSV: id,name); all or nothing")
    imports.add_argument("file", metavar="FILE", type=Path)
    imports.set_defaults(handler=_import)

    exports = team_sub.add_parser("export", help="write the named technicians as a team file")
    exports.add_argument("file", metavar="FILE", type=Path)
    exports.set_defaults(handler=_export)


def _list(args: argparse.Namespace, ctx: Context) -> int:
    members = team_store.members(ctx.store)
    if args.json:
        print_json([m.to_json() for m in members])
        return 0
    names = {m.user_id: m.name for m in members if m.name}
    width = max((len(technician_name(m.user_id, names)) for m in members), default=4)
    print(f"{'ID':36}  {'NAME'.ljust(width)}  {'JOBS':>5}  SOURCE")
    for member in members:
        shown = printable(technician_name(member.user_id, names))
        print(f"{member.user_id:36}  {shown.ljust(width)}  {member.jobs:>5}  "
              f"{member.source or '-'}")
    return 0


def _name(args: argparse.Namespace, ctx: Context) -> int:
    pair = (check_user_id(args.id), check_name(args.name))
    team_store.name(ctx.store, [pair])
    print(f"{pair[0]} is {printable(pair[1])}")
    return 0


def _import(args: argparse.Namespace, ctx: Context) -> int:
    path: Path = args.file
    try:
        if path.stat().st_size > FILE_MAX:
            raise UsageError(f"file: {path} is too large for a team file")
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise UsageError(f"file: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"file: {path} is not UTF-8 text") from None
    try:
        pairs = parse_csv(text)
    except TeamFileError as exc:
        raise UsageError(f"{path}: {exc}; nothing was imported") from None
    team_store.name(ctx.store, pairs)
    print(f"{len(pairs)} name(s) imported from {path}")
    return 0


def _export(args: argparse.Namespace, ctx: Context) -> int:
    path: Path = args.file
    members = team_store.members(ctx.store)
    try:
        write_bytes(path, export_csv(members).encode(CSV_ENCODING))
    except OSError as exc:
        raise UsageError(f"file: {write_problem(path, exc)}") from None
    print(f"{sum(1 for m in members if m.name)} name(s) written to {path}")
    return 0
