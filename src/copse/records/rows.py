"""Read-only queries behind the task, patient and BLOB pages.

Relationships follow data-model.md §3: everything a record points at (its
patient, ID numbers, ancillary rows, BLOBs, special notes) is found by
(client id, device, era), taking only the current row of the target.  None of
these functions checks permissions; the views do, on the group of the row
they show, before calling anything that follows a relationship.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from copse.schema.registry import TABLES
from copse.schema.tables import (
    CLIENT_TABLES,
    RESERVED_FIELD_SET,
    devices,
    groups,
    idnum_definitions,
    special_notes,
    users,
)
from copse.tasks.base import BlobInfo, TaskData
from copse.tasks.catalogue import get_task

logger = logging.getLogger(__name__)


def get_row(conn: sa.Connection, table: str, pk: int) -> sa.RowMapping | None:
    t = CLIENT_TABLES[table]
    return conn.execute(sa.select(t).where(t.c._pk == pk)).mappings().first()


def client_values(table: str, row: Mapping[Any, Any]) -> dict[str, Any]:
    """Only the client's own columns of a row (no server bookkeeping)."""
    return {c.name: row.get(c.name) for c in TABLES[table].columns}


def current_patient(conn: sa.Connection, task_row: Mapping[Any, Any]) -> sa.RowMapping | None:
    """The current patient row of a task (same client id, device and era)."""
    if task_row.get("patient_id") is None:
        return None
    p = CLIENT_TABLES["patient"]
    return (
        conn.execute(
            sa.select(p)
            .where(
                p.c.id == task_row["patient_id"],
                p.c._device_id == task_row["_device_id"],
                p.c._era == task_row["_era"],
                p.c._current == sa.true(),
            )
            .order_by(p.c._pk.desc())
        )
        .mappings()
        .first()
    )


def current_version(
    conn: sa.Connection, table: str, row: Mapping[Any, Any]
) -> sa.RowMapping | None:
    t = CLIENT_TABLES[table]
    return (
        conn.execute(
            sa.select(t)
            .where(
                t.c.id == row["id"],
                t.c._device_id == row["_device_id"],
                t.c._era == row["_era"],
                t.c._current == sa.true(),
            )
            .order_by(t.c._pk.desc())
        )
        .mappings()
        .first()
    )


def lineage(conn: sa.Connection, table: str, row: Mapping[Any, Any]) -> list[sa.RowMapping]:
    """Every version of a record: same table, client id, device and era."""
    t = CLIENT_TABLES[table]
    return list(
        conn.execute(
            sa.select(t)
            .where(
                t.c.id == row["id"], t.c._device_id == row["_device_id"], t.c._era == row["_era"]
            )
            .order_by(t.c._pk)
        ).mappings()
    )


def _children(
    conn: sa.Connection, child: str, order_by: str, parent: Mapping[Any, Any]
) -> list[dict[str, Any]]:
    info = TABLES[child]
    t = CLIENT_TABLES[child]
    if not info.fk_to_parent:
        return []
    order_col = t.c[order_by] if order_by in t.c else t.c.id
    rows = conn.execute(
        sa.select(t)
        .where(
            t.c[info.fk_to_parent] == parent["id"],
            t.c._device_id == parent["_device_id"],
            t.c._era == parent["_era"],
            t.c._current == sa.true(),
        )
        .order_by(order_col, t.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def _blob_infos(
    conn: sa.Connection, device_id: int, era: str, ids: Iterable[Any]
) -> dict[int, Any]:
    wanted = sorted({i for i in ids if isinstance(i, int) and not isinstance(i, bool)})
    if not wanted:
        return {}
    b = CLIENT_TABLES["blobs"]
    rows = conn.execute(
        sa.select(
            b.c._pk,
            b.c.id,
            b.c.mimetype,
            b.c.filename,
            b.c.image_rotation_deg_cw,
            sa.func.length(b.c.theblob).label("size"),
        ).where(
            b.c._device_id == device_id,
            b.c._era == era,
            b.c._current == sa.true(),
            b.c.id.in_(wanted),
        )
    ).all()
    return {
        int(r.id): BlobInfo(
            mimetype=r.mimetype,
            filename=r.filename,
            size=r.size,
            url=f"/blobs/{int(r._pk)}",
            rotation_deg_cw=r.image_rotation_deg_cw,
        )
        for r in rows
    }


PatientKey = tuple[int, str, int]  # (device, era, patient client id)


def current_patients(
    conn: sa.Connection, task_rows: Iterable[Mapping[Any, Any]]
) -> dict[PatientKey, sa.RowMapping]:
    """:func:`current_patient` of many task rows in one query: (device, era, id) → row.

    Why: a task list page shows many tasks; one query per task was most of a
    page's time.  Over-approximated with IN lists, then filtered exactly.
    """
    keys = {
        (int(r["_device_id"]), str(r["_era"]), r["patient_id"])
        for r in task_rows
        if r.get("patient_id") is not None
    }
    if not keys:
        return {}
    p = CLIENT_TABLES["patient"]
    q = (
        sa.select(p)
        .where(
            p.c._current == sa.true(),
            p.c._device_id.in_(sorted({k[0] for k in keys})),
            p.c._era.in_(sorted({k[1] for k in keys})),
            p.c.id.in_(sorted({k[2] for k in keys})),
        )
        .order_by(p.c._pk)  # the highest _pk last: it wins, as in current_patient
    )
    found: dict[PatientKey, sa.RowMapping] = {}
    for r in conn.execute(q).mappings():
        k = (int(r["_device_id"]), str(r["_era"]), r["id"])
        if k in keys:
            found[k] = r
    return found


def load_task_data(
    conn: sa.Connection,
    table: str,
    row: Mapping[Any, Any],
    patients: Mapping[PatientKey, sa.RowMapping] | None = None,
) -> Any:
    """A :class:`copse.tasks.base.TaskData` for one task row (any version).

    ``patients``: from :func:`current_patients` for a batch of rows including
    this one (else the patient is looked up here).
    """
    definition = get_task(table)
    ancillary = {
        a.tablename: _children(conn, a.tablename, a.order_by, row) for a in definition.ancillary
    }
    blob_ids: list[Any] = [row.get(c) for c in TABLES[table].blob_id_columns]
    for child, child_rows in ancillary.items():
        for col in TABLES[child].blob_id_columns:
            blob_ids.extend(r.get(col) for r in child_rows)
    if patients is None:
        patient = current_patient(conn, row)
    elif row.get("patient_id") is None:
        patient = None
    else:
        patient = patients.get((int(row["_device_id"]), str(row["_era"]), row["patient_id"]))
    return TaskData(
        row=client_values(table, row),
        ancillary={k: [client_values(k, r) for r in v] for k, v in ancillary.items()},
        blobs=_blob_infos(conn, row["_device_id"], row["_era"], blob_ids),
        patient=client_values("patient", patient) if patient is not None else None,
    )


def task_is_complete(conn: sa.Connection, table: str, pk: int) -> bool | None:
    """The task's own completeness rule; None if it has none or it failed."""
    row = get_row(conn, table, pk)
    if row is None:
        return None
    try:
        return get_task(table).is_complete(load_task_data(conn, table, row))
    except Exception:
        logger.exception("is_complete failed for %s _pk=%s", table, pk)
        return None


def task_html(conn: sa.Connection, table: str, row: Mapping[Any, Any]) -> Markup | None:
    """The catalogue's HTML for the task, or None (the page then shows raw fields)."""
    try:
        return get_task(table).render_html(load_task_data(conn, table, row))
    except Exception:
        logger.exception("render_html failed for %s _pk=%s", table, row.get("_pk"))
        return None


def notes_for(
    conn: sa.Connection, basetable: str, client_id: int, device_id: int, era: str
) -> list[sa.Row[Any]]:
    """Visible special notes of a lineage, oldest first (data-model.md §6.2)."""
    n = special_notes
    return list(
        conn.execute(
            sa.select(n.c.note_id, n.c.note_at, n.c.note, n.c.user_id, users.c.username)
            .select_from(n.outerjoin(users, users.c.id == n.c.user_id))
            .where(
                n.c.basetable == basetable,
                n.c.task_id == client_id,
                n.c.device_id == device_id,
                n.c.era == era,
                n.c.hidden == sa.false(),
            )
            .order_by(n.c.note_at, n.c.note_id)
        )
    )


def idnums_of(conn: sa.Connection, patient: Mapping[Any, Any]) -> list[sa.Row[Any]]:
    i = CLIENT_TABLES["patient_idnum"]
    d = idnum_definitions
    return list(
        conn.execute(
            sa.select(i.c.which_idnum, i.c.idnum_value, d.c.description, d.c.short_description)
            .select_from(i.outerjoin(d, d.c.which_idnum == i.c.which_idnum))
            .where(
                i.c.patient_id == patient["id"],
                i.c._device_id == patient["_device_id"],
                i.c._era == patient["_era"],
                i.c._current == sa.true(),
            )
            .order_by(i.c.which_idnum)
        )
    )


def idnum_definitions_list(conn: sa.Connection) -> list[sa.Row[Any]]:
    d = idnum_definitions
    return list(
        conn.execute(sa.select(d.c.which_idnum, d.c.short_description).order_by(d.c.which_idnum))
    )


def names(conn: sa.Connection, kind: str, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of users, devices or groups by id (for tables of many rows)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    if kind == "user":
        q = sa.select(users.c.id, users.c.username).where(users.c.id.in_(wanted))
    elif kind == "device":
        q = sa.select(
            devices.c.id, sa.func.coalesce(devices.c.friendly_name, devices.c.name)
        ).where(devices.c.id.in_(wanted))
    else:
        q = sa.select(groups.c.id, groups.c.name).where(groups.c.id.in_(wanted))
    return {int(k): str(v) for k, v in conn.execute(q).all()}


def server_columns(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k in RESERVED_FIELD_SET}
