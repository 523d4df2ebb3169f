"""Starting the desktop app from the command line."""

from __future__ import annotations

import argparse
import os
import sys

from desktop.config import Paths

HEADLESS_COMMANDS = "jobs, customers, sync, conflicts, status, login, config, emulator"


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
    del args, paths
    if not has_display():
        print(
            "jobdesk: no display found; headless commands: "
            f"{HEADLESS_COMMANDS} (see `jobdesk --help`)"
        )
        return 0
    print("jobdesk: the desktop window is not available in this version yet; "
          f"headless commands: {HEADLESS_COMMANDS}")
    return 0
