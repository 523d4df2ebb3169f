"""The build scripts in ``packaging/`` as modules: they are programs, not a package
(a package named ``packaging`` would hide the PyPI one that pip and pytest import)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def load_script(name: str) -> ModuleType:
    """``packaging/<name>.py``, imported."""
    spec = importlib.util.spec_from_file_location(f"jobdesk_{name}",
                                                  REPO / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
