"""Who may change what (policies.md §3.2; data-model.md §10).

Three levels, always scoped by the group of the record acted on:

* superusers may do everything;
* a group administrator (``groupadmin`` membership) may administer records,
  patients and users of the groups they administer, and nothing else;
* other users may only look at their visible groups, and add special notes
  where their membership has ``may_add_notes``.

Force-finalize acts on a whole *device*, whose live records may belong to
several groups (a tablet's uploading user can change group).  A group
administrator may finalize a device only if it has live records and *every*
live record of it, in every client table, is in a group they administer
(data-model.md §10.1 step 2).  So a group administrator can never move
another group's records, and a device with nothing live is superuser-only
(there is nothing to finalize anyway, and it tells them nothing).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from copse.schema.tables import CLIENT_TABLES, memberships
from copse.web.auth import WebUser
from copse.web.endpoint import HttpError, forbidden

ERA_NOW = "NOW"
NOT_ADMIN_FOR_DEVICE = (
    "Some records for this device are in groups for which you are not an administrator"
)
_CHUNK = 40


def may_administer(user: WebUser | None, group_id: int | None) -> bool:
    return user is not None and (
        user.superuser or (group_id is not None and group_id in user.admin_group_ids)
    )


def require_admin_of(user: WebUser | None, group_id: int | None) -> None:
    if not may_administer(user, group_id):
        raise forbidden("You are not an administrator of this record's group.")


def may_add_notes(conn: sa.Connection, user: WebUser | None, group_id: int | None) -> bool:
    """Superuser, administrator of the group, or member with ``may_add_notes``."""
    if user is None or group_id is None:
        return False
    if may_administer(user, group_id):
        return True
    return bool(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(memberships)
            .where(
                memberships.c.user_id == user.id,
                memberships.c.group_id == group_id,
                memberships.c.may_add_notes == sa.true(),
            )
        ).scalar_one()
    )


def live_groups_by_device(
    conn: sa.Connection, device_ids: Iterable[int] | None = None
) -> dict[int, set[int]]:
    """The groups of each device's live (``NOW``) rows, over every client table."""
    wanted = None if device_ids is None else sorted(set(device_ids))
    out: dict[int, set[int]] = {}
    if wanted == []:
        return out
    names = sorted(CLIENT_TABLES)
    for i in range(0, len(names), _CHUNK):
        selects = []
        for name in names[i : i + _CHUNK]:
            t = CLIENT_TABLES[name]
            q = sa.select(t.c._device_id.label("d"), t.c._group_id.label("g")).where(
                t.c._era == ERA_NOW
            )
            if wanted is not None:
                q = q.where(t.c._device_id.in_(wanted))
            selects.append(q.distinct())
        for d, g in conn.execute(sa.union(*selects) if len(selects) > 1 else selects[0]):
            out.setdefault(int(d), set()).add(int(g))
    return out


def finalize_refusal(conn: sa.Connection, user: WebUser, device_id: int) -> str | None:
    """Why this user may not force-finalize this device, or None if they may."""
    if user.superuser:
        return None
    groups = live_groups_by_device(conn, [device_id]).get(device_id, set())
    if not groups & user.admin_group_ids:
        # Says nothing about other groups' records (nor whether there are any).
        return "This device has no live records in your groups."
    if not groups <= user.admin_group_ids:
        return NOT_ADMIN_FOR_DEVICE
    return None


def require_finalize(conn: sa.Connection, user: WebUser | None, device_id: int) -> None:
    assert user is not None
    why = finalize_refusal(conn, user, device_id)
    if why is not None:
        raise HttpError(403, why)
