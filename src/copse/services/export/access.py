"""Who may download what, and the per-server pseudonym key.

A user may download the data of a group if they are a superuser, or a member
of it with ``may_dump_data`` (the CamCOPS "may dump data" permission) — and
then also of the groups that group may see (group-group visibility), so a
download never shows less or more than that membership's task list.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa

from copse.accounts.users import User
from copse.schema.tables import group_group, groups, memberships, server_settings
from copse.services.export.options import ExportError, ExportFilter

_SETTINGS_ROW = 1
#: Characters of the pseudonym's hex digest kept: 80 bits, no collisions in practice.
PSEUDONYM_HEX_CHARS = 20


def downloadable_groups(conn: sa.Connection, user: User) -> frozenset[int] | None:
    """Groups whose data ``user`` may download; None means every group (superuser)."""
    if user.superuser:
        return None
    own = {
        int(g)
        for (g,) in conn.execute(
            sa.select(memberships.c.group_id).where(
                memberships.c.user_id == user.id, memberships.c.may_dump_data == sa.true()
            )
        )
    }
    seen = set(own)
    if own:
        q = sa.select(group_group.c.can_see_group_id).where(group_group.c.group_id.in_(own))
        seen.update(int(g) for (g,) in conn.execute(q))
    return frozenset(seen)


def groups_to_export(conn: sa.Connection, user: User, f: ExportFilter) -> frozenset[int] | None:
    """The groups this download covers, refusing what the user may not download.

    Unknown groups are bad input; known groups outside the user's permission
    are refused with the same message as unknown ones would not be, because
    the user may know group names (they are not secret) but not their data.
    """
    known = {int(g) for (g,) in conn.execute(sa.select(groups.c.id))}
    for g in f.group_ids:
        if g not in known:
            raise ExportError(f"group: no group with id {g}")
    allowed = downloadable_groups(conn, user)
    if allowed is not None and not allowed:
        raise ExportError(f"User {user.username!r} may not download data from any group")
    if f.group_ids:
        refused = [g for g in f.group_ids if allowed is not None and g not in allowed]
        if refused:
            raise ExportError(
                f"group: user {user.username!r} may not download data of group id "
                + ", ".join(str(g) for g in refused)
            )
        return frozenset(f.group_ids)
    return allowed


def pseudonym_key(conn: sa.Connection) -> bytes:
    """The server's secret pseudonym key, created on first use (in the caller's transaction)."""
    col = server_settings.c.export_pseudonym_key
    row = conn.execute(
        sa.select(server_settings.c.id, col).where(server_settings.c.id == _SETTINGS_ROW)
    ).first()
    if row is None:
        conn.execute(sa.insert(server_settings).values(id=_SETTINGS_ROW, export_pseudonym_key=None))
    elif row.export_pseudonym_key:
        return bytes.fromhex(row.export_pseudonym_key)
    # Only fill an empty key, so a concurrent first export cannot overwrite one in use.
    conn.execute(
        sa.update(server_settings)
        .where(server_settings.c.id == _SETTINGS_ROW, col.is_(None))
        .values(export_pseudonym_key=secrets.token_hex(32))
    )
    key = conn.execute(sa.select(col).where(server_settings.c.id == _SETTINGS_ROW)).scalar_one()
    return bytes.fromhex(key)


def pseudonym(key: bytes, identity: str) -> str:
    """A stable, keyed, irreversible stand-in for one patient identity string."""
    digest = hmac.new(key, identity.encode("utf-8"), hashlib.sha256).hexdigest()
    return "P" + digest[:PSEUDONYM_HEX_CHARS]
