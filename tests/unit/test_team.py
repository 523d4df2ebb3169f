"""The team: naming rules, names nested in server jobs, the team table and its file."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.cli import main
from desktop.config import resolve_paths
from desktop.core.jobs import FieldError, parse_server_job
from desktop.core.store import Store
from desktop.core.store import team as team_store
from desktop.core.store.mirror import apply_remote
from desktop.core.team import (
    NAME_MAX,
    TeamFileError,
    TeamMember,
    check_name,
    export_csv,
    nested_technician,
    parse_csv,
    technician_name,
)
from tests.conftest import make_customer

TECH = "0b707825-aaaa-4bbb-8ccc-123456789abc"
OTHER = "1c818936-aaaa-4bbb-8ccc-123456789abc"


def test_a_technician_is_shown_by_name_or_by_a_short_id() -> None:
    assert technician_name(TECH, {TECH: "Alex Rivera"}) == "Alex Rivera"
    assert technician_name(OTHER, {TECH: "Alex Rivera"}) == "Technician 1c81"
    assert technician_name(None, {}) == "Unassigned"


@pytest.mark.parametrize(("payload", "expected"), [
    ({"assigned_user": {"id": TECH, "first_name": "Alex", "last_name": "Rivera"}},
     (TECH, "Alex Rivera")),
    ({"assigned_to": {"uuid": TECH.upper(), "name": "  Alex   Rivera "}}, (TECH, "Alex Rivera")),
    ({"assigned_to_user_id": TECH, "user": {"email": "alex@example.com"}},
     (TECH, "alex@example.com")),
    ({"assigned_to_user_id": TECH, "user": {"first_name": "Alex"}}, (TECH, "Alex")),
    # The object's own id wins over the job's: it says whom it names.
    ({"assigned_to_user_id": OTHER, "assigned_user": {"user_id": TECH, "name": "Alex"}},
     (TECH, "Alex")),
    ({"assigned_to": TECH}, None),
    ({"assigned_user": {"id": TECH}}, None),
    ({"assigned_user": {"id": "not-an-id", "name": "Alex"}}, None),
    ({"assigned_user": {"name": "Alex"}}, None),
    ({"assigned_user": {"id": TECH, "name": "\x1b[2J", "email": "a@b.c"}}, (TECH, "a@b.c")),
    ({"user": None}, None),
])
def test_a_nested_user_is_read_whatever_its_shape(payload: dict[str, Any],
                                                  expected: tuple[str, str] | None) -> None:
    assert nested_technician(payload) == expected


def test_a_name_is_checked() -> None:
    assert check_name(" Alex \t Rivera ") == "Alex Rivera"
    for bad, problem in (("", "is empty"), ("x" * (NAME_MAX + 1), "at most"),
                         ("Alex\x00", "control"), (3, "must be text")):
        with pytest.raises(FieldError, match=problem) as caught:
            check_name(bad)
        assert caught.value.field == "name"


@pytest.mark.parametrize(("text", "line", "field"), [
    ("name\nAlex\n", 1, "header"),
    (f"id,name\n{TECH},Alex\nnope,Bo\n", 3, "id"),
    (f"id,name\n{TECH},\n", 2, "name"),
    (f"id,name\n{TECH},Alex\n{TECH.upper()},Bo\n", 3, "id"),
    (f"id,name\n{TECH},Al\x07ex\n", 2, "name"),
    (f"id,name\n{TECH}\n", 2, "name"),
])
def test_a_bad_team_file_names_its_line_and_field(text: str, line: int, field: str) -> None:
    with pytest.raises(TeamFileError) as caught:
        parse_csv(text)
    assert (caught.value.line, caught.value.field) == (line, field)


def test_a_team_file_may_carry_other_columns_a_bom_and_blank_lines() -> None:
    text = f"\ufeffjobs,NAME,id\n3,Alex,{TECH}\n\n1,\"Rivera, Bo\",{OTHER}\n"
    assert parse_csv(text) == [(TECH, "Alex"), (OTHER, "Rivera, Bo")]


_names = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1,
                 max_size=NAME_MAX).map(lambda s: " ".join(s.split())).filter(bool)


@settings(max_examples=200)
@given(st.dictionaries(st.uuids().map(str), _names, max_size=20))
def test_the_team_file_round_trips(named: dict[str, str]) -> None:
    members = [TeamMember(u, n, "local", 0) for u, n in named.items()]
    members.append(TeamMember(str(uuid.UUID(int=1)), None, None, 4))
    assert dict(parse_csv(export_csv(members))) == named


def _job(customer: str, assigned: str | None, **extra: Any) -> Any:
    return parse_server_job({"uuid": str(uuid.uuid4()), "title": "Boiler", "status": "New",
                             "customer_uuid": customer, "assigned_to_user_id": assigned,
                             "updated_at": "2025-01-01T00:00:00.000Z", **extra})


def _counts(store: Store) -> dict[str, int]:
    return {m.user_id: m.jobs for m in team_store.members(store)}


def test_the_team_holds_every_technician_in_jobs_with_live_counts(store: Store) -> None:
    customer = make_customer(store)
    with store.write() as conn:
        for assigned in (TECH, TECH, OTHER, None):
            apply_remote(conn, None, _job(customer, assigned))
    assert _counts(store) == {TECH: 2, OTHER: 1}
    job = store.create_job({"customer_uuid": customer, "title": "Mine",
                            "assigned_to_user_id": OTHER})
    assert _counts(store)[OTHER] == 2
    store.update_job(job.local_id, {"assigned_to_user_id": TECH})
    assert _counts(store) == {TECH: 3, OTHER: 1}
    store.delete_job(job.local_id)
    assert _counts(store) == {TECH: 2, OTHER: 1}
    store.restore_job(job.local_id)
    assert _counts(store) == {TECH: 3, OTHER: 1}


def test_a_harvested_name_never_overwrites_the_offices(store: Store) -> None:
    customer = make_customer(store)
    with store.write() as conn:
        apply_remote(conn, None, _job(customer, TECH, assigned_user={
            "id": TECH, "first_name": "Alex", "last_name": "Rivera"}))
        apply_remote(conn, None, _job(customer, OTHER, user={"email": "bo@example.com"}))
    assert team_store.names(store) == {TECH: "Alex Rivera", OTHER: "bo@example.com"}
    assert {m.user_id: m.source for m in team_store.members(store)} == {
        TECH: "server", OTHER: "server"}
    team_store.name(store, [(OTHER, "Bo Chen")])
    with store.write() as conn:
        apply_remote(conn, None, _job(customer, OTHER, user={"email": "b.chen@example.com"}))
        apply_remote(conn, None, _job(customer, TECH, assigned_to={
            "uuid": TECH, "name": "Alexandra Rivera"}))
    assert team_store.names(store) == {TECH: "Alexandra Rivera", OTHER: "Bo Chen"}
    members = {m.user_id: m for m in team_store.members(store)}
    assert (members[OTHER].source, members[OTHER].jobs) == ("local", 2)
    assert [m.name for m in team_store.members(store)] == ["Alexandra Rivera", "Bo Chen"]


# -- the command line ---------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _members(data: Path) -> list[TeamMember]:
    store = Store.open(resolve_paths(data).database)
    try:
        return team_store.members(store)
    finally:
        store.close()


def test_team_commands_name_list_export_and_import(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    office, laptop = tmp_path / "office", tmp_path / "laptop"
    assert _run(capsys, office, "team", "name", TECH.upper(), " Alex  Rivera")[0] == 0
    assert _run(capsys, office, "team", "name", OTHER, "Bo Chen")[0] == 0
    code, out, _ = _run(capsys, office, "team", "list", "--json")
    assert code == 0 and json.loads(out) == [
        {"id": TECH, "name": "Alex Rivera", "jobs": 0, "source": "local"},
        {"id": OTHER, "name": "Bo Chen", "jobs": 0, "source": "local"}]
    code, out, _ = _run(capsys, office, "team", "list")
    assert code == 0 and "Alex Rivera" in out and TECH in out
    shared = tmp_path / "team.csv"
    assert _run(capsys, office, "team", "export", str(shared))[0] == 0
    assert _run(capsys, laptop, "team", "import", str(shared))[0] == 0
    assert _members(laptop) == _members(office)


@pytest.mark.parametrize(("argv", "field"), [
    (("team", "name", "0b70", "Alex"), "id:"),
    (("team", "name", TECH, ""), "name:"),
    (("team", "name", TECH, "A\x1bB"), "name:"),
    (("team", "import", "{missing}"), "file:"),
    (("team", "import", "{bad}"), "line 3: name"),
    (("team", "import", "{binary}"), "file:"),
    (("team", "export", "{nowhere}"), "file:"),
])
def test_bad_team_input_exits_2_naming_the_field_and_changes_nothing(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: tuple[str, ...],
        field: str) -> None:
    data = tmp_path / "data"
    assert _run(capsys, data, "team", "name", OTHER, "Bo Chen")[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,name\n{TECH},Alex\n{OTHER},\n", encoding="utf-8")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"id,name\n\xff\xfe")
    files = {"missing": tmp_path / "missing.csv", "bad": bad, "binary": binary,
             "nowhere": tmp_path / "no-such-folder" / "team.csv"}
    before = _members(data)
    code, _, err = _run(capsys, data, *(a.format(**files) for a in argv))
    assert code == 2 and field in err and "Traceback" not in err
    assert _members(data) == before
