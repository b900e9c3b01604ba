"""Tablet registration: a device's row in ``_security_devices``.

The client API's ``register`` (wire.md §3.6) creates the row the first time a
tablet registers and refreshes its details when it registers again; the row's
id is what every later upload of that tablet is filed under.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from copse.db.insert import insert_id
from copse.errors import UserError
from copse.schema.tables import devices


def register_device(
    conn: sa.Connection,
    device_id: int | None,
    name: str,
    *,
    friendly_name: str | None,
    camcops_version: str,
    registered_by_user_id: int | None,
    when_registered_utc: datetime,
) -> int:
    """Record a registration; returns the device's id.

    ``device_id``: the row of a device already registered under ``name``
    (None for a new one).  Two tablets registering one new name at once: the
    second insert fails on the unique name, and says so as the reference does
    ("Failed to insert record"), leaving the transaction usable.
    """
    values = dict(
        friendly_name=friendly_name,
        camcops_version=camcops_version,
        registered_by_user_id=registered_by_user_id,
        when_registered_utc=when_registered_utc,
    )
    if device_id is not None:
        conn.execute(sa.update(devices).where(devices.c.id == device_id).values(**values))
        return device_id
    try:
        with conn.begin_nested():
            return int(
                insert_id(
                    conn,
                    sa.insert(devices).values(name=name, currently_preserving=False, **values),
                )
            )
    except sa.exc.IntegrityError:
        raise UserError("Failed to insert record") from None
