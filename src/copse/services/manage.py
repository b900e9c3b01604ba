"""Administrators' data operations: finalize preview, erase task, delete patient.

data-model.md §10.1–§10.3.  These services run in the web request's
transaction (never commit), check nothing about permissions (the views do,
on the group of what is acted on), and leave both indexes exact by calling
:mod:`copse.index.maintain` after every change, unlike the reference (§9.7).

Lineages: a task's versions share (table, client id, device, era); its
ancillary rows point at the task's client id through ``fk_to_parent``; its
BLOBs have ``tablename``/``tablepk`` = (task or ancillary table, client id).
Erasing or deleting covers every version of each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from copse.audit import audit
from copse.db.probe import tables_with_rows
from copse.errors import ActionRefused
from copse.index.maintain import reindex_idnums, reindex_patients, reindex_tasks
from copse.records.devicelock import lock_and_reread, lock_devices
from copse.records.patient_match import has_idnum
from copse.schema.columns import ERA_NOW
from copse.schema.registry import COMMIT_ORDER, TABLES, TASK_TABLES
from copse.schema.tables import CLIENT_TABLES
from copse.wire.dates import storage_string

_CHUNK = 40


@dataclass(frozen=True)
class LiveRow:
    table: str
    pk: int
    client_id: int
    current: bool
    when_created: str | None
    group_id: int


@dataclass
class FinalizePreview:
    device_id: int
    counts: dict[str, int] = field(default_factory=dict)
    tasks: list[LiveRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def finalize_preview(conn: sa.Connection, device_id: int) -> FinalizePreview:
    """What force-finalize would move: every NOW row of the device, any state.

    Counts per client table (in commit order) and the task rows themselves,
    all versions (the reference's ``current_only=False``, direct route).
    """
    out = FinalizePreview(device_id)
    for i in range(0, len(COMMIT_ORDER), _CHUNK):
        chunk = COMMIT_ORDER[i : i + _CHUNK]
        selects = [
            sa.select(sa.literal(n, sa.String(128)).label("t"), sa.func.count().label("n"))
            .select_from(CLIENT_TABLES[n])
            .where(CLIENT_TABLES[n].c._device_id == device_id, CLIENT_TABLES[n].c._era == ERA_NOW)
            for n in chunk
        ]
        for name, n in conn.execute(sa.union_all(*selects) if len(selects) > 1 else selects[0]):
            if n:
                out.counts[str(name)] = int(n)
    for table in (t for t in TASK_TABLES if t in out.counts):
        t = CLIENT_TABLES[table]
        for r in conn.execute(
            sa.select(t.c._pk, t.c.id, t.c._current, t.c.when_created, t.c._group_id)
            .where(t.c._device_id == device_id, t.c._era == ERA_NOW)
            .order_by(t.c._pk)
        ):
            out.tasks.append(
                LiveRow(
                    table, int(r._pk), int(r.id), bool(r._current), r.when_created, int(r._group_id)
                )
            )
    return out


# ---------------------------------------------------------------------------
# Lineages
# ---------------------------------------------------------------------------


def _lineage_pks(
    conn: sa.Connection, table: str, client_id: int, device_id: int, era: str
) -> list[int]:
    t = CLIENT_TABLES[table]
    return [
        int(pk)
        for pk in conn.execute(
            sa.select(t.c._pk)
            .where(t.c.id == client_id, t.c._device_id == device_id, t.c._era == era)
            .order_by(t.c._pk)
        ).scalars()
    ]


def dependants(conn: sa.Connection, table: str, row: Mapping[Any, Any]) -> dict[str, list[int]]:
    """Every row of a task's lineage, its ancillary rows and BLOBs (all versions)."""
    dev, era, cid = row["_device_id"], row["_era"], row["id"]
    out: dict[str, list[int]] = {table: _lineage_pks(conn, table, cid, dev, era)}
    owners: list[tuple[str, set[int]]] = [(table, {int(cid)})]
    for child in TABLES[table].ancillary_tables:
        fk = TABLES[child].fk_to_parent
        if not fk:
            continue
        t = CLIENT_TABLES[child]
        rows = conn.execute(
            sa.select(t.c._pk, t.c.id).where(t.c[fk] == cid, t.c._device_id == dev, t.c._era == era)
        ).all()
        if rows:
            out[child] = sorted(int(r._pk) for r in rows)
            owners.append((child, {int(r.id) for r in rows}))
    b = CLIENT_TABLES["blobs"]
    blob_pks: set[int] = set()
    for owner, ids in owners:
        blob_pks.update(
            int(pk)
            for pk in conn.execute(
                sa.select(b.c._pk).where(
                    b.c.tablename == owner,
                    b.c.tablepk.in_(sorted(ids)),
                    b.c._device_id == dev,
                    b.c._era == era,
                )
            ).scalars()
        )
    if blob_pks:
        out["blobs"] = sorted(blob_pks)
    return out


def _task_audit(
    conn: sa.Connection,
    details: str,
    table: str,
    row: Mapping[Any, Any],
    patient_pk: int | None,
    user_id: int,
    now: datetime,
    ip: str | None,
) -> None:
    audit(
        conn,
        details,
        source="webviewer",
        now=now,
        remote_addr=ip,
        user_id=user_id,
        table_name=table,
        server_pk=int(row["_pk"]),
        patient_server_pk=patient_pk,
    )


def _check_erasable(row: Mapping[Any, Any]) -> None:
    if row["_era"] == ERA_NOW:
        raise ActionRefused("This task is live on its device (not finalized) and can't be erased.")


def erase_task(
    conn: sa.Connection,
    table: str,
    row: Mapping[Any, Any],
    patient_pk: int | None,
    user_id: int,
    now: datetime,
    ip: str | None,
) -> dict[str, list[int]]:
    """Wipe a finalized task's content, leaving placeholders (data-model.md §10.2).

    Every version of the task, its ancillary rows and BLOBs: content columns
    NULLed (all but the client's NOT NULL key columns: ``id``,
    ``when_created``, ``patient_id``, parent links), ``_current`` off,
    ``_manually_erased*`` set.  Rows already erased are left alone.  Holds the
    device lock, and works on the row as it is once the lock is held.
    """
    row = lock_and_reread(conn, table, int(row["_pk"]))
    _check_erasable(row)
    if row["_manually_erased"]:
        raise ActionRefused("This task has already been erased.")
    found = dependants(conn, table, row)
    stamp = storage_string(now)
    for name, pks in found.items():
        info, t = TABLES[name], CLIENT_TABLES[name]
        keep = set(info.not_null)
        values: dict[str, Any] = {c.name: None for c in info.columns if c.name not in keep}
        values.update(
            _current=False,
            _manually_erased=True,
            _manually_erased_at=stamp,
            _manually_erasing_user_id=user_id,
        )
        for i in range(0, len(pks), 500):
            conn.execute(
                sa.update(t)
                .where(
                    t.c._pk.in_(pks[i : i + 500]),
                    t.c._era != ERA_NOW,
                    sa.or_(t.c._manually_erased.is_(None), t.c._manually_erased == sa.false()),
                )
                .values(**values)
            )
    reindex_tasks(conn, table, found[table], now)
    _task_audit(conn, "Task details erased manually", table, row, patient_pk, user_id, now, ip)
    # The reference also cancels the task's exports; copse has no export log
    # yet, but writes the same audit entry so the trails stay comparable.
    _task_audit(
        conn,
        "Task cancelled in export log (may trigger resending)",
        table,
        row,
        patient_pk,
        user_id,
        now,
        ip,
    )
    return found


def _hard_delete(
    conn: sa.Connection, table: str, found: Mapping[str, list[int]], now: datetime
) -> None:
    for name, pks in found.items():
        t = CLIENT_TABLES[name]
        for i in range(0, len(pks), 500):
            conn.execute(sa.delete(t).where(t.c._pk.in_(pks[i : i + 500])))
    reindex_tasks(conn, table, found[table], now)


def delete_task_entirely(
    conn: sa.Connection,
    table: str,
    row: Mapping[Any, Any],
    patient_pk: int | None,
    user_id: int,
    now: datetime,
    ip: str | None,
) -> dict[str, list[int]]:
    """Hard-delete every version of a finalized task with its ancillary rows and BLOBs.

    Special notes are left in place, as in the reference.  Holds the device
    lock, and works on the row as it is once the lock is held.
    """
    row = lock_and_reread(conn, table, int(row["_pk"]))
    _check_erasable(row)
    found = dependants(conn, table, row)
    _hard_delete(conn, table, found, now)
    _task_audit(conn, "Task deleted", table, row, patient_pk, user_id, now, ip)
    return found


# ---------------------------------------------------------------------------
# Delete patient by ID number (§10.3)
# ---------------------------------------------------------------------------


@dataclass
class PatientDeletion:
    group_id: int
    which_idnum: int
    idnum_value: int
    #: (table, task row) for every matching task row, all versions and eras.
    tasks: list[tuple[str, sa.RowMapping]] = field(default_factory=list)
    patients: list[sa.RowMapping] = field(default_factory=list)


def _matching_patients(
    conn: sa.Connection, group_id: int, which: int, value: int
) -> list[sa.RowMapping]:
    """Every patient row (any version) in the group with a current matching ID number."""
    p = CLIENT_TABLES["patient"]
    return list(
        conn.execute(
            sa.select(p)
            .where(p.c._group_id == group_id, has_idnum(p, which, value))
            .order_by(p.c._pk)
        ).mappings()
    )


def patient_deletion_preview(
    conn: sa.Connection, group_id: int, which: int, value: int
) -> PatientDeletion:
    """What deleting this patient would remove (data-model.md §10.3).

    Tasks: rows of the group, any version/era/device, whose *current* patient
    (same client id, device, era) has a current matching ID number.
    """
    out = PatientDeletion(group_id, which, value)
    out.patients = _matching_patients(conn, group_id, which, value)
    current = [r for r in out.patients if r["_current"]]
    keys = {(int(r["id"]), int(r["_device_id"]), str(r["_era"])) for r in current}
    if not keys:
        return out
    with_patients = [CLIENT_TABLES[t] for t in TASK_TABLES if TABLES[t].has_patient]
    holding = tables_with_rows(conn, with_patients)  # perf: most task tables are empty
    for t in with_patients:
        if t.name not in holding:
            continue
        table = t.name
        conds = [
            sa.and_(t.c.patient_id == cid, t.c._device_id == dev, t.c._era == era)
            for cid, dev, era in sorted(keys)
        ]
        rows = (
            conn.execute(
                sa.select(t).where(t.c._group_id == group_id, sa.or_(*conds)).order_by(t.c._pk)
            )
            .mappings()
            .all()
        )
        out.tasks.extend((table, r) for r in rows)
    return out


def delete_patient(
    conn: sa.Connection,
    plan: PatientDeletion,
    group_name: str,
    user_id: int,
    now: datetime,
    ip: str | None,
) -> None:
    """Execute a :func:`patient_deletion_preview`.

    Locks every device holding one of the rows, then recomputes the plan
    under the locks (until it names no further device), so an upload from
    one of these devices is either wholly before the deletion or wholly after.
    """
    locked: set[int] = set()
    while True:
        devices_now = {int(r["_device_id"]) for r in plan.patients} | {
            int(r["_device_id"]) for _, r in plan.tasks
        }
        if devices_now <= locked:
            break
        lock_devices(conn, devices_now - locked)
        locked |= devices_now
        plan = patient_deletion_preview(conn, plan.group_id, plan.which_idnum, plan.idnum_value)
    for table, row in plan.tasks:
        found = dependants(conn, table, row)
        _hard_delete(conn, table, found, now)
    p, i = CLIENT_TABLES["patient"], CLIENT_TABLES["patient_idnum"]
    idnum_pks: set[int] = set()
    for r in plan.patients:
        idnum_pks.update(
            int(pk)
            for pk in conn.execute(
                sa.select(i.c._pk).where(
                    i.c.patient_id == r["id"],
                    i.c._device_id == r["_device_id"],
                    i.c._era == r["_era"],
                )
            ).scalars()
        )
    for pks in (sorted(idnum_pks)[n : n + 500] for n in range(0, len(idnum_pks), 500)):
        conn.execute(sa.delete(i).where(i.c._pk.in_(pks)))
    patient_pks = [int(r["_pk"]) for r in plan.patients]
    for n in range(0, len(patient_pks), 500):
        conn.execute(sa.delete(p).where(p.c._pk.in_(patient_pks[n : n + 500])))
    reindex_idnums(conn, idnum_pks, now)
    reindex_patients(conn, patient_pks, now)
    # Exactly the reference's text, missing space included (§10.3).
    audit(
        conn,
        f"Patient and associated tasks DELETED from group {group_name}: "
        f"idnum{plan.which_idnum} = {plan.idnum_value}. "
        f"Task records deleted: {len(plan.tasks)}."
        f"Patient records (current and/or old) deleted {len(patient_pks)}.",
        source="webviewer",
        now=now,
        remote_addr=ip,
        user_id=user_id,
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
