"""The app's own files (icons, stylesheet, desktop entry), read the same way from a
wheel, an editable install and a PyInstaller bundle.

The files live in the top-level ``resources/`` folder of the repository, which
pyproject.toml installs as the package ``desktop._resources``; they are read through
``importlib.resources`` so no code guesses where the package sits on disk. Qt-free:
the command line and the build scripts may read them too.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

PACKAGE = "desktop._resources"


class ResourceMissing(FileNotFoundError):
    """A file the app ships is not where the install should have put it.

    Raised instead of carrying on without it: a window with no stylesheet or icons
    looks broken, and a silent fallback hid exactly that in wheel installs once.
    """

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"JobDesk resource {name!r} is missing: {reason}. "
                         "Reinstall JobDesk; from a checkout, run `make` (an editable install).")
        self.name = name


def resource(name: str) -> Traversable:
    """The shipped file ``name`` (``/``-separated, e.g. ``"icons/sync.svg"``).

    Raises ``ResourceMissing`` when the resources package is not installed or the
    file is not in it.
    """
    try:
        found = resources.files(PACKAGE)
    except ModuleNotFoundError as exc:
        raise ResourceMissing(name, f"the package {PACKAGE} is not installed") from exc
    for part in name.split("/"):
        found = found / part
    if not found.is_file():
        raise ResourceMissing(name, f"no such file in {PACKAGE}")
    return found


def read_bytes(name: str) -> bytes:
    return resource(name).read_bytes()


def read_text(name: str) -> str:
    return resource(name).read_text(encoding="utf-8")
