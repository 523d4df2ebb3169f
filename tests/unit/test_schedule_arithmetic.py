"""The schedule's arithmetic: days, times, the side-by-side layout, drops, and the read."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.jobs import InvalidJob
from desktop.core.schedule import (
    DEFAULT_MINUTES,
    LAST_MINUTE,
    UNASSIGNED,
    Drop,
    Lane,
    More,
    ScheduleItem,
    arrange_column,
    arrange_rows,
    cap_slots,
    clashes,
    double_bookings,
    drop_changes,
    format_minutes,
    in_the_past,
    items_sql,
    lanes_for,
    next_job_today,
    nudged,
    overlap_layout,
    parse_minutes,
    read_items,
    shift,
    snap,
    unschedule_changes,
    visible_days,
    week_start,
)
from desktop.core.store import JobQuery, Store
from tests.conftest import make_customer

TUESDAY = date(2024, 12, 3)
TECH_A = "aaaaaaaa-0000-4000-8000-000000000001"
TECH_B = "bbbbbbbb-0000-4000-8000-000000000002"


def _job(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"job_number": "JOB-1", "title": "Fix leak", "status": "Scheduled",
                            "priority": "Normal", "is_urgent": False, "is_emergency": False,
                            "scheduled_date": None, "scheduled_time_start": None,
                            "scheduled_time_end": None, "assigned_to_user_id": None}
    return {**base, **values}


def _item(local_id: int, start: str | None = None, end: str | None = None,
          day: date = TUESDAY, assignee: str | None = None) -> ScheduleItem:
    values = _job(scheduled_date=day.isoformat(), scheduled_time_start=start,
                  scheduled_time_end=end, assigned_to_user_id=assignee)
    return ScheduleItem.from_values(local_id, values, "Ada Lovelace", "synced")


# -- days and times ----------------------------------------------------------------------


def test_weeks_start_on_monday() -> None:
    assert week_start(TUESDAY) == date(2024, 12, 2)
    assert week_start(date(2024, 12, 2)) == date(2024, 12, 2)
    assert week_start(date(2024, 12, 8)) == date(2024, 12, 2)  # a Sunday
    week = visible_days(date(2025, 1, 1), "week")
    assert week[0] == date(2024, 12, 30) and week[-1] == date(2025, 1, 5) and len(week) == 7
    assert visible_days(TUESDAY, "day") == [TUESDAY]


def test_shift_moves_by_the_span() -> None:
    assert shift(TUESDAY, "day", 1) == date(2024, 12, 4)
    assert shift(TUESDAY, "day", -2) == date(2024, 12, 1)
    assert shift(TUESDAY, "week", 1) == date(2024, 12, 10)
    assert shift(date(2024, 12, 30), "week", 1) == date(2025, 1, 6)


def test_times_parse_format_and_snap() -> None:
    assert parse_minutes("09:30") == 570
    assert parse_minutes("23:59") == 1439
    for bad in (None, "", "9:30", "24:00", "12:60", "ab:cd", "09:30:00"):
        assert parse_minutes(bad) is None, bad
    assert format_minutes(570) == "09:30"
    assert [snap(m) for m in (0, 7, 7.5, 8, 22, 22.5, 23)] == [0, 0, 15, 15, 15, 30, 30]
    assert snap(-40) == 0
    assert snap(1440 + 100) == 1425  # the last quarter hour a job can start in


def test_a_timestamp_date_counts_as_its_day() -> None:
    item = ScheduleItem.from_values(1, _job(scheduled_date="2024-12-03T14:30:00.000Z"),
                                    None, "synced")
    assert item.day == TUESDAY and not item.timed


# -- overlap layout ----------------------------------------------------------------------


def test_overlapping_jobs_sit_side_by_side_in_their_cluster() -> None:
    spans = [(540, 600), (570, 660), (600, 630), (700, 760), (480, 500)]
    layout = overlap_layout(spans)
    # 09:00-10:00 and 09:30-11:00 overlap; 10:00-10:30 reuses the first column.
    assert layout[0] == (0, 2)
    assert layout[1] == (1, 2)
    assert layout[2] == (0, 2)
    # Jobs that overlap nothing take the whole width.
    assert layout[3] == (0, 1)
    assert layout[4] == (0, 1)


def test_touching_jobs_do_not_overlap() -> None:
    assert overlap_layout([(540, 600), (600, 660)]) == [(0, 1), (0, 1)]


def _clusters(spans: list[tuple[int, int]]) -> list[list[int]]:
    """Groups of spans connected by overlap, worked out the slow, obvious way."""
    groups: list[set[int]] = [{i} for i in range(len(spans))]
    merged = True
    while merged:
        merged = False
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                if any(spans[i][0] < spans[j][1] and spans[j][0] < spans[i][1]
                       for i in groups[a] for j in groups[b]):
                    groups[a] |= groups.pop(b)
                    merged = True
                    break
            if merged:
                break
    return [sorted(g) for g in groups]


_spans = st.lists(
    st.tuples(st.integers(0, 1425), st.integers(1, 300)).map(
        lambda t: (t[0], min(1440, t[0] + t[1]))),
    max_size=40,
)


@given(_spans)
def test_overlap_layout_never_stacks_jobs(spans: list[tuple[int, int]]) -> None:
    layout = overlap_layout(spans)
    assert len(layout) == len(spans)
    for column, count in layout:
        assert 0 <= column < count
    for cluster in _clusters(spans):
        counts = {layout[i][1] for i in cluster}
        assert len(counts) == 1, "a cluster shares one column count"
        for a in cluster:
            for b in cluster:
                overlap = spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]
                if a != b and overlap:
                    assert layout[a][0] != layout[b][0]
        # As few columns as the busiest moment needs.
        busiest = max(sum(1 for i in cluster if spans[i][0] <= spans[j][0] < spans[i][1])
                      for j in cluster)
        assert counts == {busiest}


def test_a_column_puts_untimed_jobs_in_the_all_day_band() -> None:
    items = [_item(1, "09:00", "10:00"), _item(2, "09:30", "11:00"), _item(3), _item(4),
             _item(5, "12:00")]
    placed, rows = arrange_column(items, 2, 3)
    assert (placed[1].column, placed[1].slot, placed[1].slots) == (2, 0, 2)
    assert (placed[2].slot, placed[2].slots) == (1, 2)
    assert (placed[3].start, placed[3].row, placed[4].start, placed[4].row) == (
        None, 0, None, 1)
    assert {placed[3].slots, placed[4].slots} == {1}
    # A start with no end is drawn an hour long.
    assert (placed[5].start, placed[5].end) == (720, 720 + DEFAULT_MINUTES)
    assert rows == 2
    assert arrange_column([_item(1, "09:00", "10:00")], 0, 3)[1] == 1


def test_a_crowded_all_day_cell_splits_into_columns() -> None:
    placed, rows = arrange_column([_item(n) for n in range(1, 8)], 0, 3)
    cells = {(p.row, p.slot) for p in placed.values()}
    assert len(cells) == 7, "every job has a cell of its own"
    assert {p.slots for p in placed.values()} == {3}
    assert rows == 3


def test_lanes_start_with_unassigned_then_the_wanted_then_the_rest() -> None:
    items = [_item(1, assignee=TECH_B), _item(2, assignee=TECH_A), _item(3)]
    assert lanes_for(items) == [UNASSIGNED, Lane(TECH_A), Lane(TECH_B)]
    assert lanes_for(items, [TECH_B, "me"]) == [UNASSIGNED, Lane(TECH_B), Lane("me"),
                                                 Lane(TECH_A)]


# -- drops -------------------------------------------------------------------------------


def test_a_drop_moves_date_and_time_and_keeps_the_length() -> None:
    current = _job(scheduled_date="2024-12-02", scheduled_time_start="09:00",
                   scheduled_time_end="10:30")
    changes = drop_changes(current, Drop(TUESDAY, 14 * 60 + 7))
    assert changes == {"scheduled_date": "2024-12-03", "scheduled_time_start": "14:00",
                       "scheduled_time_end": "15:30"}


def test_a_drop_on_the_same_day_changes_only_the_time() -> None:
    current = _job(scheduled_date="2024-12-03", scheduled_time_start="09:00",
                   scheduled_time_end="10:00")
    assert drop_changes(current, Drop(TUESDAY, 11 * 60 + 8)) == {
        "scheduled_time_start": "11:15", "scheduled_time_end": "12:15"}
    assert drop_changes(current, Drop(TUESDAY, 9 * 60)) == {}


def test_a_lane_drop_reassigns() -> None:
    current = _job(scheduled_date="2024-12-03", scheduled_time_start="09:00",
                   scheduled_time_end="10:00", assigned_to_user_id=TECH_A)
    assert drop_changes(current, Drop(TUESDAY, 9 * 60, Lane(TECH_B))) == {
        "assigned_to_user_id": TECH_B}
    assert drop_changes(current, Drop(TUESDAY, 9 * 60, UNASSIGNED)) == {
        "assigned_to_user_id": None}
    # The week view has no lanes: the assignee stays.
    assert drop_changes(current, Drop(TUESDAY, 9 * 60)) == {}


def test_scheduling_a_job_without_times_books_an_hour() -> None:
    assert drop_changes(_job(), Drop(TUESDAY, 8 * 60)) == {
        "scheduled_date": "2024-12-03", "scheduled_time_start": "08:00",
        "scheduled_time_end": "09:00"}
    # Near midnight the hour is cut at 23:59 rather than refused: there is no
    # length to keep.
    assert drop_changes(_job(), Drop(TUESDAY, 23 * 60 + 30))["scheduled_time_end"] == "23:59"


def test_a_start_without_an_end_keeps_having_no_end() -> None:
    current = _job(scheduled_date="2024-12-03", scheduled_time_start="09:00")
    assert drop_changes(current, Drop(TUESDAY, 10 * 60)) == {"scheduled_time_start": "10:00"}


def test_the_all_day_row_clears_the_times() -> None:
    current = _job(scheduled_date="2024-12-02", scheduled_time_start="09:00",
                   scheduled_time_end="10:00")
    assert drop_changes(current, Drop(TUESDAY)) == {
        "scheduled_date": "2024-12-03", "scheduled_time_start": None,
        "scheduled_time_end": None}


def test_a_job_that_would_pass_midnight_is_refused_naming_the_end_time() -> None:
    current = _job(scheduled_date="2024-12-03", scheduled_time_start="09:00",
                   scheduled_time_end="11:00")
    with pytest.raises(InvalidJob) as refused:
        drop_changes(current, Drop(TUESDAY, 22 * 60 + 30))
    error = refused.value.errors[0]
    assert error.field == "scheduled_time_end"
    assert "23:59" in error.problem and "21:45" in error.problem
    # The latest start that fits is accepted.
    assert drop_changes(current, Drop(TUESDAY, 21 * 60 + 45))["scheduled_time_end"] == "23:45"


def test_a_job_whose_times_are_already_broken_is_refused() -> None:
    current = _job(scheduled_date="2024-12-03", scheduled_time_start="11:00",
                   scheduled_time_end="10:00")
    with pytest.raises(InvalidJob, match="scheduled_time_end"):
        drop_changes(current, Drop(TUESDAY, 9 * 60))


def test_unscheduling_clears_date_and_times() -> None:
    current = _job(scheduled_date="2024-12-03", scheduled_time_start="09:00")
    assert unschedule_changes(current) == {"scheduled_date": None,
                                           "scheduled_time_start": None}
    assert unschedule_changes(_job()) == {}


@given(start=st.integers(0, 1380), length=st.integers(15, 600),
       target=st.integers(-30, 1500))
def test_an_accepted_drop_keeps_the_length_and_lands_on_the_grid(
        start: int, length: int, target: int) -> None:
    end = min(start + length, 1439)
    current = _job(scheduled_date="2024-12-02", scheduled_time_start=format_minutes(start),
                   scheduled_time_end=format_minutes(end))
    try:
        changes = drop_changes(current, Drop(TUESDAY, target))
    except InvalidJob as refused:
        assert refused.errors[0].field == "scheduled_time_end"
        assert snap(target) + end - start > 1439
        return
    new_start = parse_minutes(changes.get("scheduled_time_start", current[
        "scheduled_time_start"]))
    new_end = parse_minutes(changes.get("scheduled_time_end", current["scheduled_time_end"]))
    assert new_start is not None and new_end is not None
    assert new_start % 15 == 0
    assert new_end - new_start == end - start


# -- reading the visible range -----------------------------------------------------------


def test_read_items_returns_the_range_matching_the_filters(store: Store) -> None:
    customer = make_customer(store)

    def job(title: str, **values: Any) -> int:
        return store.create_job({"customer_uuid": customer, "title": title,
                                 "status": "Scheduled", **values}).local_id

    job("Monday", scheduled_date="2024-12-02", scheduled_time_start="09:00",
        scheduled_time_end="10:00", assigned_to_user_id=TECH_A)
    job("Sunday", scheduled_date="2024-12-08T10:00:00Z", priority="High")
    job("Next week", scheduled_date="2024-12-09")
    job("Last week", scheduled_date="2024-12-01")
    job("No date")
    job("Done", scheduled_date="2024-12-04", status="Complete")
    store.delete_job(job("Trashed", scheduled_date="2024-12-04"))
    week = visible_days(TUESDAY, "week")

    def titles(query: JobQuery) -> list[str | None]:
        return [i.title for i in read_items(store, query, week[0], week[-1])]

    assert titles(JobQuery()) == ["Monday", "Done", "Sunday"]
    first = read_items(store, JobQuery(), week[0], week[-1])[0]
    assert (first.day, first.start, first.end, first.assignee) == (
        date(2024, 12, 2), 540, 600, TECH_A)
    assert (first.customer_name, first.sync_state) == ("Ada Lovelace", "pending")
    # The list's filters apply; its own dates give way to the range; never the Trash.
    assert titles(JobQuery(statuses=("Scheduled",), date_from=date(2024, 12, 8),
                           date_to=date(2024, 12, 8), deleted="include")) == [
        "Monday", "Sunday"]
    assert titles(JobQuery(priority="High")) == ["Sunday"]
    assert titles(JobQuery(unscheduled=True)) == ["Monday", "Done", "Sunday"]
    assert titles(JobQuery(assigned_to=TECH_A)) == ["Monday"]


@pytest.mark.parametrize("query", [
    JobQuery(),
    JobQuery(statuses=("Scheduled", "In Progress")),
    JobQuery(priority="High", urgent=True),
    JobQuery(assigned_to=TECH_A),
    JobQuery(customer_uuid="00000000-0000-4000-8000-000000000000"),
])
def test_the_range_read_uses_an_index(store: Store, query: JobQuery) -> None:
    sql, params = items_sql(query, date(2024, 12, 2), date(2024, 12, 8))
    with store.read() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {sql}", tuple(params)))
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    assert "SCAN j" not in plan, plan
    if not (query.assigned_to or query.customer_uuid):
        assert "ix_sort_scheduled" in plan and "TEMP B-TREE" not in plan, plan


def test_keyboard_moves_shift_day_and_time_and_stop_at_midnight() -> None:
    timed = _item(1, "00:15", "01:00")
    assert nudged(timed, 1, 0) == Drop(TUESDAY + timedelta(days=1), 15)
    assert nudged(timed, 0, -30) == Drop(TUESDAY, 0), "never before 00:00"
    assert nudged(_item(2), 0, 15) == Drop(TUESDAY, None), "an all-day job keeps no time"
    undated = ScheduleItem.from_values(3, _job(), "Ada Lovelace", "synced")
    assert nudged(undated, 1, 0) is None


# -- dispatch safety ---------------------------------------------------------------------


def test_a_technician_booked_twice_at_once_is_a_clash_for_both_jobs() -> None:
    items = [_item(1, "09:00", "10:00", assignee=TECH_A),
             _item(2, "09:30", "11:00", assignee=TECH_A),
             _item(3, "10:00", "10:30", assignee=TECH_A),   # touches 1: no clash with it
             _item(4, "09:00", "10:00", assignee=TECH_B),   # another technician
             _item(5, "09:00", "10:00"),                    # nobody's
             _item(6, None, None, assignee=TECH_A),         # no time
             _item(7, "09:15", None, assignee=TECH_A,       # another day
                   day=TUESDAY + timedelta(days=1)),
             _item(8, "10:45", None, assignee=TECH_A)]      # no end: books an hour
    assert clashes(items) == {1: [2], 2: [1, 3, 8], 3: [2], 8: [2]}


SPANS = st.tuples(st.integers(0, 23 * 60), st.integers(0, 180))


@given(st.lists(st.tuples(SPANS, st.sampled_from([TECH_A, TECH_B, None]), st.booleans()),
                max_size=12))
def test_clashes_are_exactly_the_overlapping_pairs_of_one_technician_and_day(
        jobs: list[tuple[tuple[int, int], str | None, bool]]) -> None:
    items = [_item(n, format_minutes(start), format_minutes(min(start + length, 23 * 60 + 59)),
                   day=TUESDAY + timedelta(days=int(later)), assignee=who)
             for n, ((start, length), who, later) in enumerate(jobs)]
    expected: dict[int, set[int]] = {}
    for a in items:
        for b in items:
            if a is b or not a.assignee or (a.assignee, a.day) != (b.assignee, b.day):
                continue
            (a_start, a_end), (b_start, b_end) = a.booked_span(), b.booked_span()
            if a_start < b_end and b_start < a_end:
                expected.setdefault(a.local_id, set()).add(b.local_id)
    found = clashes(items)
    assert {k: set(v) for k, v in found.items()} == expected
    assert all(len(v) == len(set(v)) for v in found.values()), "each other job named once"


def test_double_bookings_reads_the_technicians_other_jobs_that_day(store: Store) -> None:
    customer = make_customer(store)

    def job(title: str, start: str | None, end: str | None, who: str | None = TECH_A,
            day: str = "2024-12-03") -> int:
        return store.create_job({
            "customer_uuid": customer, "title": title, "scheduled_date": day,
            "scheduled_time_start": start, "scheduled_time_end": end,
            "assigned_to_user_id": who}).local_id

    mine = job("Mine", "09:00", "11:00")
    job("Before", "08:00", "09:00")
    overlapping = job("Overlapping", "10:30", "12:00")
    early = job("Early", "08:30", "09:30")
    job("Other technician", "09:00", "10:00", who=TECH_B)
    job("Other day", "09:00", "10:00", day="2024-12-04")
    store.delete_job(job("Trashed", "09:00", "10:00"))
    record = store.get(mine)
    assert record is not None
    assert [i.local_id for i in double_bookings(store, record.values, mine)] == [
        early, overlapping]
    unassigned = store.update_job(mine, {"assigned_to_user_id": None})
    assert double_bookings(store, unassigned.values, mine) == []


def test_a_drop_before_now_is_in_the_past() -> None:
    now = datetime(2024, 12, 3, 10, 20)
    assert in_the_past(Drop(TUESDAY - timedelta(days=1)), now)
    assert in_the_past(Drop(TUESDAY - timedelta(days=1), 15 * 60), now)
    assert in_the_past(Drop(TUESDAY, 9 * 60), now)
    assert not in_the_past(Drop(TUESDAY, 10 * 60 + 30), now)
    assert not in_the_past(Drop(TUESDAY), now), "today's all-day row is not past"
    assert not in_the_past(Drop(TUESDAY + timedelta(days=1), 6 * 60), now)


def test_the_next_job_today_is_the_technicians_first_open_one_from_now(store: Store) -> None:
    customer = make_customer(store)
    now = datetime(2024, 12, 3, 11, 0)

    def job(title: str, start: str | None, who: str = TECH_A, status: str = "Scheduled",
            day: str = "2024-12-03") -> int:
        return store.create_job({"customer_uuid": customer, "title": title, "status": status,
                                 "scheduled_date": day, "scheduled_time_start": start,
                                 "assigned_to_user_id": who}).local_id

    done = job("Just finished", "09:00", status="Complete")
    job("Earlier", "10:00")
    job("Finished later", "12:00", status="Complete")
    job("Someone else's", "11:30", who=TECH_B)
    job("Tomorrow", "08:00", day="2024-12-04")
    untimed = job("Any time", None)
    store.delete_job(job("Trashed", "11:15"))
    assert next_job_today(store, TECH_A, done, now).local_id == untimed  # type: ignore[union-attr]
    then = job("Next", "13:00")
    job("After that", "15:00")
    found = next_job_today(store, TECH_A, done, now)
    assert found is not None and (found.local_id, found.start) == (then, 13 * 60)
    assert next_job_today(store, TECH_A, then, now).title == "After that"  # type: ignore[union-attr]
    assert next_job_today(store, None, done, now) is None


# -- the team week: a row per technician -----------------------------------------------


def test_the_team_week_has_a_row_per_technician_as_tall_as_its_busiest_day() -> None:
    days = visible_days(TUESDAY, "week")
    lanes = [UNASSIGNED, Lane(TECH_A), Lane(TECH_B)]
    monday = days[0]
    busy = [_item(n, f"{8 + n:02d}:00", None, day=monday, assignee=TECH_A)
            for n in range(7)]
    items = [*busy, _item(20, None, None, day=monday, assignee=TECH_A),
             _item(21, "09:00", "10:00"), _item(22, "10:00", None, assignee=TECH_B),
             _item(23, "11:00", None, assignee=TECH_B),
             _item(24, "09:00", None, day=days[0] - timedelta(days=1)),  # last week
             _item(25, "09:00", None, assignee="someone not shown")]
    layout = arrange_rows(items, lanes, days, max_lines=5)
    assert layout.lines == (1, 5, 2)
    crowded = layout.cells[1, 0]
    # Eight jobs in five lines: four shown, by start, and "+4 more" (the untimed last).
    assert [i.local_id for i in crowded.items] == [0, 1, 2, 3, 4, 5, 6, 20]
    assert (crowded.shown, crowded.hidden) == (4, 4)
    assert (layout.cells[0, 1].shown, layout.cells[0, 1].hidden) == (1, 0)
    assert [i.local_id for i in layout.cells[2, 1].items] == [22, 23]
    assert layout.cells[2, 1].hidden == 0
    assert set(layout.cells) == {(1, 0), (0, 1), (2, 1)}


@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from([TECH_A, TECH_B, None])),
                max_size=60), st.integers(1, 6))
def test_every_job_of_the_team_week_is_on_a_line_or_behind_more(
        placed: list[tuple[int, str | None]], max_lines: int) -> None:
    days = visible_days(TUESDAY, "week")
    lanes = [UNASSIGNED, Lane(TECH_A), Lane(TECH_B)]
    items = [_item(n, "09:00", None, day=days[d], assignee=who)
             for n, (d, who) in enumerate(placed)]
    layout = arrange_rows(items, lanes, days, max_lines)
    assert sorted(i.local_id for c in layout.cells.values() for i in c.items) == list(
        range(len(items)))
    for cell in layout.cells.values():
        lines = layout.lines[cell.row]
        assert 1 <= lines <= max_lines
        # The lines used: one a job shown, one more for "+N more" when any are hidden.
        assert cell.shown + (cell.hidden > 0) <= lines
        assert cell.hidden == 0 or cell.shown == lines - 1


def test_a_drop_on_a_team_week_cell_keeps_the_times() -> None:
    job = _job(scheduled_date=TUESDAY.isoformat(), scheduled_time_start="09:00",
               scheduled_time_end="10:30", assigned_to_user_id=TECH_A)
    thursday = TUESDAY + timedelta(days=2)
    assert drop_changes(job, Drop(thursday, lane=Lane(TECH_B), keep_time=True)) == {
        "scheduled_date": thursday.isoformat(), "assigned_to_user_id": TECH_B}
    assert drop_changes(job, Drop(TUESDAY, lane=UNASSIGNED, keep_time=True)) == {
        "assigned_to_user_id": None}
    assert drop_changes(job, Drop(TUESDAY, lane=Lane(TECH_A), keep_time=True)) == {}


# -- "+N more" where too many overlap ----------------------------------------------------


def test_past_the_room_overlapping_jobs_go_behind_more() -> None:
    items = [_item(n, "09:00", "10:00") for n in range(5)] + [
        _item(10, "12:00", "13:00"), _item(11, "12:30", "13:30"),   # two fit side by side
        _item(12, None, None)]
    placements, _rows = arrange_column(items, 0, 3)
    kept, mores = cap_slots(placements, 3)
    assert sorted(kept) == [0, 1, 10, 11, 12]
    assert [(kept[n].slot, kept[n].slots) for n in (0, 1)] == [(0, 3), (1, 3)]
    assert (kept[10].slots, kept[11].slots) == (2, 2), "a cluster that fits is untouched"
    assert mores == [More(0, 9 * 60, 10 * 60, 2, 3, (2, 3, 4))]
    # Never fewer than a job and its "+N more".
    kept, mores = cap_slots(placements, 1)
    assert sorted(kept) == [0, 10, 11, 12] and [m.ids for m in mores] == [(1, 2, 3, 4)]


@given(st.lists(st.tuples(st.integers(6 * 60, 20 * 60), st.integers(15, 240)), max_size=40),
       st.integers(1, 6))
def test_capped_jobs_never_overlap_on_screen_and_none_is_lost(
        spans: list[tuple[int, int]], max_slots: int) -> None:
    items = [_item(n, format_minutes(start), format_minutes(min(start + length, LAST_MINUTE)))
             for n, (start, length) in enumerate(spans)]
    placements, _rows = arrange_column(items, 0, 3)
    kept, mores = cap_slots(placements, max_slots)
    behind = [i for m in mores for i in m.ids]
    assert sorted([*kept, *behind]) == sorted(placements)
    assert len(behind) == len(set(behind))
    room = max(2, max_slots)
    shown = [(p.start, p.end, p.slot, p.slots) for p in kept.values()] + [
        (m.start, m.end, m.slot, m.slots) for m in mores]
    assert all(0 <= slot < slots for _start, _end, slot, slots in shown)
    for local_id, placed in kept.items():
        assert placed.slots == min(placements[local_id].slots, room) or placed.start is None
    assert all(m.slots == room and m.slot == room - 1 for m in mores)
    for n, (a_start, a_end, a_slot, a_slots) in enumerate(shown):
        for b_start, b_end, b_slot, b_slots in shown[n + 1:]:
            if a_start is not None and b_start is not None and a_start < b_end \
                    and b_start < a_end:
                # Side by side on screen: the same number of slots, different slots.
                assert a_slots == b_slots and a_slot != b_slot
