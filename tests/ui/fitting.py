"""Measuring whether the words of every shown button and label fit their width, with
the font's own metrics: what a user sees cut to "Co…te" shows up here by name."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QLabel,
    QRadioButton,
    QStyle,
    QToolButton,
    QWidget,
)

_TAG = re.compile(r"<[^>]+>")
#: Buttons Qt draws as an icon alone (a line edit's actions): their text is a tip.
ICON_ONLY = {"QLineEditIconButton"}


def _plain(text: str) -> str:
    # A mnemonic's & is not drawn; && is one &.
    return re.sub(r"&(.)", r"\1", _TAG.sub("", text)).replace("&nbsp;", " ")


def _draws_no_text(button: QAbstractButton) -> bool:
    """A tool button shown as its icon or arrow alone: its text is for the tooltip."""
    return (isinstance(button, QToolButton)
            and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
            and (not button.icon().isNull() or button.arrowType() != Qt.ArrowType.NoArrow))


def settle_layouts() -> None:
    """Apply the layout changes Qt has queued (a new job's text resizes its labels)."""
    for _ in range(5):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def _button_needs(button: QAbstractButton) -> int:
    metrics = button.fontMetrics()
    needs = metrics.horizontalAdvance(_plain(button.text()))
    text_only = (isinstance(button, QToolButton)
                 and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextOnly)
    if not button.icon().isNull() and not text_only:
        needs += button.iconSize().width() + 4
    if isinstance(button, QCheckBox | QRadioButton):
        style = button.style()
        needs += (style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, button)
                  + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, button))
    return needs


def _label_needs(label: QLabel) -> int:
    metrics = label.fontMetrics()
    text = _plain(label.text())
    if label.wordWrap():
        # A wrapped label fits when its longest word does.
        return max((metrics.horizontalAdvance(w) for w in text.split()), default=0)
    return max((metrics.horizontalAdvance(line) for line in text.splitlines()), default=0)


def cut_words(top: QWidget) -> list[str]:
    """Each shown button or label in ``top`` whose text is wider than its room."""
    settle_layouts()
    cut = []
    for widget in top.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if widget.metaObject().className() in ICON_ONLY:
            continue
        if isinstance(widget, QAbstractButton):
            if _draws_no_text(widget):
                continue
            needs, text = _button_needs(widget), widget.text()
        elif isinstance(widget, QLabel) and widget.pixmap().isNull():
            needs, text = _label_needs(widget), widget.text()
        else:
            continue
        room = widget.contentsRect().width()
        if text and needs > room:
            cut.append(f"{type(widget).__name__} {_plain(text)[:40]!r}: needs {needs} px, "
                       f"has {room}")
    return cut
