"""Starting the desktop app from the command line.

``jobdesk`` opens the window on the configured CRM, or the demo when no CRM is
configured yet. With no display at all it runs the demo offscreen instead: sync from
the demo server, save a screenshot, print what happened, and exit 0.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from desktop.config import Paths, Settings

HEADLESS_COMMANDS = "jobs, customers, sync, conflicts, status, login, config, db, emulator"
EXIT_USAGE = 2
#: The window sizes a screenshot may ask for, in logical pixels.
MIN_SIZE = (640, 480)
MAX_SIDE = 7680


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return bool(
        platform.startswith("offscreen")
        or os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
    )


def parse_size(text: str) -> tuple[int, int]:
    """``1366x768`` as (width, height); ValueError naming the problem."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if match is None:
        raise ValueError(f"expected WIDTHxHEIGHT such as 1366x768, got {text!r}")
    width, height = int(match[1]), int(match[2])
    if not (MIN_SIZE[0] <= width <= MAX_SIDE and MIN_SIZE[1] <= height <= MAX_SIDE):
        raise ValueError(f"{width}x{height} is out of range: from {MIN_SIZE[0]}x{MIN_SIZE[1]} "
                         f"to {MAX_SIDE}x{MAX_SIDE}")
    return width, height


def launch_gui(args: argparse.Namespace, paths: Paths) -> int:
    from desktop.ui.jobs.presets import preset_by_name

    preset = None
    if args.view:
        try:
            preset = preset_by_name(args.view).key
        except ValueError as exc:
            print(f"jobdesk: --view: {exc}", file=sys.stderr)
            return EXIT_USAGE
    size = None
    if args.size:
        try:
            size = parse_size(args.size)
        except ValueError as exc:
            print(f"jobdesk: --size: {exc}", file=sys.stderr)
            return EXIT_USAGE
    configured = bool(Settings.load(paths).effective_server_url())
    shot = Path(args.screenshot).expanduser().resolve() if args.screenshot else None
    headless = not has_display()
    if headless and shot is None:
        shot = paths.data_dir / "demo-screenshot.png"
        print("jobdesk: no display found, so here is the demo, run offscreen. "
              f"Headless commands: {HEADLESS_COMMANDS} (see `jobdesk --help`).")
    if shot is not None:
        # Set before Qt starts: the window is drawn into memory, never on a screen.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from desktop.ui.app import LaunchOptions, run

    return run(LaunchOptions(paths=paths, demo=args.demo or not configured or headless,
                             screenshot=shot, preset=preset, summary=headless,
                             page=args.page, size=size))
