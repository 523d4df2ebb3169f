"""The app icon files the build draws from resources/jobdesk.svg: read back the way
Windows and macOS read them, since neither can be built here."""

from __future__ import annotations

import struct
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.packaging.scripts import load_script


@pytest.fixture(scope="module")
def icons() -> ModuleType:
    return load_script("icons")


@pytest.fixture
def drawn(icons: ModuleType, qapp: QApplication, tmp_path: Path) -> Path:
    icons.generate(tmp_path)
    return tmp_path


def image(data: bytes) -> QImage:
    loaded = QImage.fromData(data)
    assert not loaded.isNull()
    return loaded


def test_ico_directory_points_at_a_png_of_each_size(icons: ModuleType, drawn: Path) -> None:
    data = (drawn / "jobdesk.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(icons.ICO_SIZES))
    sizes = []
    for index in range(count):
        width, height, _colours, _zero, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index)
        side = width or 256
        assert (height or 256, planes, bits) == (side, 1, 32)
        png = image(data[offset:offset + length])
        assert (png.width(), png.height()) == (side, side)
        sizes.append(side)
    assert sizes == sorted(icons.ICO_SIZES)
    assert offset + length == len(data)


def test_icns_chunks_hold_pngs_of_their_type_size(icons: ModuleType, drawn: Path) -> None:
    data = (drawn / "jobdesk.icns").read_bytes()
    magic, total = struct.unpack_from(">4sI", data)
    assert (magic, total) == (b"icns", len(data))
    found, position = {}, 8
    while position < total:
        kind, length = struct.unpack_from(">4sI", data, position)
        found[kind] = image(data[position + 8:position + length])
        position += length
    assert position == total
    assert {kind: (png.width(), png.height()) for kind, png in found.items()} == {
        kind: (size, size) for kind, size in icons.ICNS_TYPES}


def test_hicolor_pngs_are_the_svg_drawn_at_each_size(icons: ModuleType, drawn: Path) -> None:
    for size in icons.HICOLOR_SIZES:
        png = QImage(str(drawn / icons.png_name(size)))
        assert (png.width(), png.height()) == (size, size)
        # The rounded square's corner is transparent, its middle the opaque icon.
        assert png.pixelColor(0, 0).alpha() == 0
        assert png.pixelColor(size // 2, size // 2).alpha() == 255
