"""Resolving a conflict is an edit: the merged job passes the same rules as any edit.

Every conflict here is made as it happens in the field, over real HTTP against the
emulator: a colleague changes the job on the server, this computer changes the same
field differently, and a sync finds the two.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from desktop.core.jobs import InvalidJob, validate_changes
from desktop.core.store import JobRecord
from desktop.emulator import Emulator
from tests.integration.conftest import Device

TIMES = ("08:00", "11:00", "12:00", "16:00", "18:00")
SCHEDULE = ("scheduled_time_start", "scheduled_time_end")
TITLE = "Boiler service"


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the database file, read on a connection of its own."""
    with sqlite3.connect(path) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"'), key=repr)
                for name in names}


def make_conflict(device: Device, emulator: Emulator, base: dict[str, Any],
                  mine: dict[str, Any], theirs: dict[str, Any], *,
                  planted: dict[str, Any] | None = None) -> JobRecord:
    """A job created on the server with ``base``, then changed to ``mine`` here and
    to ``theirs`` (and ``planted``, past the API's checks) by a colleague, synced."""
    job = emulator.colleague_create(title=TITLE, status="Scheduled",
                                    scheduled_date="2025-03-04", **base)
    assert device.sync().status == "ok"
    local = device.job(job["uuid"])
    device.store.update_job(local.local_id, mine)
    # The colleague's change comes later by the server's clock, as it would.
    emulator.clock.advance(timedelta(seconds=1))
    emulator.colleague_update(job["uuid"], **theirs)
    if planted:
        emulator.plant(job["uuid"], **planted)
    assert device.sync().status == "ok"
    return device.job(job["uuid"])


# --- the reported case --------------------------------------------------------------


def test_the_servers_start_with_my_end_is_refused_and_changes_nothing(
        synced: Device, emulator: Emulator) -> None:
    record = make_conflict(synced, emulator,
                           {"scheduled_time_start": "09:00", "scheduled_time_end": "10:00"},
                           {"scheduled_time_start": "08:00", "scheduled_time_end": "11:00"},
                           {"scheduled_time_start": "16:00", "scheduled_time_end": "18:00"})
    assert record.sync_state == "conflict"
    assert sorted(c.field for c in record.conflicts) == sorted(SCHEDULE)
    before = snapshot(synced.paths.database)

    with pytest.raises(InvalidJob) as refused:
        synced.store.resolve_conflict(record.local_id, {"scheduled_time_start": "theirs",
                                                        "scheduled_time_end": "mine"})
    assert [e.field for e in refused.value.errors] == ["scheduled_time_end"]
    assert "must be after scheduled_time_start (16:00)" in str(refused.value)
    assert snapshot(synced.paths.database) == before
    # Nothing reaches the server either: the job waits, still in conflict.
    assert synced.sync().status == "ok"
    assert synced.job(record.uuid).sync_state == "conflict"  # type: ignore[arg-type]
    server = emulator.job(record.uuid)  # type: ignore[arg-type]
    assert server is not None
    assert (server["scheduled_time_start"], server["scheduled_time_end"]) == ("16:00", "18:00")

    # Another choice that fits is applied and sent.
    resolved = synced.store.resolve_conflict(
        record.local_id, {"scheduled_time_start": "mine", "scheduled_time_end": "theirs"})
    assert resolved.sync_state == "pending" and not resolved.conflicts
    assert (resolved["scheduled_time_start"], resolved["scheduled_time_end"]) == (
        "08:00", "18:00")
    assert synced.sync().status == "ok"
    server = emulator.job(record.uuid)  # type: ignore[arg-type]
    assert server is not None
    assert (server["scheduled_time_start"], server["scheduled_time_end"]) == ("08:00", "18:00")
    assert synced.job(record.uuid).sync_state == "synced"  # type: ignore[arg-type]


def test_a_start_taken_from_the_server_is_checked_against_the_merged_end(
        synced: Device, emulator: Emulator) -> None:
    # Only the start is in conflict; the end this computer moved was merged as it was.
    record = make_conflict(synced, emulator,
                           {"scheduled_time_start": "09:00", "scheduled_time_end": "12:00"},
                           {"scheduled_time_start": "08:00", "scheduled_time_end": "11:00"},
                           {"scheduled_time_start": "11:00"})
    assert [c.field for c in record.conflicts] == ["scheduled_time_start"]
    before = snapshot(synced.paths.database)
    with pytest.raises(InvalidJob, match="scheduled_time_end: must be after "
                                         r"scheduled_time_start \(11:00\)"):
        synced.store.resolve_conflict(record.local_id, {"scheduled_time_start": "theirs"})
    assert snapshot(synced.paths.database) == before
    resolved = synced.store.resolve_conflict(record.local_id, {"scheduled_time_start": "mine"})
    assert (resolved["scheduled_time_start"], resolved["scheduled_time_end"]) == (
        "08:00", "11:00")


def test_a_required_field_the_server_cleared_cannot_be_taken(
        synced: Device, emulator: Emulator) -> None:
    # The API refuses an empty title; a server that checks less may hold one anyway.
    record = make_conflict(synced, emulator, {}, {"title": "Boiler and radiators"}, {},
                           planted={"title": None})
    assert [(c.field, c.theirs) for c in record.conflicts] == [("title", None)]
    before = snapshot(synced.paths.database)
    with pytest.raises(InvalidJob, match="title: is required and cannot be cleared"):
        synced.store.resolve_conflict(record.local_id, {"title": "theirs"})
    assert snapshot(synced.paths.database) == before
    assert synced.store.resolve_conflict(record.local_id, {"title": "mine"})[
        "title"] == "Boiler and radiators"


def test_a_server_value_no_edit_could_set_cannot_be_taken(
        synced: Device, emulator: Emulator) -> None:
    record = make_conflict(synced, emulator, {"scheduled_time_start": "09:00"},
                           {"scheduled_time_start": "10:00"}, {},
                           planted={"scheduled_time_start": "9am"})
    assert [(c.field, c.theirs) for c in record.conflicts] == [("scheduled_time_start", "9am")]
    before = snapshot(synced.paths.database)
    with pytest.raises(InvalidJob, match="scheduled_time_start: must be a time HH:MM"):
        synced.store.resolve_conflict(record.local_id, {"scheduled_time_start": "theirs"})
    assert snapshot(synced.paths.database) == before


@pytest.mark.parametrize("side", ["mine", "theirs"])
def test_the_customer_picked_is_the_one_named(synced: Device, emulator: Emulator,
                                              side: str) -> None:
    first, second, third = emulator.customers(include_deleted=False)[:3]
    record = make_conflict(synced, emulator, {"customer_uuid": first["uuid"]},
                           {"customer_uuid": second["uuid"]}, {"customer_uuid": third["uuid"]})
    assert [c.field for c in record.conflicts] == ["customer_uuid"]
    resolved = synced.store.resolve_conflict(record.local_id, {"customer_uuid": side})
    picked = second if side == "mine" else third
    assert resolved["customer_uuid"] == picked["uuid"]
    assert resolved.customer_name == f"{picked['first_name']} {picked['last_name']}"


# --- the property -------------------------------------------------------------------


@contextlib.contextmanager
def laptop() -> Iterator[Device]:
    """A server and a laptop of their own: each example starts from nothing."""
    with Emulator(jobs=1, customers=2, seed=11) as emu, \
            tempfile.TemporaryDirectory() as tmp:
        device = Device(emu, Path(tmp) / "laptop")
        try:
            yield device
        finally:
            device.close()


times = st.sampled_from((None, *TIMES))


def fits(values: dict[str, Any]) -> bool:
    start, end = values.get("scheduled_time_start"), values.get("scheduled_time_end")
    return not (start and end and end <= start)


@st.composite
def schedule(draw: st.DrawFn) -> dict[str, Any]:
    """A start and end any edit would allow (end after start when both are set)."""
    start = draw(times)
    end = draw(st.sampled_from((None, *(t for t in TIMES if start is None or t > start))))
    return {"scheduled_time_start": start, "scheduled_time_end": end}


@st.composite
def change(draw: st.DrawFn, whole: dict[str, Any]) -> dict[str, Any]:
    """Some of a valid schedule's fields, and perhaps a new title: one side's edit."""
    # Mostly both times: the way a visit is moved, and where picks can cross.
    fields = draw(st.sampled_from((SCHEDULE, SCHEDULE, SCHEDULE[:1], SCHEDULE[1:])))
    edit = {f: whole[f] for f in fields}
    title = draw(st.sampled_from((None, "Mine", "Theirs")))
    if title:
        edit["title"] = title
    return edit


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_a_resolution_is_applied_exactly_when_the_merged_job_passes_the_edit_rules(
        data: st.DataObject) -> None:
    base = data.draw(schedule(), "base")
    mine = data.draw(change(data.draw(schedule(), "my schedule")), "mine")
    theirs = data.draw(change(data.draw(schedule(), "their schedule")), "theirs")
    # Each side's own app checked its edit: each side's schedule is valid on its own.
    assume(fits({**base, **mine}) and fits({**base, **theirs}))
    planted = data.draw(st.sampled_from(({}, {"title": None})), "planted")
    before, now = {"title": TITLE, **base}, {**theirs, **planted}
    both = {f for f in mine if f in now and before[f] != mine[f] != now[f] != before[f]}
    # Where one side's start beside the other's end would cross, the window is one
    # conflict of both fields: the merge never builds a visit neither side holds.
    moved_here = {f for f in SCHEDULE if f in mine and mine[f] != before[f]}
    moved_there = {f for f in SCHEDULE if f in now and now[f] != before[f]}
    mixed = {f: mine[f] if f in moved_here else now.get(f, before[f]) for f in SCHEDULE}
    if not fits(mixed) and moved_there - moved_here:
        both |= set(SCHEDULE)
    assume(both)
    with laptop() as device:
        record = make_conflict(device, device.emulator, base, mine, theirs, planted=planted)
        assert record.sync_state == "conflict"
        assert {c.field for c in record.conflicts} == both
        check_resolution(data, device, record)


def check_resolution(data: st.DataObject, device: Device, record: JobRecord) -> None:
    choices = {c.field: data.draw(st.sampled_from(("mine", "theirs")), c.field)
               for c in record.conflicts}
    picked = {c.field: c.theirs if choices[c.field] == "theirs" else record.values[c.field]
              for c in record.conflicts}
    try:
        validate_changes(picked, record.values)
    except InvalidJob as exc:
        refusal: InvalidJob | None = exc
    else:
        refusal = None
    before = snapshot(device.paths.database)

    event("refused" if refusal is not None else "applied")
    if refusal is not None:
        with pytest.raises(InvalidJob) as refused:
            device.store.resolve_conflict(record.local_id, choices)
        assert {e.field for e in refused.value.errors} == {e.field for e in refusal.errors}
        assert snapshot(device.paths.database) == before
        return
    resolved = device.store.resolve_conflict(record.local_id, choices)
    assert not resolved.conflicts and resolved.sync_state in ("pending", "synced")
    assert {f: resolved[f] for f in picked} == picked
    # Checked without the validation: whatever was picked, the job never ends up
    # ending before it starts, nor without a title.
    if set(SCHEDULE) & set(picked):
        assert fits(dict(resolved.values)), picked
    if "title" in picked:
        assert resolved["title"]


def test_a_start_moved_here_and_an_end_moved_there_are_never_pushed_crossed(
        synced: Device, emulator: Emulator) -> None:
    """The merge used to take the colleague's end beside this device's start and push
    an 11:00-10:00 visit; now the pair waits for the user and the server keeps its own."""
    record = make_conflict(synced, emulator,
                           {"scheduled_time_start": "09:00", "scheduled_time_end": "12:00"},
                           {"scheduled_time_start": "11:00"},
                           {"scheduled_time_end": "10:00"})
    assert record.sync_state == "conflict"
    assert sorted(c.field for c in record.conflicts) == sorted(SCHEDULE)
    assert (record.values["scheduled_time_start"], record.values["scheduled_time_end"]) \
        == ("11:00", "12:00")
    server = emulator.job(record.uuid)
    assert (server["scheduled_time_start"], server["scheduled_time_end"]) == ("09:00", "10:00")

    # Either whole window is a sound pick, and it reaches the server as picked.
    synced.store.resolve_conflict(record.local_id, {"scheduled_time_start": "theirs",
                                                    "scheduled_time_end": "theirs"})
    assert synced.sync().status == "ok"
    server = emulator.job(record.uuid)
    assert (server["scheduled_time_start"], server["scheduled_time_end"]) == ("09:00", "10:00")
    assert synced.job(record.uuid).sync_state == "synced"
