"""Build the JobDesk desktop app for this OS with PyInstaller (see packaging/README.md).

    python3 packaging/build.py             # dist/jobdesk/ (dist/JobDesk.app on macOS)
    python3 packaging/build.py --onefile   # dist/jobdesk-portable, one self-extracting file
    python3 packaging/build.py --appdir    # Linux: also dist/JobDesk.AppDir for appimagetool
    python3 packaging/build.py --if-stale  # keep a build newer than every source file

It runs PyInstaller from the project's ``.venv``, creating the venv and installing the
locked dependencies (``pip install --require-hashes -r requirements.lock``, then
``pip install --no-deps -e .``) when PyInstaller is missing, as ``make`` does.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "packaging" / "jobdesk.spec"
DIST = REPO / "dist"
WORK = REPO / "build" / "pyinstaller"
#: Where the spec draws the icons (its work dir is WORK / the spec's name).
ICONS = WORK / "jobdesk" / "icons"
#: What the bundle is made from: a file here newer than the build makes it stale.
SOURCES = ("desktop", "resources", "packaging/jobdesk.spec", "packaging/icons.py",
           "pyproject.toml", "requirements.lock")
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""


def venv_python() -> Path:
    """The interpreter to build with: this one inside a venv, else the project's .venv."""
    if sys.prefix != sys.base_prefix:
        return Path(sys.executable)
    bin_dir = "Scripts" if sys.platform == "win32" else "bin"
    return REPO / ".venv" / bin_dir / f"python{EXE_SUFFIX}"


def ensure_pyinstaller(python: Path) -> None:
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(REPO / ".venv")], check=True)
    probe = subprocess.run([str(python), "-c", "import PyInstaller"], capture_output=True,
                           check=False)
    if probe.returncode != 0:
        print("Installing PyInstaller: pip install --require-hashes -r requirements.lock",
              flush=True)
        for argv in (["--require-hashes", "-r", "requirements.lock"], ["--no-deps", "-e", "."]):
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", *argv],
                           cwd=REPO, check=True)


def output(onefile: bool) -> Path:
    """The build's product: the portable file, the .app, or the folder."""
    if onefile:
        return DIST / f"jobdesk-portable{EXE_SUFFIX}"
    if sys.platform == "darwin":
        return DIST / "JobDesk.app"
    return DIST / "jobdesk"


def executable(name: str = "jobdesk") -> Path:
    """A program of the one-folder build (``jobdesk`` or ``jobdesk-cli``)."""
    if sys.platform == "darwin":
        return DIST / "JobDesk.app" / "Contents" / "MacOS" / name
    return DIST / "jobdesk" / f"{name}{EXE_SUFFIX}"


def newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        root = REPO / name
        files = [root] if root.is_file() else root.rglob("*")
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                newest = max(newest, path.stat().st_mtime)
    return newest


def is_fresh(onefile: bool = False) -> bool:
    product = output(onefile) if onefile else executable()
    return product.exists() and product.stat().st_mtime > newest_source()


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    # Symlinks (macOS frameworks, the AppDir) would count their targets twice.
    return sum(p.stat().st_size for p in path.rglob("*")
               if p.is_file() and not p.is_symlink()) / 1e6


def run_pyinstaller(python: Path, onefile: bool) -> None:
    command = [str(python), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)]
    if onefile:
        command += ["--", "--onefile"]
    subprocess.run(command, cwd=REPO, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the JobDesk desktop app.")
    parser.add_argument("--onefile", action="store_true",
                        help="build the one-file portable app instead of the folder")
    parser.add_argument("--appdir", action="store_true",
                        help="Linux: lay the folder out as an AppImage AppDir too")
    parser.add_argument("--if-stale", action="store_true",
                        help="skip PyInstaller when the build is newer than every source")
    args = parser.parse_args(argv)
    if args.appdir and (args.onefile or not sys.platform.startswith("linux")):
        parser.error("--appdir is for the one-folder build on Linux")
    if args.onefile and sys.platform == "darwin":
        # PyInstaller is retiring windowed one-file programs on macOS.
        parser.error("--onefile is for Linux and Windows; on macOS, JobDesk.app is the "
                     "portable form")

    started = time.perf_counter()
    if args.if_stale and is_fresh(args.onefile):
        print(f"Up to date: {output(args.onefile)}")
    else:
        python = venv_python()
        ensure_pyinstaller(python)
        run_pyinstaller(python, args.onefile)
        print(f"Built {output(args.onefile)} in {time.perf_counter() - started:.0f} s")
    product = output(args.onefile)
    print(f"  {product}: {size_mb(product):.0f} MB")
    if args.appdir:
        # A sibling module: this folder is no package, so it never hides PyPI's
        # `packaging`, and a script's own folder is first on sys.path.
        from appdir import make_appdir

        appdir = make_appdir(DIST / "jobdesk", ICONS, DIST / "JobDesk.AppDir")
        print(f"  {appdir}: ready for `appimagetool {appdir.relative_to(REPO)}`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

