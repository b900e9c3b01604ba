"""Deleting server-created patients, and changing task schedules and their assignments.

These complete the web's management of single-patient mode (policies.md
§5.2, §5.5; data-model.md §10.4 "DeleteServerCreatedPatientView").
Services only: callers check permissions (the group's administrators or
members with ``may_manage_patients``) and write the audit entries.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from copse.errors import UserError
from copse.index.maintain import reindex_idnums, reindex_patients
from copse.patients.server_patients import ERA_NOW, server_device_id
from copse.schema.tables import (
    CLIENT_TABLES,
    patient_task_schedule,
    task_schedule,
    task_schedule_item,
    users,
)

patient_t = CLIENT_TABLES["patient"]
idnum_t = CLIENT_TABLES["patient_idnum"]


def server_patient_row(conn: sa.Connection, pk: int) -> sa.RowMapping | None:
    """The current server-created patient with this ``_pk`` (None for any other row)."""
    device_id = server_device_id(conn)
    if device_id is None:
        return None
    return (
        conn.execute(
            sa.select(patient_t).where(
                patient_t.c._pk == pk,
                patient_t.c._device_id == device_id,
                patient_t.c._era == ERA_NOW,
                patient_t.c._current == sa.true(),
            )
        )
        .mappings()
        .first()
    )


def delete_server_patient(conn: sa.Connection, pk: int, now: datetime) -> int:
    """Delete a server-created patient with every version of it and its ID numbers.

    Its schedule assignments go too, and auto-generated users that were tied
    to it lose the link (the reference's ``ON DELETE SET NULL``), so their
    tablet's next patient check fails cleanly.  Both indexes are made exact.
    Returns the number of patient rows deleted.
    """
    row = server_patient_row(conn, pk)
    if row is None:
        raise UserError(f"No such server-created patient: server PK {pk}")
    lineage = (
        patient_t.c.id == row["id"],
        patient_t.c._device_id == row["_device_id"],
        patient_t.c._era == row["_era"],
    )
    patient_pks = [
        int(p) for p in conn.execute(sa.select(patient_t.c._pk).where(*lineage)).scalars()
    ]
    idnum_pks = [
        int(p)
        for p in conn.execute(
            sa.select(idnum_t.c._pk).where(
                idnum_t.c.patient_id == row["id"],
                idnum_t.c._device_id == row["_device_id"],
                idnum_t.c._era == row["_era"],
            )
        ).scalars()
    ]
    conn.execute(
        sa.delete(patient_task_schedule).where(patient_task_schedule.c.patient_pk.in_(patient_pks))
    )
    conn.execute(
        sa.update(users)
        .where(users.c.single_patient_pk.in_(patient_pks))
        .values(single_patient_pk=None)
    )
    if idnum_pks:
        conn.execute(sa.delete(idnum_t).where(idnum_t.c._pk.in_(idnum_pks)))
    conn.execute(sa.delete(patient_t).where(patient_t.c._pk.in_(patient_pks)))
    reindex_idnums(conn, idnum_pks, now)
    reindex_patients(conn, patient_pks, now)
    return len(patient_pks)


def schedule_group(conn: sa.Connection, schedule_id: int) -> int | None:
    return conn.execute(
        sa.select(task_schedule.c.group_id).where(task_schedule.c.id == schedule_id)
    ).scalar()


def rename_schedule(conn: sa.Connection, schedule_id: int, name: str) -> None:
    if not name.strip():
        raise UserError("A task schedule needs a name")
    conn.execute(
        sa.update(task_schedule).where(task_schedule.c.id == schedule_id).values(name=name.strip())
    )


def delete_schedule_item(conn: sa.Connection, schedule_id: int, item_id: int) -> str:
    """Remove one task from a schedule; returns its table name."""
    table = conn.execute(
        sa.select(task_schedule_item.c.task_table_name).where(
            task_schedule_item.c.id == item_id, task_schedule_item.c.schedule_id == schedule_id
        )
    ).scalar()
    if table is None:
        raise UserError(f"No such item in this schedule: {item_id}")
    conn.execute(sa.delete(task_schedule_item).where(task_schedule_item.c.id == item_id))
    return str(table)


def delete_schedule(conn: sa.Connection, schedule_id: int) -> None:
    """Only an unassigned schedule may go: patients' tablets may be working through it."""
    n = conn.execute(
        sa.select(sa.func.count())
        .select_from(patient_task_schedule)
        .where(patient_task_schedule.c.schedule_id == schedule_id)
    ).scalar_one()
    if n:
        raise UserError(
            f"This schedule is assigned to {n} patient(s); take it away from them first"
        )
    conn.execute(
        sa.delete(task_schedule_item).where(task_schedule_item.c.schedule_id == schedule_id)
    )
    conn.execute(sa.delete(task_schedule).where(task_schedule.c.id == schedule_id))


def assignment(conn: sa.Connection, assignment_id: int) -> sa.RowMapping | None:
    return (
        conn.execute(
            sa.select(patient_task_schedule).where(patient_task_schedule.c.id == assignment_id)
        )
        .mappings()
        .first()
    )


def unassign(conn: sa.Connection, assignment_id: int) -> None:
    conn.execute(
        sa.delete(patient_task_schedule).where(patient_task_schedule.c.id == assignment_id)
    )


def assignments_of(conn: sa.Connection, patient_pks: list[int]) -> dict[int, list[sa.RowMapping]]:
    """Schedule assignments by patient ``_pk``, with the schedule's name."""
    out: dict[int, list[sa.RowMapping]] = {pk: [] for pk in patient_pks}
    if not patient_pks:
        return out
    pts = patient_task_schedule
    rows = conn.execute(
        sa.select(
            pts.c.id,
            pts.c.patient_pk,
            pts.c.schedule_id,
            pts.c.start_datetime,
            task_schedule.c.name.label("schedule_name"),
        )
        .join(task_schedule, task_schedule.c.id == pts.c.schedule_id)
        .where(pts.c.patient_pk.in_(patient_pks))
        .order_by(pts.c.id)
    ).mappings()
    for r in rows:
        out[int(r["patient_pk"])].append(r)
    return out
