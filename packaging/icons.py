"""The app icon in every size and container the platforms ask for, drawn from the one SVG.

Run as ``python packaging/icons.py OUT_DIR``: writes ``jobdesk-<size>.png`` for each
size, ``jobdesk.ico`` (Windows) and ``jobdesk.icns`` (macOS). Both containers hold
PNG data, which Windows has read since Vista and macOS since 10.7, so no image
library beyond Qt is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

SVG = Path(__file__).resolve().parents[1] / "resources" / "jobdesk.svg"

#: Sizes the freedesktop hicolor theme has directories for (16 to 512).
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: Windows picks from these (256 is the largest an .ico entry can hold).
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: macOS icon types that hold PNG data, with the pixel size of each.
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
    (b"ic09", 512), (b"ic10", 1024),
    # The @2x variants for Retina screens.
    (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)
ALL_SIZES = tuple(sorted({*HICOLOR_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)}))


def render_pngs(svg: Path, sizes: tuple[int, ...]) -> dict[int, bytes]:
    """The SVG drawn at each size, as PNG bytes (needs a QGuiApplication)."""
    # Imported here: build.py reads this module's sizes from outside the venv, where
    # Qt may not be installed.
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not an SVG Qt can draw")
    pngs = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        pngs[size] = bytes(data.data())
    return pngs


def ico(pngs: dict[int, bytes]) -> bytes:
    """An .ico file: a directory of 16-byte entries, then the images (width 0 means 256)."""
    sizes = sorted(pngs)
    offset = 6 + 16 * len(sizes)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    entries, images = [], []
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        images.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(images)


def icns(pngs: dict[int, bytes]) -> bytes:
    """An .icns file: big-endian (type, length) chunks, lengths counting their 8-byte header."""
    chunks = b"".join(struct.pack(">4sI", kind, 8 + len(pngs[size])) + pngs[size]
                      for kind, size in ICNS_TYPES)
    return struct.pack(">4sI", b"icns", 8 + len(chunks)) + chunks


def png_name(size: int) -> str:
    return f"jobdesk-{size}.png"


def generate(out_dir: Path, svg: Path = SVG) -> None:
    pngs = render_pngs(svg, ALL_SIZES)
    out_dir.mkdir(parents=True, exist_ok=True)
    for size in HICOLOR_SIZES:
        (out_dir / png_name(size)).write_bytes(pngs[size])
    (out_dir / "jobdesk.ico").write_bytes(ico({s: pngs[s] for s in ICO_SIZES}))
    (out_dir / "jobdesk.icns").write_bytes(icns(pngs))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: icons.py OUT_DIR", file=sys.stderr)
        return 2
    # Drawing needs a QGuiApplication, and that needs no screen on the offscreen platform.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication([])  # drawing needs one, alive until the end
    generate(Path(argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
