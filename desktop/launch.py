"""Starting the desktop app from the command line.

``jobdesk`` opens the window on the configured CRM, or the demo when no CRM is
configured yet. With no display at all it runs the demo offscreen instead: sync from
the demo server, save a screenshot, print what happened, and exit 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from desktop.config import Paths, Settings

HEADLESS_COMMANDS = "jobs, customers, sync, conflicts, status, login, config, db, emulator"
EXIT_USAGE = 2


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return bool(
        platform.startswith("offscreen")
        or os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
    )


def launch_gui(args: argparse.Namespace, paths: Paths) -> int:
    from desktop.ui.jobs.presets import preset_by_name

    preset = None
    if args.view:
        try:
            preset = preset_by_name(args.view).key
        except ValueError as exc:
            print(f"jobdesk: --view: {exc}", file=sys.stderr)
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
                             screenshot=shot, preset=preset, summary=headless))
