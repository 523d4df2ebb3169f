"""Command line: launch the GUI, or run a headless command.

Each command module registers its own subcommands; handlers return an exit code:
0 ok, 1 anything unexpected, 2 invalid input or usage (argparse's own code too),
the sync codes documented in ``desktop.cli.sync``, and 7 when the local database
cannot be used (damaged, newer, disk full, read-only folder; see
``desktop.core.store.errors``), with a message that says what to do.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from desktop import __version__
from desktop.cli import account, customers, emulator, jobs, repair, sync, team
from desktop.cli.context import Context, UsageError
from desktop.config import resolve_paths
from desktop.core.jobs import FieldError, InvalidJob
from desktop.core.store.errors import DiskFull, classify, from_os_error
from desktop.logs import setup_logging

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_UNUSABLE = repair.EXIT_UNUSABLE

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobdesk",
        description="Offline-first job manager for the Custom Trades CRM. "
        "Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"jobdesk {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep the database, settings and logs in DIR (env JOBDESK_DATA_DIR)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="run against the built-in demo server"
    )
    parser.add_argument(
        "--screenshot", metavar="PATH", help="render the main window to a PNG and exit"
    )
    parser.add_argument("--view", metavar="NAME", help="sidebar view to open (with --screenshot)")
    parser.add_argument("--page", choices=("list", "schedule", "board", "dashboard", "customers"),
                        help="page to open: the list, schedule, board, dashboard or customers")
    parser.add_argument("--size", metavar="WxH",
                        help="window size for --screenshot, e.g. 1366x768 (default 1366x768)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (jobs, customers, sync, account, repair, emulator, team):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = resolve_paths(args.data_dir)
    log_file = paths.log_file if args.command is None else paths.command_log_file
    try:
        paths.ensure()
        setup_logging(log_file)
    except OSError as exc:
        unusable = from_os_error(exc, paths.database)
        if unusable is not None:
            print(f"jobdesk: {unusable}", file=sys.stderr)
            return EXIT_UNUSABLE
        print(f"jobdesk: cannot use data dir {paths.data_dir}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    ctx = Context(paths=paths)
    try:
        if args.command is None:
            from desktop.launch import launch_gui

            return launch_gui(args, paths)
        code: int = args.handler(args, ctx)
        return code
    except (InvalidJob, FieldError, UsageError) as exc:
        print(f"jobdesk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        unusable = classify(exc, paths.database)
        if unusable is not None:
            # A full disk has no room for the log either; the message says it all.
            if not isinstance(unusable, DiskFull):
                log.warning("command %s: %s", args.command, unusable, exc_info=exc)
            print(f"jobdesk: {unusable}", file=sys.stderr)
            return EXIT_UNUSABLE
        log.exception("unexpected error in command %s", args.command)
        print(
            f"jobdesk: unexpected error ({type(exc).__name__}); details in {log_file}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    finally:
        ctx.close()


def gui_main() -> int:
    """The ``jobdesk-gui`` entry point: ``main`` for a launcher with no console.

    pythonw (what a Windows gui-script runs) has no stdout or stderr at all, so the
    first message printed would raise; it goes nowhere instead, as in any windowed app.
    """
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    return main()
