"""The list a "+N more" opens, on the timeline and the team week alike: every job it
stands for, with its time and any double booking, to open one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu, QWidget

from desktop.core.schedule import ScheduleItem
from desktop.ui.formatting import Technicians
from desktop.ui.schedule.text import block_title, time_text, tooltip


def jobs_menu(parent: QWidget, items: Sequence[ScheduleItem], where: QPoint, *,
              clashing: Callable[[int], list[ScheduleItem]], names: Technicians,
              opened: Callable[[int], None]) -> QMenu:
    """Pop up the list of ``items``; choosing one calls ``opened`` with its local id."""
    menu = QMenu(parent)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    for item in items:
        others = clashing(item.local_id)
        text = (f"{time_text(item) or 'No set time'}  {item.job_number or '(new job)'}  "
                f"{block_title(item)}" + ("  · double-booked" if others else ""))
        action = menu.addAction(text)
        action.setToolTip(tooltip(item, others, names))
        action.triggered.connect(lambda _checked=False, n=item.local_id: opened(n))
    menu.setToolTipsVisible(True)
    menu.popup(where)
    return menu
