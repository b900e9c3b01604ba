"""Rows for web tests, inserted directly with Core (the upload engine is separate work).

Each factory fills the server columns the way a committed upload leaves
them, and returns the new row's server PK.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from copse.schema.tables import CLIENT_TABLES, devices, special_notes

BATCH = datetime(2024, 3, 1, 12, 0, 0)


def make_device(
    conn: sa.Connection, name: str, *, user_id: int | None = None, friendly_name: str | None = None
) -> int:
    return int(
        conn.execute(
            sa.insert(devices).values(
                name=name,
                friendly_name=friendly_name or f"Tablet {name}",
                registered_by_user_id=user_id,
                when_registered_utc=BATCH,
                camcops_version="2.4.24",
            )
        ).inserted_primary_key[0]
    )


def _server_values(
    device_id: int, group_id: int, era: str, user_id: int | None, current: bool = True
) -> dict[str, Any]:
    return {
        "_device_id": device_id,
        "_era": era,
        "_current": current,
        "_group_id": group_id,
        "_when_added_exact": "2024-03-01T12:00:00.000000+00:00",
        "_when_added_batch_utc": BATCH,
        "_adding_user_id": user_id,
        "_addition_pending": False,
        "_removal_pending": False,
        "_camcops_version": "2.4.24",
    }


def make_row(
    conn: sa.Connection,
    table: str,
    *,
    device_id: int,
    group_id: int,
    era: str = "NOW",
    user_id: int | None = None,
    current: bool = True,
    **fields: Any,
) -> int:
    values = _server_values(device_id, group_id, era, user_id, current)
    values.update(fields)
    values.setdefault("when_last_modified", "2024-03-01T11:00:00.000+00:00")
    return int(
        conn.execute(sa.insert(CLIENT_TABLES[table]).values(**values)).inserted_primary_key[0]
    )


def make_patient(
    conn: sa.Connection,
    *,
    device_id: int,
    group_id: int,
    client_id: int,
    forename: str,
    surname: str,
    dob: str = "1970-01-01",
    sex: str = "F",
    era: str = "NOW",
    user_id: int | None = None,
    idnums: dict[int, int] | None = None,
) -> int:
    pk = make_row(
        conn,
        "patient",
        device_id=device_id,
        group_id=group_id,
        era=era,
        user_id=user_id,
        id=client_id,
        forename=forename,
        surname=surname,
        dob=dob,
        sex=sex,
    )
    for n, (which, value) in enumerate(sorted((idnums or {}).items()), start=1):
        make_row(
            conn,
            "patient_idnum",
            device_id=device_id,
            group_id=group_id,
            era=era,
            user_id=user_id,
            id=client_id * 100 + n,
            patient_id=client_id,
            which_idnum=which,
            idnum_value=value,
        )
    return pk


def make_task(
    conn: sa.Connection,
    table: str,
    *,
    device_id: int,
    group_id: int,
    client_id: int,
    when_created: str,
    patient_id: int | None = None,
    era: str = "NOW",
    user_id: int | None = None,
    current: bool = True,
    **fields: Any,
) -> int:
    if patient_id is not None:
        fields["patient_id"] = patient_id
    return make_row(
        conn,
        table,
        device_id=device_id,
        group_id=group_id,
        era=era,
        user_id=user_id,
        current=current,
        id=client_id,
        when_created=when_created,
        **fields,
    )


def make_note(
    conn: sa.Connection,
    *,
    basetable: str,
    task_id: int,
    device_id: int,
    era: str,
    note: str,
    user_id: int | None = None,
    hidden: bool = False,
) -> None:
    conn.execute(
        sa.insert(special_notes).values(
            basetable=basetable,
            task_id=task_id,
            device_id=device_id,
            era=era,
            note_at="2024-03-02T09:00:00+00:00",
            user_id=user_id,
            note=note,
            hidden=hidden,
        )
    )


PHQ9_COMPLETE = {f"q{i}": 1 for i in range(1, 11)}


def reindex(engine: sa.Engine) -> None:
    """Rebuild both indexes: these factories write rows directly, past the engine."""
    from copse.index.rebuild import reindex_all

    with engine.begin() as conn:
        reindex_all(conn, datetime(2024, 3, 1, 12, 0, 0))


def check_index(engine: sa.Engine) -> list[str]:
    from copse.index.rebuild import check_index as check

    with engine.connect() as conn:
        return check(conn)
