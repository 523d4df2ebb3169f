"""The Linux one-folder build laid out as an AppDir, ready for ``appimagetool``.

    JobDesk.AppDir/
      AppRun -> usr/bin/jobdesk          what the AppImage runs
      jobdesk.desktop, jobdesk.png       what appimagetool and desktops read at the root
      .DirIcon -> jobdesk.png
      usr/bin/jobdesk, jobdesk-cli       -> ../lib/jobdesk/...
      usr/lib/jobdesk/                   the PyInstaller folder
      usr/share/applications/jobdesk.desktop
      usr/share/icons/hicolor/<N>x<N>/apps/jobdesk.png, scalable/apps/jobdesk.svg

``usr/`` is also a plain install tree: copied into ``~/.local`` or ``/usr/local`` it
puts the commands on the PATH and the app in the desktop's menu.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from icons import HICOLOR_SIZES, png_name

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
PROGRAMS = ("jobdesk", "jobdesk-cli")
ROOT_ICON_SIZE = 256


def make_appdir(folder: Path, icons: Path, appdir: Path) -> Path:
    """Lay out ``appdir`` from the one-folder build ``folder`` and the drawn ``icons``."""
    if appdir.exists():
        shutil.rmtree(appdir)
    usr = appdir / "usr"
    shutil.copytree(folder, usr / "lib" / "jobdesk", symlinks=True)
    (usr / "bin").mkdir(parents=True)
    for program in PROGRAMS:
        (usr / "bin" / program).symlink_to(Path("..") / "lib" / "jobdesk" / program)
    (appdir / "AppRun").symlink_to(Path("usr") / "bin" / "jobdesk")

    desktop_entry = RESOURCES / "jobdesk.desktop"
    applications = usr / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copy2(desktop_entry, applications / desktop_entry.name)
    shutil.copy2(desktop_entry, appdir / desktop_entry.name)

    hicolor = usr / "share" / "icons" / "hicolor"
    for size in HICOLOR_SIZES:
        target = hicolor / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copy2(icons / png_name(size), target / "jobdesk.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(RESOURCES / "jobdesk.svg", hicolor / "scalable" / "apps" / "jobdesk.svg")
    shutil.copy2(icons / png_name(ROOT_ICON_SIZE), appdir / "jobdesk.png")
    (appdir / ".DirIcon").symlink_to("jobdesk.png")
    return appdir
