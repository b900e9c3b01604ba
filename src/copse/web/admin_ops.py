"""Deleting and disabling accounts, groups and ID number definitions.

Why these rules: nothing may be deleted that stored data still refers to,
because the records, their history pages and the audit trail would then
point at nothing (or, worse, at a later object reusing the id).  So:

* a **user** who registered a device, added/removed/preserved/erased any
  record or wrote a special note can't be deleted, only *disabled* (their
  password is replaced by an empty hash that no password matches, and their
  login sessions end; setting a new password re-enables them);
* a **group** can't be deleted while any record, user, membership, device
  upload or task schedule uses it;
* an **ID number type** can't be deleted while any ``patient_idnum`` row
  (any version, any era) has that type or a group's ID policy names it,
  as in the reference ("a type in use can't be deleted").

Each function raises :class:`copse.web.manage.ActionRefused` with a
readable reason, or does the change (audited by the caller's view).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import sqlalchemy as sa

from copse.schema.tables import (
    CLIENT_TABLES,
    devices,
    group_group,
    groups,
    idnum_definitions,
    ip_use,
    memberships,
    sessions,
    special_notes,
    task_schedule,
    users,
)
from copse.web.manage import ActionRefused

USER_COLUMNS = (
    "_adding_user_id",
    "_removing_user_id",
    "_preserving_user_id",
    "_manually_erasing_user_id",
)
_CHUNK = 40


def first_client_table(
    conn: sa.Connection, where: Callable[[sa.Table], sa.ColumnElement[bool] | None]
) -> str | None:
    """The name of a client table with a row matching ``where(table)``, or None.

    One UNION query per chunk of tables, each arm limited to one row, so
    this stays cheap even with 150 tables.
    """
    names = sorted(CLIENT_TABLES)
    for i in range(0, len(names), _CHUNK):
        arms = []
        for name in names[i : i + _CHUNK]:
            t = CLIENT_TABLES[name]
            cond = where(t)
            if cond is not None:
                arms.append(sa.select(sa.literal(name).label("t")).where(sa.exists().where(cond)))
        if not arms:
            continue
        found = conn.execute(sa.union_all(*arms) if len(arms) > 1 else arms[0]).first()
        if found is not None:
            return str(found[0])
    return None


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------


def user_usage(conn: sa.Connection, user_id: int) -> str | None:
    """Why this user can't be deleted (what refers to them), or None."""
    if conn.execute(
        sa.select(devices.c.id).where(
            sa.or_(
                devices.c.registered_by_user_id == user_id, devices.c.uploading_user_id == user_id
            )
        )
    ).first():
        return "they registered or are uploading from a device"
    if conn.execute(
        sa.select(special_notes.c.note_id).where(special_notes.c.user_id == user_id)
    ).first():
        return "they wrote special notes"
    table = first_client_table(conn, lambda t: sa.or_(*(t.c[c] == user_id for c in USER_COLUMNS)))
    if table is not None:
        return f"records ({table}) were added, removed, finalized or erased by them"
    return None


def end_sessions(conn: sa.Connection, user_id: int) -> None:
    conn.execute(sa.delete(sessions).where(sessions.c.user_id == user_id))


def disable_user(conn: sa.Connection, user_id: int) -> None:
    """No password will match; every login session ends. A new password re-enables."""
    conn.execute(sa.update(users).where(users.c.id == user_id).values(hashedpw=""))
    end_sessions(conn, user_id)


def delete_user(conn: sa.Connection, user_id: int) -> None:
    why = user_usage(conn, user_id)
    if why is not None:
        raise ActionRefused(f"This user can't be deleted because {why}; disable them instead.")
    end_sessions(conn, user_id)
    conn.execute(sa.delete(memberships).where(memberships.c.user_id == user_id))
    conn.execute(sa.delete(users).where(users.c.id == user_id))


# ---------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------


def visible_groups_of(conn: sa.Connection, group_id: int) -> set[int]:
    """Other groups whose data this group's users may see (policies.md §3.1)."""
    return {
        int(g)
        for g in conn.execute(
            sa.select(group_group.c.can_see_group_id).where(group_group.c.group_id == group_id)
        ).scalars()
    }


def set_visible_groups(conn: sa.Connection, group_id: int, others: Iterable[int]) -> None:
    wanted = {int(g) for g in others} - {group_id}
    known = {int(g) for g in conn.execute(sa.select(groups.c.id)).scalars()}
    unknown = wanted - known
    if unknown:
        raise ActionRefused(f"No such group: {min(unknown)}")
    conn.execute(sa.delete(group_group).where(group_group.c.group_id == group_id))
    for g in sorted(wanted):
        conn.execute(sa.insert(group_group).values(group_id=group_id, can_see_group_id=g))


def group_usage(conn: sa.Connection, group_id: int) -> str | None:
    if conn.execute(sa.select(memberships.c.id).where(memberships.c.group_id == group_id)).first():
        return "it has members"
    if conn.execute(sa.select(users.c.id).where(users.c.upload_group_id == group_id)).first():
        return "it is a user's upload group"
    if conn.execute(
        sa.select(task_schedule.c.id).where(task_schedule.c.group_id == group_id)
    ).first():
        return "it has task schedules"
    table = first_client_table(conn, lambda t: t.c._group_id == group_id)
    if table is not None:
        return f"it holds records ({table})"
    return None


def delete_group(conn: sa.Connection, group_id: int) -> None:
    why = group_usage(conn, group_id)
    if why is not None:
        raise ActionRefused(f"This group can't be deleted because {why}.")
    conn.execute(
        sa.delete(group_group).where(
            sa.or_(group_group.c.group_id == group_id, group_group.c.can_see_group_id == group_id)
        )
    )
    row = conn.execute(sa.select(groups.c.ip_use_id).where(groups.c.id == group_id)).first()
    conn.execute(sa.delete(groups).where(groups.c.id == group_id))
    if row is not None and row.ip_use_id is not None:
        conn.execute(sa.delete(ip_use).where(ip_use.c.id == row.ip_use_id))


# ---------------------------------------------------------------------------
# ID number definitions
# ---------------------------------------------------------------------------


def idnum_usage(conn: sa.Connection, which: int) -> str | None:
    i = CLIENT_TABLES["patient_idnum"]
    if conn.execute(sa.select(i.c._pk).where(i.c.which_idnum == which).limit(1)).first():
        return "patients have ID numbers of this type"
    pattern = re.compile(rf"\bidnum{which}\b", re.IGNORECASE)
    for name, up, fin in conn.execute(
        sa.select(groups.c.name, groups.c.upload_policy, groups.c.finalize_policy)
    ):
        if pattern.search(up or "") or pattern.search(fin or ""):
            return f"the ID policies of group {name} use it"
    return None


def delete_idnum(conn: sa.Connection, which: int) -> None:
    why = idnum_usage(conn, which)
    if why is not None:
        raise ActionRefused(f"ID number type {which} can't be deleted because {why}.")
    conn.execute(sa.delete(idnum_definitions).where(idnum_definitions.c.which_idnum == which))
