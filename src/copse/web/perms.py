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

import sqlalchemy as sa

from copse.accounts import admin_ops
from copse.accounts.users import membership_flags
from copse.accounts.web_sessions import WebUser
from copse.records import rows as records
from copse.schema.tables import CLIENT_TABLES
from copse.services import manage
from copse.web.endpoint import HttpError, WebContext, forbidden, not_found

#: Server PKs are 32-bit integers on every backend; anything larger cannot exist.
MAX_PK = 2**31 - 1

NOT_ADMIN_FOR_DEVICE = (
    "Some records for this device are in groups for which you are not an administrator"
)


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
    return membership_flags(conn, user.id, group_id)["may_add_notes"]


def finalize_refusal(conn: sa.Connection, user: WebUser, device_id: int) -> str | None:
    """Why this user may not force-finalize this device, or None if they may."""
    if user.superuser:
        return None
    groups = manage.live_groups_by_device(conn, [device_id]).get(device_id, set())
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


def visible_row(ctx: WebContext, table: str, pk: int) -> sa.RowMapping:
    """The row if it exists and the viewer may see its group; otherwise 404 (never 403,
    which would confirm that the record exists)."""
    if table not in CLIENT_TABLES or not 0 < pk <= MAX_PK:
        raise not_found()  # the route takes any digits; PostgreSQL's INTEGER does not
    row = records.get_row(ctx.conn, table, pk)
    if row is None or ctx.user is None or not ctx.user.may_see_group(row["_group_id"]):
        raise not_found()
    return row


def manageable_groups(ctx: WebContext) -> list[tuple[int, str]]:
    """(id, name) of the groups whose server patients the viewer may manage, by name."""
    assert ctx.user is not None
    return admin_ops.manageable_groups(
        ctx.conn, ctx.user.id, ctx.user.superuser, ctx.user.admin_group_ids
    )
