"""`jobdesk emulator`: serve the demo Custom Trades CRM API on loopback until Ctrl+C."""

from __future__ import annotations

import argparse

from desktop.cli.context import Context, UsageError

DEFAULT_PORT = 8765
DEFAULT_JOBS = 500


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "emulator",
        help="serve a local demo CRM API (for demos and testing)",
        description="Serve a seeded demo company over the Custom Trades CRM API v1 on "
        "127.0.0.1, printing its URL and API key, until interrupted with Ctrl+C.",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--jobs", type=int, default=DEFAULT_JOBS,
        help=f"number of demo jobs (default {DEFAULT_JOBS})",
    )
    parser.add_argument(
        "--api-key", metavar="KEY", help="accept this API key (default: generate one)"
    )
    parser.add_argument("--seed", type=int, default=1, help="demo data seed (default 1)")
    parser.set_defaults(handler=handler)


def handler(args: argparse.Namespace, ctx: Context) -> int:
    del ctx  # the emulator keeps nothing on disk
    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    if args.jobs < 0:
        raise UsageError("--jobs cannot be negative")
    # Imported here so other commands do not pay for loading the emulator.
    from desktop.emulator import run_standalone

    return run_standalone(port=args.port, jobs=args.jobs, api_key=args.api_key, seed=args.seed)
