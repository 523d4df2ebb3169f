"""The jobs placed on the grid, column by column, and their rectangles.

Placing a busy week's jobs side by side and working out thousands of rectangles
takes longer than painting them, so both are kept per column and redone only for
a column whose jobs changed (a drop touches two columns of seven) or when the
grid's size changes. Rectangles are also grouped by colour, so the painter fills
each colour's blocks in one call instead of one call per job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from PySide6.QtCore import QPointF, QRectF

from desktop.core.schedule import (
    More,
    Placement,
    ScheduleItem,
    arrange_column,
    cap_slots,
    clashes,
)
from desktop.ui.schedule.geometry import MAX_ALL_DAY_ROWS, GridGeometry

#: Blocks narrower than this get no text: a letter or two would only be noise.
MIN_TEXT_WIDTH = 26
#: A stripe down each block's left edge, in the colour ``stripe_key`` names.
STRIPE = 3
#: Blocks narrower than this are all stripe.
NARROW = 3 * STRIPE
#: Jobs side by side get at least this much of a column each (room for a mark or a
#: letter); more that overlap go behind "+N more".
MIN_SLOT_WIDTH = MIN_TEXT_WIDTH


def stripe_key(item: ScheduleItem) -> str:
    """Which colour a job's stripe takes: the emergency or urgent one, else its status's
    deep colour."""
    if item.emergency:
        return "emergency"
    return "urgent" if item.is_urgent else f"status:{item.status or ''}"


@dataclass
class Drawing:
    """One column's rectangles for one geometry; timed ones as if scrolled to the top."""

    rects: dict[int, QRectF] = field(default_factory=dict)
    #: (in the all-day band, status) -> block rectangles.
    bodies: dict[tuple[bool, str | None], list[QRectF]] = field(default_factory=dict)
    #: (in the all-day band, ``stripe_key``) -> stripe rectangles.
    stripes: dict[tuple[bool, str], list[QRectF]] = field(default_factory=dict)
    #: Jobs that get more than a fill: text, or a sync mark.
    detailed: list[int] = field(default_factory=list)
    #: (in the all-day band) -> the blocks of double-booked jobs, outlined.
    clashing: dict[bool, list[QRectF]] = field(default_factory=dict)
    #: The "+N more" blocks and where they are.
    mores: list[tuple[More, QRectF]] = field(default_factory=list)


@dataclass
class _Column:
    items: tuple[ScheduleItem, ...]
    placements: dict[int, Placement]
    all_day_rows: int
    #: Double bookings (``clashes``): a technician's jobs of one day share a column.
    clashes: dict[int, list[int]]
    mores: list[More]
    drawing: Drawing | None = None


class Blocks:
    """Placements and rectangles of the jobs in each column."""

    def __init__(self) -> None:
        self._columns: dict[int, _Column] = {}
        self._items: dict[int, ScheduleItem] = {}
        self._placements: dict[int, Placement] = {}
        #: Each job's column, placed or behind a "+N more".
        self._column_of: dict[int, int] = {}
        self._drawn_for: GridGeometry | None = None
        self._max_slots = 0

    def set_columns(self, groups: dict[int, list[ScheduleItem]], max_slots: int) -> None:
        """The jobs of each column, in reading order, and how many fit side by side;
        unchanged columns are kept as they were."""
        columns: dict[int, _Column] = {}
        if max_slots != self._max_slots:
            self._columns, self._max_slots = {}, max_slots
        for column, group in groups.items():
            items = tuple(group)
            kept = self._columns.get(column)
            if kept is not None and kept.items == items:
                columns[column] = kept
            else:
                placements, rows = arrange_column(items, column, MAX_ALL_DAY_ROWS)
                shown, mores = cap_slots(placements, max_slots)
                columns[column] = _Column(items, shown, rows, clashes(items), mores)
        self._columns = columns
        self._items = {i.local_id: i for c in columns.values() for i in c.items}
        self._column_of = {i.local_id: n for n, c in columns.items() for i in c.items}
        self._placements = {k: v for c in columns.values() for k, v in c.placements.items()}

    def clear(self) -> None:
        self._columns = {}
        self._items = {}
        self._placements = {}
        self._column_of = {}

    @property
    def placements(self) -> dict[int, Placement]:
        return self._placements

    def item(self, local_id: int) -> ScheduleItem:
        return self._items[local_id]

    def clashes(self, local_id: int) -> list[ScheduleItem]:
        """The jobs shown that the job's technician is booked for at the same time."""
        column = self._column_of.get(local_id)
        if column is None:
            return []
        return [self._items[n] for n in self._columns[column].clashes.get(local_id, [])]

    def mores(self, geometry: GridGeometry) -> list[tuple[More, QRectF]]:
        """Every "+N more" block, in viewport pixels with ``geometry``'s scroll."""
        return [(more, rect.translated(0, -geometry.scroll))
                for drawing in self.drawings(geometry) for more, rect in drawing.mores]

    def more_at(self, pos: QPointF, geometry: GridGeometry) -> More | None:
        for more, rect in self.mores(geometry):
            if rect.contains(pos):
                return more
        return None

    def at(self, column: int, pos: QPointF, geometry: GridGeometry, *, in_band: bool
           ) -> int | None:
        """The job of ``column`` under ``pos`` (viewport pixels), in the band or not."""
        found = self._columns.get(column)
        if found is None:
            return None
        self.drawings(geometry)
        assert found.drawing is not None
        # Timed jobs' rectangles are unscrolled: look for the unscrolled point.
        point = pos if in_band else QPointF(pos.x(), pos.y() + geometry.scroll)
        for local_id, rect in found.drawing.rects.items():
            if (found.placements[local_id].start is None) == in_band and rect.contains(point):
                return local_id
        return None

    @property
    def all_day_rows(self) -> int:
        return max((c.all_day_rows for c in self._columns.values()), default=1)

    def drawings(self, geometry: GridGeometry) -> list[Drawing]:
        """Every column's rectangles for ``geometry`` (its scroll is ignored)."""
        unscrolled = replace(geometry, scroll=0)
        if unscrolled != self._drawn_for:
            for column in self._columns.values():
                column.drawing = None
            self._drawn_for = unscrolled
        drawings = []
        for column in self._columns.values():
            if column.drawing is None:
                column.drawing = self._draw(column, unscrolled)
            drawings.append(column.drawing)
        return drawings

    def rect(self, local_id: int, geometry: GridGeometry) -> QRectF | None:
        """A job's rectangle in viewport pixels, with ``geometry``'s scroll."""
        placement = self._placements.get(local_id)
        if placement is None:
            return None
        self.drawings(geometry)
        drawing = self._columns[placement.column].drawing
        assert drawing is not None
        rect = drawing.rects[local_id]
        return rect if placement.start is None else rect.translated(0, -geometry.scroll)

    def _draw(self, column: _Column, geometry: GridGeometry) -> Drawing:
        drawing = Drawing()
        rects, bodies, stripes = drawing.rects, drawing.bodies, drawing.stripes
        for more in column.mores:
            drawing.mores.append((more, geometry.rect(more.placement())))
        for item in column.items:
            placement = column.placements.get(item.local_id)
            if placement is None:
                continue  # behind a "+N more"
            rect = geometry.rect(placement)
            rects[item.local_id] = rect
            in_band = placement.start is None
            # A sliver's outline would hide its colour: its tooltip says it.
            if item.local_id in column.clashes and rect.width() >= MIN_TEXT_WIDTH:
                drawing.clashing.setdefault(in_band, []).append(rect)
            width = rect.width()
            if width < NARROW:
                # Too narrow for two colours: the stripe's alone still tells an
                # emergency from the rest.
                stripes.setdefault((in_band, stripe_key(item)), []).append(rect)
                continue
            bodies.setdefault((in_band, item.status), []).append(rect)
            stripes.setdefault((in_band, stripe_key(item)), []).append(
                QRectF(rect.left(), rect.top(), STRIPE, rect.height()))
            if width >= MIN_TEXT_WIDTH or item.sync_state != "synced":
                drawing.detailed.append(item.local_id)
        return drawing
