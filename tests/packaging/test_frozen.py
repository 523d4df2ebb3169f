"""The packaged app runs as users get it: the PyInstaller one-folder build (and its
AppDir) answers ``--version``, runs headless commands on a fresh data dir against a
CRM, and renders its window offscreen.

The build comes from ``packaging/build.py --if-stale``: a build newer than every
source is reused, anything older is rebuilt (about a minute on two cores).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtGui import QImage

from desktop import __version__
from desktop.emulator import Emulator
from tests.packaging.scripts import REPO, load_script

pytest.importorskip("PyInstaller", reason="PyInstaller is not installed; "
                    "pip install -e '.[package]' to build and test the packaged app")

BUILD_TIMEOUT_S = 900
RUN_TIMEOUT_S = 120
#: Whichever test comes first builds, then runs up to five programs, each under its own
#: limit; pytest's own must not cut in before those report what went wrong.
TEST_TIMEOUT_S = BUILD_TIMEOUT_S + 5 * RUN_TIMEOUT_S

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"),
                       reason="the smoke test runs the Linux build"),
    pytest.mark.timeout(TEST_TIMEOUT_S),
]


@pytest.fixture(scope="module")
def build() -> ModuleType:
    result = subprocess.run(
        [sys.executable, str(REPO / "packaging" / "build.py"), "--if-stale", "--appdir"],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return load_script("build")


def run(program: Path, *argv: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    # The packaged app must not lean on this checkout or this venv.
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("JOBDESK_", "PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run([str(program), *argv], capture_output=True, text=True,
                          env=clean | (env or {}), timeout=RUN_TIMEOUT_S, check=False,
                          cwd=program.parent)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(jobs=40, customers=8, seed=5) as emu:
        yield emu


def test_both_programs_and_the_appdir_answer_version(build: ModuleType) -> None:
    for program in (build.executable("jobdesk"), build.executable("jobdesk-cli"),
                    build.DIST / "JobDesk.AppDir" / "AppRun"):
        result = run(program, "--version")
        assert (result.returncode, result.stdout.strip()) == (0, f"jobdesk {__version__}"), \
            f"{program}: {result.stderr}"


def test_the_appdir_has_its_desktop_entry_and_icons(build: ModuleType) -> None:
    appdir = build.DIST / "JobDesk.AppDir"
    entry = (appdir / "jobdesk.desktop").read_text(encoding="utf-8")
    assert "Exec=jobdesk" in entry and "Icon=jobdesk" in entry
    assert QImage(str(appdir / "jobdesk.png")).width() == 256
    hicolor = appdir / "usr" / "share" / "icons" / "hicolor"
    for size in (16, 32, 48, 128, 256, 512):
        icon = QImage(str(hicolor / f"{size}x{size}" / "apps" / "jobdesk.png"))
        assert (icon.width(), icon.height()) == (size, size)
    assert (hicolor / "scalable" / "apps" / "jobdesk.svg").exists()


def test_the_bundle_holds_only_the_qt_it_uses(build: ModuleType) -> None:
    internal = build.executable().parent / "_internal"
    names = {path.name for path in internal.rglob("*")}
    for unwanted in ("libQt6Qml.so.6", "libQt6Quick.so.6", "libQt6WebEngineCore.so.6",
                     "libQt6Pdf.so.6", "QtQml.abi3.so", "PyQt5", "PyQt6", "PySide2",
                     "_tkinter.cpython-311-x86_64-linux-gnu.so", "qmltooling"):
        assert unwanted not in names
    assert {"libQt6Widgets.so.6", "QtSvg.abi3.so", "libqxcb.so", "libqsvgicon.so"} <= names
    assert not (internal / "PySide6" / "Qt" / "translations").exists()
    # The app's files where a wheel puts them, and only those a wheel ships.
    shipped = internal / "desktop" / "_resources"
    assert {"style.qss", "jobdesk.svg", "sync.svg"} <= {p.name for p in shipped.rglob("*")}
    assert not {"openapi.yaml", "screenshot.png"} & names


def test_headless_commands_sync_add_and_list_on_a_fresh_data_dir(
        build: ModuleType, emulator: Emulator, tmp_path: Path) -> None:
    cli = build.executable("jobdesk-cli")
    data = ["--data-dir", str(tmp_path / "data")]
    crm = {"JOBDESK_SERVER_URL": emulator.url, "JOBDESK_API_KEY": emulator.api_key}

    synced = run(cli, *data, "sync", "--json", env=crm)
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)
    assert report["status"] == "ok"
    assert report["pulled"] == len(emulator.all_jobs(include_deleted=False))

    customers = json.loads(run(cli, *data, "customers", "list", "--json").stdout)
    customer = customers[0]["uuid"]
    added = run(cli, *data, "jobs", "add", "--customer", customer, "--title",
                "Boiler service, packaged build", "--set", "priority=High", "--json")
    assert added.returncode == 0, added.stderr
    listed = run(cli, *data, "jobs", "list", "--search", "packaged build", "--json")
    assert listed.returncode == 0, listed.stderr
    [job] = json.loads(listed.stdout)
    assert (job["title"], job["priority"], job["sync_state"]) == (
        "Boiler service, packaged build", "High", "pending")
    assert job["local_id"] == json.loads(added.stdout)["local_id"]

    refused = run(cli, *data, "jobs", "add", "--customer", customer, "--title", "")
    assert refused.returncode == 2 and "title" in refused.stderr
    assert (tmp_path / "data" / "logs" / "jobdesk-cli.log").exists()


def test_the_window_renders_offscreen_to_a_real_image(build: ModuleType,
                                                      tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    result = run(build.executable("jobdesk"), "--data-dir", str(tmp_path / "data"),
                 "--demo", "--screenshot", str(shot), env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert f"Screenshot: {shot}" in result.stdout
    assert "Traceback" not in result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1366, 768)  # a laptop screen, by default
    assert shot.stat().st_size > 50_000
    # A window with its list drawn, not a blank or one-colour frame.
    colours = {image.pixel(x, y) for x in range(0, 1366, 40) for y in range(0, 768, 30)}
    assert len(colours) > 20
