"""The Linux desktop entry passes the freedesktop validator, as appimagetool requires
(it refuses an AppDir whose entry has errors)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ENTRY = Path(__file__).resolve().parents[2] / "resources" / "jobdesk.desktop"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate is not installed (Debian: desktop-file-utils)")
def test_the_desktop_entry_validates() -> None:
    result = subprocess.run(["desktop-file-validate", str(ENTRY)], capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout
