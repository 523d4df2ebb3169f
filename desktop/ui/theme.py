"""Light and dark looks that follow the system, the app icon, and status colours.

Fusion is used everywhere but macOS so both palettes are ours and look the same on
every desktop; the stylesheet refers only to palette roles and a few accents, so one
sheet serves both schemes.
"""

from __future__ import annotations

import functools
import sys
import weakref
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QApplication

from desktop import resources
from desktop.core.jobs import Status


def _drawn(svg: bytes, sizes: tuple[int, ...]) -> QIcon:
    # Drawn from bytes: an installed resource need not be a file Qt can open by path.
    renderer = QSvgRenderer(QByteArray(svg))
    result = QIcon()
    for size in sizes:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result


def app_icon() -> QIcon:
    """The app icon; raises ``desktop.resources.ResourceMissing`` if it is not installed."""
    return _drawn(resources.read_bytes("jobdesk.svg"), (16, 24, 32, 48, 64, 128, 256))


#: Everything given a themed icon, so a switch of scheme can redraw it.
_ICONED: weakref.WeakKeyDictionary[QAction | QAbstractButton, str] = weakref.WeakKeyDictionary()


def icon(name: str) -> QIcon:
    """A line icon from ``resources/icons`` drawn in the palette's text colour; raises
    ``desktop.resources.ResourceMissing`` for a name that was not installed."""
    colour = QGuiApplication.palette().color(QPalette.ColorRole.ButtonText).name()
    svg = resources.read_bytes(f"icons/{name}.svg").replace(b"currentColor", colour.encode())
    return _drawn(svg, (16, 24, 32, 48))


def set_icon(target: QAction | QAbstractButton, name: str) -> None:
    target.setIcon(icon(name))
    _ICONED[target] = name


def _redraw_icons() -> None:
    for target, name in list(_ICONED.items()):
        # A Python wrapper can outlive its widget until the garbage collector runs.
        if shiboken6.isValid(target):
            target.setIcon(icon(name))
        else:
            del _ICONED[target]


def is_dark() -> bool:
    """The system's scheme; where style hints cannot tell, the current palette's."""
    hints = QGuiApplication.styleHints()
    if hints.colorScheme() == Qt.ColorScheme.Dark:
        return True
    if hints.colorScheme() == Qt.ColorScheme.Light:
        return False
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


@dataclass(frozen=True)
class Chip:
    background: QColor
    text: QColor


# (light background, deep text); a dark scheme swaps them so chips stay readable.
_STATUS_COLOURS: dict[str, tuple[str, str]] = {
    Status.NEW: ("#dbeafe", "#1e3a8a"),
    Status.CONTACTED: ("#cffafe", "#155e75"),
    Status.SCHEDULED: ("#e0e7ff", "#3730a3"),
    Status.IN_PROGRESS: ("#fef3c7", "#854d0e"),
    Status.NEEDS_APPROVAL: ("#ffedd5", "#9a3412"),
    Status.READY_TO_INVOICE: ("#ccfbf1", "#115e59"),
    Status.INVOICED: ("#ede9fe", "#5b21b6"),
    Status.COMPLETE: ("#dcfce7", "#166534"),
    Status.ESTIMATE_SENT: ("#fce7f3", "#9d174d"),
    Status.ESTIMATE_APPROVED: ("#ecfccb", "#3f6212"),
}
_UNKNOWN_STATUS = ("#e5e7eb", "#374151")


@functools.cache
def status_chip(status: str | None, dark: bool) -> Chip:
    light, deep = _STATUS_COLOURS.get(status or "", _UNKNOWN_STATUS)
    if dark:
        return Chip(QColor(deep).darker(115), QColor(light))
    return Chip(QColor(light), QColor(deep))


#: Text colours (on a light, on a dark background) for sync marks and alerts.
ACCENTS = {
    "pending": ("#b45309", "#fbbf24"),
    "conflict": ("#c2410c", "#fb923c"),
    "rejected": ("#b91c1c", "#f87171"),
    "danger": ("#b91c1c", "#f87171"),
    "ok": ("#15803d", "#4ade80"),
}


def accent(name: str, dark: bool | None = None) -> QColor:
    return _accent(name, dark_mode() if dark is None else dark)


@functools.cache
def _accent(name: str, dark: bool) -> QColor:
    on_light, on_dark = ACCENTS[name]
    return QColor(on_dark if dark else on_light)


def _palette(dark: bool) -> QPalette:
    palette = QPalette()
    if dark:
        colours = {
            QPalette.ColorRole.Window: "#1f2125",
            QPalette.ColorRole.WindowText: "#e6e6e6",
            QPalette.ColorRole.Base: "#17181b",
            QPalette.ColorRole.AlternateBase: "#1d1f23",
            QPalette.ColorRole.Text: "#e6e6e6",
            QPalette.ColorRole.Button: "#2a2d32",
            QPalette.ColorRole.ButtonText: "#e6e6e6",
            QPalette.ColorRole.Highlight: "#2f6fd0",
            QPalette.ColorRole.HighlightedText: "#ffffff",
            QPalette.ColorRole.ToolTipBase: "#2a2d32",
            QPalette.ColorRole.ToolTipText: "#e6e6e6",
            QPalette.ColorRole.PlaceholderText: "#8a8f98",
            QPalette.ColorRole.Link: "#6ea8ff",
            QPalette.ColorRole.Mid: "#3a3d43",
            QPalette.ColorRole.Midlight: "#33363c",
            QPalette.ColorRole.Dark: "#111214",
            QPalette.ColorRole.Light: "#3d4047",
            QPalette.ColorRole.Shadow: "#000000",
            QPalette.ColorRole.BrightText: "#ffffff",
        }
        disabled = "#6b7078"
    else:
        colours = {
            QPalette.ColorRole.Window: "#f3f4f6",
            QPalette.ColorRole.WindowText: "#1f2328",
            QPalette.ColorRole.Base: "#ffffff",
            QPalette.ColorRole.AlternateBase: "#f7f8fa",
            QPalette.ColorRole.Text: "#1f2328",
            QPalette.ColorRole.Button: "#f8f9fa",
            QPalette.ColorRole.ButtonText: "#1f2328",
            QPalette.ColorRole.Highlight: "#2f6fd0",
            QPalette.ColorRole.HighlightedText: "#ffffff",
            QPalette.ColorRole.ToolTipBase: "#ffffff",
            QPalette.ColorRole.ToolTipText: "#1f2328",
            QPalette.ColorRole.PlaceholderText: "#8a8f98",
            QPalette.ColorRole.Link: "#1d5fc4",
            QPalette.ColorRole.Mid: "#c9ccd1",
            QPalette.ColorRole.Midlight: "#e4e6e9",
            QPalette.ColorRole.Dark: "#9ca0a6",
            QPalette.ColorRole.Light: "#ffffff",
            QPalette.ColorRole.Shadow: "#6b7078",
            QPalette.ColorRole.BrightText: "#ffffff",
        }
        disabled = "#9ca0a6"
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return palette


def _stylesheet(dark: bool) -> str:
    sheet = resources.read_text("style.qss")
    for name in ACCENTS:
        sheet = sheet.replace(f"@{name}", accent(name, dark).name())
    return sheet.replace("@banner", "#3b3220" if dark else "#fff4d6")


def apply_theme(app: QApplication) -> None:
    """Style, palette and stylesheet for the system's current light or dark scheme."""
    if sys.platform != "darwin" and app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    dark = is_dark()
    app.setPalette(_palette(dark))
    app.setStyleSheet(_stylesheet(dark))
    app.setProperty("jobdesk_dark", dark)
    _redraw_icons()


def dark_mode() -> bool:
    """Whether the dark palette is in use (as ``apply_theme`` last decided)."""
    app = QApplication.instance()
    return bool(app.property("jobdesk_dark")) if app is not None else False


def follow_system_scheme(app: QApplication) -> None:
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
