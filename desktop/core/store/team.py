"""The team table: technicians' names as harvested from the server or given here.

A cold path (tens of rows, written when a name arrives), so it goes through the
SQLModel table; the job counts are kept by triggers (``ddl``). The rules for names
are ``core.team``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, or_, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from desktop.core.jobs import ServerJob
from desktop.core.store.schema import TEAM
from desktop.core.team import USER_KEYS, Source, TeamMember, nested_technician, sorted_members

if TYPE_CHECKING:
    # The mirror's writes harvest names here, and the store imports the mirror.
    from desktop.core.store.database import Store


def harvested(jobs: Iterable[ServerJob]) -> dict[str, str]:
    """The names the server nested in ``jobs``, by user id (the last one wins)."""
    found: dict[str, str] = {}
    for job in jobs:
        if not any(key in job.extras for key in USER_KEYS):
            continue
        pair = nested_technician({**job.extras,
                                  "assigned_to_user_id": job.fields.get("assigned_to_user_id")})
        if pair is not None:
            found[pair[0]] = pair[1]
    return found


def harvest(conn: Connection, jobs: Iterable[ServerJob]) -> int:
    """Keep the names the server nested in ``jobs``, inside the caller's transaction.

    A name the office gave here stays: it was chosen on purpose. Returns how many
    names were new or changed.
    """
    names = harvested(jobs)
    if not names:
        return 0
    c = TEAM.c
    upsert = sqlite_insert(TEAM).values(
        [{"user_id": user_id, "name": name, "name_source": "server"}
         for user_id, name in names.items()])
    upsert = upsert.on_conflict_do_update(
        index_elements=[c.user_id],
        set_={"name": upsert.excluded.name, "name_source": upsert.excluded.name_source},
        where=or_(c.name_source.is_(None),
                  (c.name_source == "server") & (c.name != upsert.excluded.name)))
    return int(conn.execute(upsert).rowcount or 0)


def set_names(conn: Connection, pairs: Sequence[tuple[str, str]], source: Source) -> None:
    """Name each ``(user id, name)`` inside the caller's transaction (checked already)."""
    if not pairs:
        return
    upsert = sqlite_insert(TEAM).values(
        [{"user_id": user_id, "name": name, "name_source": source} for user_id, name in pairs])
    conn.execute(upsert.on_conflict_do_update(
        index_elements=[TEAM.c.user_id],
        set_={"name": upsert.excluded.name, "name_source": upsert.excluded.name_source}))


def members(store: Store) -> list[TeamMember]:
    """Every technician seen in jobs or named here: named first by name, then unnamed."""
    c = TEAM.c
    with store.read() as conn:
        rows = conn.execute(select(c.user_id, c.name, c.name_source, c.jobs)).all()
    return sorted_members([TeamMember(str(u), n, cast("Source | None", s), int(j))
                           for u, n, s, j in rows])


def names(store: Store) -> dict[str, str]:
    """The named technicians, name by user id: what ``technician_name`` reads."""
    c = TEAM.c
    with store.read() as conn:
        rows = conn.execute(select(c.user_id, c.name).where(c.name.is_not(None))).all()
    return {str(u): str(n) for u, n in rows}


def name(store: Store, pairs: Sequence[tuple[str, str]]) -> None:
    """Name technicians here (the office's word), all in one transaction."""
    with store.write() as conn:
        set_names(conn, pairs, "local")
