"""Properties of the three-way field merge."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from desktop.core.jobs import window_problem
from desktop.core.merge import after_confirmed_write, local_changes, merge

FIELDS = ("title", "status", "description")
values = st.sampled_from(["a", "b", "c", None])
records = st.fixed_dictionaries({f: values for f in FIELDS})


@given(records, records, records)
def test_each_field_takes_the_changed_side_or_conflicts(base, mine, theirs) -> None:  # type: ignore[no-untyped-def]
    result = merge(base, mine, theirs, fields=FIELDS)
    conflicted = {c.field for c in result.conflicts}
    for f in FIELDS:
        if mine[f] == base[f]:
            assert result.merged[f] == theirs[f] and f not in conflicted
        elif theirs[f] in (base[f], mine[f]):
            assert result.merged[f] == mine[f] and f not in conflicted
        else:
            assert f in conflicted and result.merged[f] == mine[f]


@given(records, records)
def test_merge_with_no_remote_change_is_identity(base, mine) -> None:  # type: ignore[no-untyped-def]
    result = merge(base, mine, base, fields=FIELDS)
    assert result.merged == mine and result.conflicts == ()


@given(records, records, records)
def test_merge_is_symmetric_in_what_conflicts(base, mine, theirs) -> None:  # type: ignore[no-untyped-def]
    one = {c.field for c in merge(base, mine, theirs, fields=FIELDS).conflicts}
    other = {c.field for c in merge(base, theirs, mine, fields=FIELDS).conflicts}
    assert one == other


@given(records, records, records)
def test_own_echo_is_never_a_conflict(base, mine, theirs) -> None:  # type: ignore[no-untyped-def]
    sent = local_changes(base, mine, FIELDS)
    echoed = {**theirs, **sent}
    assert not {c.field for c in merge(base, mine, echoed, sent=sent, fields=FIELDS).conflicts} \
        & set(sent)


@given(records, records, records)
def test_confirmed_write_keeps_only_edits_made_in_flight(before, later, confirmed) -> None:  # type: ignore[no-untyped-def]
    sent = dict(before)
    result = after_confirmed_write(later, sent, before, confirmed, FIELDS)
    for f in FIELDS:
        expected = later[f] if later[f] != before[f] else confirmed[f]
        assert result[f] == expected


# --- a visit's window is one value ------------------------------------------------

WINDOW_FIELDS = ("scheduled_time_start", "scheduled_time_end")
times = st.sampled_from(["08:00", "09:00", "10:00", "11:00", "12:00", None])
windows = st.fixed_dictionaries({f: times for f in WINDOW_FIELDS}).filter(
    lambda w: window_problem(w) is None)


def test_a_start_moved_here_and_an_end_moved_there_conflict_rather_than_cross() -> None:
    base = {"scheduled_time_start": "09:00", "scheduled_time_end": "12:00"}
    mine = {**base, "scheduled_time_start": "11:00"}
    theirs = {**base, "scheduled_time_end": "10:00"}
    result = merge(base, mine, theirs, fields=WINDOW_FIELDS)
    assert result.merged == mine, "this device's window stands until the user picks"
    assert {c.field: (c.mine, c.theirs) for c in result.conflicts} == {
        "scheduled_time_start": ("11:00", "09:00"),
        "scheduled_time_end": ("12:00", "10:00"),
    }
    assert result.taken == frozenset()


@given(windows, windows, windows)
def test_a_merge_of_sound_windows_is_sound_or_left_to_the_user(base, mine, theirs) -> None:  # type: ignore[no-untyped-def]
    result = merge(base, mine, theirs, fields=WINDOW_FIELDS)
    conflicted = {c.field for c in result.conflicts}
    assert window_problem(result.merged) is None, "a mix of two sound windows is never kept"
    assert all(result.merged[f] == mine[f] for f in conflicted)
    # Where the fields' own merge builds a sound window, nothing new conflicts.
    plain = {f: (theirs[f] if mine[f] == base[f] else mine[f]) for f in WINDOW_FIELDS}
    both_changed = {f for f in WINDOW_FIELDS
                    if mine[f] != base[f] and theirs[f] not in (base[f], mine[f])}
    if window_problem(plain) is None:
        assert conflicted == both_changed
