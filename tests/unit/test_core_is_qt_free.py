"""The core must stay plain Python: importable and testable with no Qt at all."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import desktop.core

CORE = Path(desktop.core.__file__).parent


def _core_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages([str(CORE)], prefix="desktop.core.")
    ]


def test_no_core_source_imports_qt() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in
                          ("PySide6", "PyQt5", "PyQt6", "shiboken6", "desktop")
                          and (n.split(".")[0] != "desktop" or n.startswith("desktop.ui"))]
    assert offenders == []


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = _core_modules()
    assert "desktop.core.store" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'PyQt5', 'PyQt6') or m.startswith('desktop.ui'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
