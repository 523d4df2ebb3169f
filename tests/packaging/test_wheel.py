"""JobDesk installed from its wheel, as ``pip install`` gives it to a user: the
window gets its stylesheet and icons from the installed package, and a resource
missing from an install is an error that names the file.

The wheel is built from a copy of the files a build reads, installed with
``--no-deps`` into a fresh venv, and run with this venv's site-packages on
``PYTHONPATH`` for the dependencies only: that folder holds no ``desktop`` package
(the editable install's import hook lives in a ``.pth`` file, which Python reads
only in site folders, never on ``PYTHONPATH``), and nothing run here can see the
checkout, so the ``desktop`` imported is the wheel's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from desktop import __version__
from tests.packaging.scripts import REPO

pytestmark = pytest.mark.slow

#: What a wheel build reads from the checkout (pyproject's readme and license-files).
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "desktop", "resources")
STEP_TIMEOUT_S = 120

#: Run inside the installed venv with the icon names as arguments: the theme applied
#: to a real QApplication, then what the window would get from it, as JSON.
PROBE = """
import json, sys
from PySide6.QtWidgets import QApplication
import desktop
from desktop.ui import theme

app = QApplication(sys.argv[:1])
theme.apply_theme(app)
print(json.dumps({
    "desktop": desktop.__file__,
    "stylesheet": app.styleSheet(),
    "app_icon_sizes": len(theme.app_icon().availableSizes()),
    "icons": {name: not theme.icon(name).isNull() for name in sys.argv[1:]},
}))
"""


@dataclass(frozen=True)
class Installed:
    wheel: Path
    python: Path
    env: dict[str, str]
    cwd: Path

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(argv), capture_output=True, text=True, env=self.env,
                              cwd=self.cwd, timeout=STEP_TIMEOUT_S, check=False)

    @property
    def site_packages(self) -> Path:
        found = self.run(str(self.python), "-c",
                         "import sysconfig; print(sysconfig.get_path('purelib'))")
        return Path(found.stdout.strip())


def build_wheel(into: Path) -> Path:
    source = into / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in BUILD_INPUTS:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    # No build isolation: the lock installs setuptools, so the build needs no network.
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(into / "dist"), str(source)],
        capture_output=True, text=True, timeout=STEP_TIMEOUT_S, check=False)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [wheel] = (into / "dist").glob("jobdesk-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(root)
    target = root / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=STEP_TIMEOUT_S, check=False)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    dependencies = sysconfig.get_path("purelib")
    assert not (Path(dependencies) / "desktop").exists()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JOBDESK_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"PYTHONPATH": dependencies, "QT_QPA_PLATFORM": "offscreen",
            "JOBDESK_DATA_DIR": str(root / "data")}
    cwd = root / "elsewhere"
    cwd.mkdir()
    yield Installed(wheel=wheel, python=python, env=env, cwd=cwd)


def source_icons() -> list[str]:
    return sorted(path.stem for path in (REPO / "resources" / "icons").glob("*.svg"))


def test_the_wheel_carries_the_resources_the_license_and_both_scripts(
        installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read(f"jobdesk-{__version__}.dist-info/entry_points.txt").decode()
    resources = {name.removeprefix("desktop/_resources/") for name in names
                 if name.startswith("desktop/_resources/")}
    icons = {f"icons/{name}.svg" for name in source_icons()}
    assert {"__init__.py", "style.qss", "jobdesk.svg", "jobdesk.desktop"} | icons == resources
    assert f"jobdesk-{__version__}.dist-info/licenses/LICENSE" in names
    assert "[console_scripts]\njobdesk = desktop.cli:main" in entry_points
    assert "[gui_scripts]\njobdesk-gui = desktop.cli:gui_main" in entry_points


def test_the_installed_app_themes_the_window_from_the_wheel(installed: Installed) -> None:
    probe = installed.run(str(installed.python), "-P", "-c", PROBE, *source_icons())
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert Path(seen["desktop"]).is_relative_to(installed.site_packages)
    # The sheet as applied: read from the wheel, its placeholders filled in.
    assert "QFrame#banner" in seen["stylesheet"] and "@banner" not in seen["stylesheet"]
    assert seen["app_icon_sizes"] >= 4
    assert seen["icons"] == dict.fromkeys(source_icons(), True)


def test_the_installed_gui_script_renders_the_window(installed: Installed) -> None:
    shot = installed.cwd / "window.png"
    result = installed.run(str(installed.python.parent / "jobdesk-gui"), "--demo",
                           "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1366, 768)  # a laptop screen, by default
    colours = {image.pixel(x, y) for x in range(0, 1366, 40) for y in range(0, 768, 30)}
    assert len(colours) > 20


def test_a_resource_missing_from_the_install_is_an_error_naming_it(
        installed: Installed) -> None:
    sheet = installed.site_packages / "desktop" / "_resources" / "style.qss"
    kept = sheet.read_bytes()
    sheet.unlink()
    try:
        probe = installed.run(str(installed.python), "-P", "-c", PROBE)
    finally:
        sheet.write_bytes(kept)
    assert probe.returncode != 0
    assert "ResourceMissing" in probe.stderr and "'style.qss'" in probe.stderr
