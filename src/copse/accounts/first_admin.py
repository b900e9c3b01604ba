"""The first start: an administrator on a database that has no users yet.

``copse serve`` calls it before serving, so that a fresh install can be logged
into at once (the README's one command prints the login it returns).
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from copse.accounts.admin_ops import update_group
from copse.accounts.users import create_group, create_user, get_group_id, set_membership
from copse.policy.evaluate import TABLET_ID_POLICY_TEXT
from copse.schema.tables import users
from copse.wire.dates import utcnow


def ensure_admin(
    conn: sa.Connection, bcrypt_rounds: int, password: str | None
) -> tuple[str, str] | None:
    """On a database with no users, create ``admin`` (superuser) and return its login."""
    if conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one() > 0:
        return None
    gid = get_group_id(conn, "default")
    if gid is None:
        gid = create_group(conn, "default", "Created at first start")
        # Start with the tablet's own minimum policy, so uploads work at once;
        # without a policy no patient could satisfy the upload-time check.
        update_group(
            conn,
            gid,
            {"upload_policy": TABLET_ID_POLICY_TEXT, "finalize_policy": TABLET_ID_POLICY_TEXT},
        )
    password = password or secrets.token_urlsafe(12)
    uid = create_user(
        conn,
        "admin",
        password,
        superuser=True,
        upload_group_id=gid,
        fullname="Administrator",
        bcrypt_rounds=bcrypt_rounds,
        now=utcnow(),
    )
    set_membership(
        conn,
        uid,
        gid,
        may_upload=True,
        may_register_devices=True,
        groupadmin=True,
        may_use_webviewer=True,
        may_add_notes=True,
        may_manage_patients=True,
    )
    return "admin", password
