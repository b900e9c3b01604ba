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

Each function raises :class:`copse.services.ActionRefused` with a
readable reason, or does the change (audited by the caller's view).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from copse.errors import ActionRefused, UserError
from copse.policy.evaluate import policy_problems
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


def manageable_groups(
    conn: sa.Connection, user_id: int, superuser: bool, admin_group_ids: Iterable[int]
) -> list[tuple[int, str]]:
    """(id, name) of the groups whose server patients this user may manage, by name:
    every group for a superuser, else those they administer or have ``may_manage_patients`` in."""
    q = sa.select(groups.c.id, groups.c.name).order_by(groups.c.name)
    if not superuser:
        allowed = set(admin_group_ids) | set(
            conn.execute(
                sa.select(memberships.c.group_id).where(
                    memberships.c.user_id == user_id,
                    memberships.c.may_manage_patients == sa.true(),
                )
            ).scalars()
        )
        q = q.where(groups.c.id.in_(sorted(allowed)))
    return [(int(i), str(n)) for i, n in conn.execute(q)]


# ---------------------------------------------------------------------------
# Queries behind the administration pages (users, groups, ID number types)
# ---------------------------------------------------------------------------

#: User columns an administrator's form may set directly.
USER_FLAGS = frozenset({"must_change_password", "upload_group_id", "superuser", "mfa_required"})


def administered_groups(
    conn: sa.Connection, superuser: bool, admin_group_ids: Iterable[int]
) -> list[tuple[int, str]]:
    """(id, name) of the groups this administrator manages (all for a superuser), by name."""
    q = sa.select(groups.c.id, groups.c.name).order_by(groups.c.name)
    if not superuser:
        q = q.where(groups.c.id.in_(sorted(admin_group_ids)))
    return [(int(i), str(n)) for i, n in conn.execute(q)]


def get_user_row(conn: sa.Connection, user_id: int) -> sa.Row[Any] | None:
    return conn.execute(sa.select(users).where(users.c.id == user_id)).first()


def group_ids_of(conn: sa.Connection, user_id: int) -> set[int]:
    """The groups the user is a member of."""
    return {
        int(g)
        for g in conn.execute(
            sa.select(memberships.c.group_id).where(memberships.c.user_id == user_id)
        ).scalars()
    }


def list_users(conn: sa.Connection, in_groups: Iterable[int] | None) -> list[sa.Row[Any]]:
    """Real (not auto-generated) users by name: all, or the members of ``in_groups``."""
    q = sa.select(users).where(users.c.auto_generated == sa.false()).order_by(users.c.username)
    if in_groups is not None:
        members = sa.select(memberships.c.user_id).where(
            memberships.c.group_id.in_(sorted(in_groups))
        )
        q = q.where(users.c.id.in_(members))
    return list(conn.execute(q).all())


def set_user_flags(conn: sa.Connection, user_id: int, **values: object) -> None:
    """Set some of :data:`USER_FLAGS` on one user."""
    unknown = set(values) - USER_FLAGS
    if unknown:
        raise ValueError(f"not user flags: {sorted(unknown)}")
    conn.execute(sa.update(users).where(users.c.id == user_id).values(**values))


def remove_membership(conn: sa.Connection, user_id: int, group_id: int) -> None:
    conn.execute(
        sa.delete(memberships).where(
            memberships.c.user_id == user_id, memberships.c.group_id == group_id
        )
    )


def memberships_of(conn: sa.Connection, user_id: int) -> dict[int, sa.Row[Any]]:
    """The user's membership rows, by group id."""
    rows = conn.execute(sa.select(memberships).where(memberships.c.user_id == user_id))
    return {int(m.group_id): m for m in rows}


def users_with_memberships(conn: sa.Connection) -> list[tuple[sa.Row[Any], list[sa.Row[Any]]]]:
    """Every user (auto-generated ones too) by name, each with its membership rows."""
    every = list(conn.execute(sa.select(memberships)).all())
    by_user: dict[int, list[sa.Row[Any]]] = {}
    for m in every:
        by_user.setdefault(int(m.user_id), []).append(m)
    return [
        (u, by_user.get(int(u.id), []))
        for u in conn.execute(sa.select(users).order_by(users.c.username))
    ]


def list_groups(conn: sa.Connection) -> list[sa.Row[Any]]:
    return list(conn.execute(sa.select(groups).order_by(groups.c.name)).all())


def get_group(conn: sa.Connection, group_id: int) -> sa.Row[Any] | None:
    return conn.execute(sa.select(groups).where(groups.c.id == group_id)).first()


def update_group(conn: sa.Connection, group_id: int, values: dict[str, Any]) -> None:
    conn.execute(sa.update(groups).where(groups.c.id == group_id).values(**values))


def set_group_policies(
    conn: sa.Connection, group_id: int, upload: str | None, finalize: str | None
) -> None:
    """Set a group's upload and/or finalize ID policy (None: leave it; blank: clear it).

    A policy is stored verbatim once it parses and names only defined ID
    numbers; otherwise a UserError with the reference's complaint, and nothing
    is changed.  A cleared policy lets no patient pass.
    """
    valid_idnums = idnum_types(conn)
    values: dict[str, str | None] = {}
    for key, text in (("upload_policy", upload), ("finalize_policy", finalize)):
        if text is None:
            continue
        if not text.strip():
            values[key] = None
            continue
        problem = policy_problems(text, valid_idnums)
        if problem:
            raise UserError(problem)
        values[key] = text
    if values:
        update_group(conn, group_id, values)


def group_names(conn: sa.Connection) -> dict[int, str]:
    """Every group's name, by id."""
    return {int(i): str(n) for i, n in conn.execute(sa.select(groups.c.id, groups.c.name))}


def idnum_types(conn: sa.Connection) -> list[int]:
    """The defined ID number types (``which_idnum``)."""
    return [int(w) for w in conn.execute(sa.select(idnum_definitions.c.which_idnum)).scalars()]


def list_idnums(conn: sa.Connection) -> list[sa.Row[Any]]:
    d = idnum_definitions
    return list(conn.execute(sa.select(d).order_by(d.c.which_idnum)).all())


def get_idnum(conn: sa.Connection, which: int) -> sa.Row[Any] | None:
    d = idnum_definitions
    return conn.execute(sa.select(d).where(d.c.which_idnum == which)).first()


def idnum_problems(
    conn: sa.Connection, which: int | None, desc: str, short: str, new: bool
) -> list[str]:
    """Why this ID number definition can't be saved (the reference's messages), or []."""
    d = idnum_definitions
    out = []
    if which is None or which < 1:
        out.append("The ID number type must be a whole number of at least 1")
        return out
    if new and get_idnum(conn, which) is not None:
        out.append("ID# clashes with another ID number!")
    if not desc or not short:
        out.append("Both descriptions are required")
    others = sa.true() if new else d.c.which_idnum != which
    if conn.execute(sa.select(d.c.which_idnum).where(d.c.description == desc, others)).first():
        out.append("Description is used by another ID number!")
    if conn.execute(
        sa.select(d.c.which_idnum).where(d.c.short_description == short, others)
    ).first():
        out.append("Short description is used by another ID number!")
    return out


def save_idnum(conn: sa.Connection, which: int, new: bool, values: dict[str, Any]) -> None:
    """Add (``new``) or change one ID number definition."""
    d = idnum_definitions
    if new:
        conn.execute(sa.insert(d).values(which_idnum=which, **values))
    else:
        conn.execute(sa.update(d).where(d.c.which_idnum == which).values(**values))
