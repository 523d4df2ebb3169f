"""``jobdesk`` started from a test, held at the gate until the test says go.

The app's imports and its QApplication take a second or more, and vary from run to
run; a launch held here has done them before it waits (``run`` reuses the
QApplication it finds), so launches cued together reach the single-instance check
at the same moment rather than whenever their start-up work ends.

Usage: ``python tests/ui/launch_on_cue.py [jobdesk arguments]``; it prints
``ready``, waits for a line on stdin, then runs ``jobdesk`` with those arguments.
"""

from __future__ import annotations

import sys

import desktop.launch
from desktop.cli import main
from desktop.ui.app import create_application

if __name__ == "__main__":
    assert desktop.launch  # imported for its cost, above
    app = create_application()
    print("ready", flush=True)
    sys.stdin.readline()
    sys.exit(main(sys.argv[1:]))
