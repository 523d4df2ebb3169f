"""Where things sit on the schedule grid, in the grid viewport's pixels.

A header of column titles and the all-day band stay fixed at the top; below them
the timeline runs from 00:00 to 24:00 and scrolls. The hour height stretches so
that working hours fill the visible timeline, but never shrinks below
``MIN_HOUR_PX``, so a short window scrolls instead of crushing the jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from PySide6.QtCore import QRectF

from desktop.core.schedule import DAY_MINUTES, WORK_END, WORK_START, Placement

GUTTER = 56
MIN_HOUR_PX = 40.0
BAND_PAD = 4
#: Rows of jobs without times before a day's cells split into narrower columns.
MAX_ALL_DAY_ROWS = 3


@dataclass(frozen=True)
class GridGeometry:
    """The grid's measures for one size, scroll position and band height; each is
    worked out once, on first use (a paint asks for them thousands of times)."""

    width: int
    height: int
    columns: int
    line_height: int
    all_day_rows: int
    #: The scroll position: pixels of timeline above the visible part.
    scroll: int = 0

    @cached_property
    def header_height(self) -> int:
        return 2 * self.line_height + 12

    @cached_property
    def chip_height(self) -> int:
        return self.line_height + 6

    @cached_property
    def band_top(self) -> int:
        return self.header_height

    @cached_property
    def timeline_top(self) -> int:
        return self.header_height + self.all_day_rows * self.chip_height + 2 * BAND_PAD

    @cached_property
    def timeline_height(self) -> int:
        """How much of the timeline is visible."""
        return max(0, self.height - self.timeline_top)

    @cached_property
    def hour_px(self) -> float:
        working_hours = (WORK_END - WORK_START) / 60
        return max(MIN_HOUR_PX, self.timeline_height / working_hours)

    @cached_property
    def content_height(self) -> int:
        """The whole day's timeline, in pixels."""
        return round(DAY_MINUTES * self.hour_px / 60)

    @cached_property
    def column_width(self) -> float:
        return max(1.0, (self.width - GUTTER) / max(1, self.columns))

    def column_x(self, column: int) -> float:
        return GUTTER + column * self.column_width

    def column_at(self, x: float) -> int | None:
        if x < GUTTER or self.columns == 0:
            return None
        column = int((x - GUTTER) // self.column_width)
        return column if column < self.columns else None

    def y_of(self, minutes: float) -> float:
        return self.timeline_top + minutes * self.hour_px / 60 - self.scroll

    def minutes_at(self, y: float) -> float:
        return (y - self.timeline_top + self.scroll) * 60 / self.hour_px

    def scroll_for(self, minutes: float) -> int:
        """The scroll position that puts ``minutes`` at the top of the timeline."""
        return round(minutes * self.hour_px / 60)

    def in_band(self, y: float) -> bool:
        return self.band_top <= y < self.timeline_top

    def in_timeline(self, y: float) -> bool:
        return self.timeline_top <= y < self.height

    def rect(self, placement: Placement) -> QRectF:
        """A job's rectangle, a pixel clear of its neighbours on every side."""
        # Called for every job of a week when the grid changes size: kept to plain
        # arithmetic on values worked out once.
        column_width = self.column_width
        width = column_width / placement.slots
        left = GUTTER + placement.column * column_width + placement.slot * width + 1
        if placement.start is None:
            top: float = self.band_top + BAND_PAD + placement.row * self.chip_height
            return QRectF(left, top + 1, max(1.0, width - 2), self.chip_height - 2)
        assert placement.end is not None
        scale = self.hour_px / 60
        top = self.timeline_top - self.scroll + placement.start * scale
        height = (placement.end - placement.start) * scale
        return QRectF(left, top + 1, max(1.0, width - 2), max(2.0, height - 2))
