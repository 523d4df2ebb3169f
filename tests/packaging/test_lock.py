"""requirements.lock, what ``make``, CI and the PyInstaller build install from, still
pins a version that pyproject.toml allows for every dependency, each with hashes.

``make`` installs the project itself with ``--no-deps``, so a dependency added to
pyproject.toml but not to the lock would be missing at run time, not reported;
this test says so first, and ``make lock`` is the fix.
"""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.packaging.scripts import REPO

#: The extras the lock is compiled with (see the Makefile's lock target).
LOCKED_EXTRAS = ("test", "package")
#: One pinned entry: its name, version and marker, up to its hashes.
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def declared() -> list[Requirement]:
    with (REPO / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    lines = list(project["dependencies"])
    for extra in LOCKED_EXTRAS:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def locked() -> dict[str, tuple[str, int]]:
    """Each pinned name: its version and how many hashes follow it."""
    pins: dict[str, tuple[str, int]] = {}
    current = ""
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        pin = PIN.match(line)
        if pin:
            current = canonicalize_name(pin[1])
            pins[current] = (pin[2], 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def test_every_dependency_is_pinned_in_range_with_hashes() -> None:
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock: run make lock"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside {requirement}: run make lock")
        assert hashes >= 1, f"{name} has no hash in requirements.lock"


def test_the_lock_keeps_the_upper_bounds_pyproject_sets() -> None:
    bounded = {canonicalize_name(r.name): r for r in declared()
               if any(spec.operator in ("<", "<=", "~=", "==") for spec in r.specifier)}
    assert {"pyside6-essentials", "httpx"} <= bounded.keys()
