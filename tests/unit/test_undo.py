"""Undo and redo on a real store: any sequence of edits, Trash moves, undos and redos
leaves each job exactly where the history says it should be."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.jobs import InvalidJob
from desktop.core.store import Store
from desktop.core.undo import TRASHED, History, JobChange, Stale, job_change, state_of, step_from

EDITS = st.one_of(
    st.tuples(st.just("title"), st.sampled_from(["Leak", "Boiler", "Fuse box"])),
    st.tuples(st.just("status"), st.sampled_from(["New", "Scheduled", "In Progress"])),
    st.tuples(st.just("priority"), st.sampled_from(["Low", "Normal", "High"])),
    st.tuples(st.just("estimated_amount"), st.sampled_from([None, "10.00", "99.50"])),
    st.tuples(st.just("scheduled_time_start"), st.sampled_from([None, "08:00", "09:30"])),
)
ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 1), EDITS),
    st.tuples(st.just("trash"), st.integers(0, 1), st.none()),
    st.tuples(st.just("restore"), st.integers(0, 1), st.none()),
    st.just(("undo", 0, None)),
    st.just(("redo", 0, None)),
), max_size=25)


def _state(store: Store, local_id: int) -> dict[str, Any]:
    record = store.get(local_id)
    assert record is not None
    return state_of(record.values)


def _edit(store: Store, history: History, local_id: int, field: str, value: Any) -> bool:
    before = _state(store, local_id)
    try:
        record = store.update_job(local_id, {field: value})
    except InvalidJob:
        return False  # in the Trash, or a rule: nothing changed, nothing to undo
    step = step_from("Edit", [job_change(local_id, before, state_of(record.values))])
    if step is None:
        return False
    history.record(step)
    return True


def _trash(store: Store, history: History, local_id: int, trashed: bool) -> bool:
    if _state(store, local_id)[TRASHED] == trashed:
        return False
    (store.delete_jobs if trashed else store.restore_jobs)([local_id])
    history.record(step_from("Trash", [JobChange(local_id, {TRASHED: not trashed},
                                                 {TRASHED: trashed})]))  # type: ignore[arg-type]
    return True


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_any_sequence_of_edits_undos_and_redos_ends_where_the_history_says(
        store: Store, customer: str, actions: list[tuple[str, int, Any]]) -> None:
    ids = [store.create_job({"customer_uuid": customer, "title": f"Job {n}"}).local_id
           for n in range(2)]
    history = History()
    # The model: the whole state of both jobs after each step, and where we stand.
    timeline = [{i: _state(store, i) for i in ids}]
    position = 0
    for action, which, edit in actions:
        local_id = ids[which]
        if action in {"undo", "redo"}:
            step = history.next_undo() if action == "undo" else history.next_redo()
            if step is None:
                assert position == (0 if action == "undo" else len(timeline) - 1)
                continue
            store.apply_step(step.reversed() if action == "undo" else step)
            (history.undone if action == "undo" else history.redone)(step)
            position += -1 if action == "undo" else 1
        else:
            changed = (_edit(store, history, local_id, *edit) if action == "edit"
                       else _trash(store, history, local_id, action == "trash"))
            if not changed:
                continue
            del timeline[position + 1:]
            timeline.append({i: _state(store, i) for i in ids})
            position += 1
        assert {i: _state(store, i) for i in ids} == timeline[position]


def test_an_undo_applied_is_a_new_pending_edit_not_a_rewrite(store: Store,
                                                            customer: str) -> None:
    local_id = store.create_job({"customer_uuid": customer, "title": "Leak"}).local_id
    before = _state(store, local_id)
    record = store.update_job(local_id, {"estimated_amount": "120.00"})
    step = step_from("Edit", [job_change(local_id, before, state_of(record.values))])
    assert step is not None and step.jobs[0].after == {"estimated_amount": Decimal("120.00")}
    revision = record.local_rev
    undone = store.apply_step(step.reversed())[0]
    assert undone.values["estimated_amount"] is None
    assert undone.local_rev == revision + 1 and undone.pending_op == "create"


def test_an_undo_of_a_field_changed_since_is_refused_naming_it(store: Store,
                                                              customer: str) -> None:
    local_id = store.create_job({"customer_uuid": customer, "title": "Leak"}).local_id
    before = _state(store, local_id)
    record = store.update_job(local_id, {"title": "Leak under sink", "priority": "High"})
    step = step_from("Edit", [job_change(local_id, before, state_of(record.values))])
    assert step is not None
    store.update_job(local_id, {"priority": "Low"})  # changed since, another way
    with pytest.raises(Stale) as refused:
        store.apply_step(step.reversed())
    assert refused.value.field == "priority"
    assert "changed since" in str(refused.value)
    # Nothing of the step was applied: the title kept its edit too.
    after = store.get(local_id)
    assert after is not None
    assert (after.values["title"], after.values["priority"]) == ("Leak under sink", "Low")


def test_a_new_edit_drops_what_could_be_redone_and_the_history_is_bounded() -> None:
    history = History(limit=3)
    steps = [step_from(f"Edit {n}", [JobChange(1, {"title": str(n)}, {"title": str(n + 1)})])
             for n in range(5)]
    for step in steps:
        assert step is not None
        history.record(step)
    assert history.next_undo() is steps[4]
    top = history.next_undo()
    assert top is not None
    history.undone(top)
    assert history.next_redo() is steps[4]
    assert steps[0] is not None
    history.record(steps[0])
    assert history.next_redo() is None
    undone = 0
    while (step := history.next_undo()) is not None:
        history.undone(step)
        undone += 1
    assert undone == 3
