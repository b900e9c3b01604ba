"""Insert client-table rows with Core, as the upload engine would leave them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from copse.schema.tables import CLIENT_TABLES, devices

BATCH = datetime(2024, 1, 1, 12, 0, 0)


def add_device(conn: sa.Connection, name: str) -> int:
    return int(
        conn.execute(
            sa.insert(devices).values(name=name, currently_preserving=False)
        ).inserted_primary_key[0]
    )


def insert_row(
    conn: sa.Connection,
    table: str,
    *,
    device_id: int,
    group_id: int,
    era: str = "NOW",
    current: bool = True,
    addition_pending: bool = False,
    removal_pending: bool = False,
    **values: Any,
) -> int:
    t = CLIENT_TABLES[table]
    row = dict(
        _device_id=device_id,
        _era=era,
        _current=current,
        _addition_pending=addition_pending,
        _removal_pending=removal_pending,
        _group_id=group_id,
        _when_added_batch_utc=BATCH,
        when_last_modified="2024-01-01T12:00:00.000+00:00",
        _move_off_tablet=0,
    )
    row.update(values)
    return int(conn.execute(sa.insert(t).values(**row)).inserted_primary_key[0])


def add_patient(
    conn: sa.Connection,
    *,
    device_id: int,
    group_id: int,
    pid: int,
    idnums: dict[int, int] | None = None,
    state: dict[str, bool] | None = None,
    idnum_state: dict[str, bool] | None = None,
    **fields: Any,
) -> int:
    """A patient row plus one patient_idnum row per ID number (same lifecycle state)."""
    state = state or {}
    pk = insert_row(
        conn, "patient", device_id=device_id, group_id=group_id, id=pid, **state, **fields
    )
    for n, (which, value) in enumerate(sorted((idnums or {}).items())):
        insert_row(
            conn,
            "patient_idnum",
            device_id=device_id,
            group_id=group_id,
            id=pid * 100 + n,
            patient_id=pid,
            which_idnum=which,
            idnum_value=value,
            **(idnum_state if idnum_state is not None else state),
        )
    return pk
