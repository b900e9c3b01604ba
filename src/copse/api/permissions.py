"""Permission classes of the client API, with the reference's messages (wire.md §2.5)."""

from __future__ import annotations

import sqlalchemy as sa

from copse.accounts.login import INVALID_LOGIN
from copse.accounts.users import may_register_devices, may_upload
from copse.api.context import Caller
from copse.api.operations import Permission
from copse.errors import UserError


def check_permission(conn: sa.Connection, permission: Permission, caller: Caller) -> None:
    if permission == "anyone":
        return
    user = caller.user
    if user is None:
        # copse: a locked account gets told so instead of the generic message.
        raise UserError(caller.login_error or INVALID_LOGIN)
    if user.upload_group_id is None:
        raise UserError(f"No upload group set for user {user.username}")
    if permission == "registration":
        if not may_register_devices(conn, user):
            raise UserError("User not authorized to register devices for selected group")
        return
    if not may_upload(conn, user):
        raise UserError("User not authorized to upload to selected group")
    if caller.device_id is None:
        raise UserError("Unregistered device")
