"""``get_task_schedules``: a patient's schedules with due dates and completion (policies.md §5.6).

For each item the tablet needs the window (start + whole days) and whether
the patient already did the task in that window.  "The patient" means any
patient row, on any device and in any era, that shares at least one ID
number with the server patient: the tablet uploads its own copy of the
patient, never the server's row.  Only tasks in groups the requesting user
may see count, and of those the most recently created one in the window
decides completeness.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from copse.accounts.users import User
from copse.patients.schedules import items_of, now_to_the_minute
from copse.patients.server_patients import ServerPatient
from copse.schema.registry import TABLES
from copse.schema.tables import (
    CLIENT_TABLES,
    group_group,
    memberships,
    patient_task_schedule,
    task_schedule,
)
from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task
from copse.wire.dates import iso8601_pendulum_style, parse_datetime, storage_string

__all__ = ["task_schedules_for_patient", "visible_group_ids"]

_ZERO_OFFSET = timezone(timedelta(0), "+00:00")


def visible_group_ids(conn: sa.Connection, user: User) -> set[int] | None:
    """Groups whose tasks the user may see; None = every group (superuser)."""
    if user.superuser:
        return None
    mine = {
        int(g)
        for g in conn.execute(
            sa.select(memberships.c.group_id).where(memberships.c.user_id == user.id)
        ).scalars()
    }
    if not mine:
        return set()
    also = conn.execute(
        sa.select(group_group.c.can_see_group_id).where(group_group.c.group_id.in_(mine))
    ).scalars()
    return mine | {int(g) for g in also}


def _load_start(text: str) -> datetime:
    """A stored start keeps its own offset; a zero offset is a fixed "+00:00" zone.

    That mirrors the reference, whose reloaded start renders as ``+00:00``
    while a freshly set (UTC) one renders as ``Z``.
    """
    dt = parse_datetime(text)
    if dt.utcoffset() == timedelta(0) and not text.rstrip().upper().endswith("Z"):
        dt = dt.replace(tzinfo=_ZERO_OFFSET)
    return dt


def _settings(text: str | None) -> Mapping[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class _TaskFinder:
    """Finds the patient's tasks per table, one query per table, cached."""

    def __init__(
        self, conn: sa.Connection, patient: ServerPatient, visible: set[int] | None
    ) -> None:
        self.conn = conn
        self.patient = patient
        self.visible = visible
        self._cache: dict[str, list[tuple[datetime, Any]]] = {}

    def tasks(self, table: str) -> list[tuple[datetime, Any]]:
        """(when_created, row) of current tasks of a matching patient, newest first."""
        if table not in self._cache:
            self._cache[table] = self._query(table)
        return self._cache[table]

    def _query(self, table: str) -> list[tuple[datetime, Any]]:
        info = TABLES.get(table)
        if info is None or not info.is_task or not info.has_patient or not self.patient.idnums:
            return []
        if self.visible is not None and not self.visible:
            return []
        t, p, i = CLIENT_TABLES[table], CLIENT_TABLES["patient"], CLIENT_TABLES["patient_idnum"]
        same_patient = (
            sa.select(sa.literal(1))
            .select_from(
                p.join(
                    i,
                    sa.and_(
                        i.c.patient_id == p.c.id,
                        i.c._device_id == p.c._device_id,
                        i.c._era == p.c._era,
                        i.c._current.is_(True),
                    ),
                )
            )
            .where(
                p.c.id == t.c.patient_id,
                p.c._device_id == t.c._device_id,
                p.c._era == t.c._era,
                p.c._current.is_(True),
                sa.or_(
                    *(
                        sa.and_(i.c.which_idnum == which, i.c.idnum_value == value)
                        for which, value in self.patient.idnums
                    )
                ),
            )
        )
        q = sa.select(t).where(t.c._current.is_(True), sa.exists(same_patient))
        if self.visible is not None:
            q = q.where(t.c._group_id.in_(sorted(self.visible)))
        found: list[tuple[datetime, Any]] = []
        for row in self.conn.execute(q):
            try:
                created = parse_datetime(row.when_created)
            except (ValueError, TypeError):
                continue
            found.append((created, row))
        found.sort(
            key=lambda cr: (cr[0], cr[1]._when_added_batch_utc or datetime.min), reverse=True
        )
        return found

    def latest_in(self, table: str, start: datetime, end: datetime | None) -> Any | None:
        for created, row in self.tasks(table):
            if created >= start and (end is None or created < end):
                return row
        return None


def _plain(row: Any) -> dict[str, Any]:
    """A row as a dict, with DECIMAL values as floats.

    MySQL's DOUBLE type hands back ``Decimal`` unless told otherwise; the
    task rules expect the floats the tablet sent.
    """
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in row._mapping.items()}


def _is_complete(conn: sa.Connection, table: str, row: Any) -> bool:
    """The catalogue's rule, given the task's current ancillary rows and patient.

    A task with no completeness rule (the generic fallback answers None)
    counts as complete: the patient did upload it within the window.
    """
    try:
        definition = get_task(table)
    except KeyError:
        return True
    ancillary: dict[str, Sequence[Mapping[str, Any]]] = {}
    for child in definition.ancillary:
        c = CLIENT_TABLES[child.tablename]
        ancillary[child.tablename] = [
            _plain(r)
            for r in conn.execute(
                sa.select(c)
                .where(
                    c.c[child.fk_column] == row.id,
                    c.c._device_id == row._device_id,
                    c.c._era == row._era,
                    c.c._current.is_(True),
                )
                .order_by(c.c[child.order_by] if child.order_by in c.c else c.c.id)
            )
        ]
    p = CLIENT_TABLES["patient"]
    patient = conn.execute(
        sa.select(p).where(
            p.c.id == row.patient_id,
            p.c._device_id == row._device_id,
            p.c._era == row._era,
            p.c._current.is_(True),
        )
    ).first()
    data = TaskData(
        row=_plain(row),
        ancillary=ancillary,
        patient=_plain(patient) if patient is not None else None,
    )
    result = definition.is_complete(data)
    return True if result is None else bool(result)


def _is_anonymous(table: str) -> bool:
    info = TABLES.get(table)
    return info is not None and info.is_task and not info.has_patient


def _iso(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return parse_datetime(text).isoformat()
    except ValueError:
        return text


def task_schedules_for_patient(
    conn: sa.Connection, patient: ServerPatient, user: User, now_utc: datetime
) -> list[dict[str, Any]]:
    """The ``task_schedules`` structure (wire.md §5.4) for one server patient.

    Side effect, as in the reference: a schedule with no start time gets
    now (UTC) truncated to the minute, and keeps it.
    """
    rows = conn.execute(
        sa.select(patient_task_schedule, task_schedule.c.name)
        .join(task_schedule, task_schedule.c.id == patient_task_schedule.c.schedule_id)
        .where(patient_task_schedule.c.patient_pk == patient.pk)
        .order_by(patient_task_schedule.c.id)
    ).all()
    items = items_of(conn, sorted({int(r.schedule_id) for r in rows}))
    finder = _TaskFinder(conn, patient, visible_group_ids(conn, user))
    out: list[dict[str, Any]] = []
    for pts in rows:
        if pts.start_datetime:
            start = _load_start(pts.start_datetime)
        else:
            start = now_to_the_minute(now_utc)
            conn.execute(
                sa.update(patient_task_schedule)
                .where(patient_task_schedule.c.id == pts.id)
                .values(start_datetime=storage_string(start))
            )
        settings = _settings(pts.settings)
        item_dicts = []
        for item in items[int(pts.schedule_id)]:
            due_from = start + timedelta(days=item.due_from_days or 0)
            due_by = (
                start + timedelta(days=item.due_by_days) if item.due_by_days is not None else None
            )
            task = finder.latest_in(item.table, due_from, due_by)
            complete = task is not None and _is_complete(conn, item.table, task)
            table_settings = settings.get(item.table)
            item_dicts.append(
                {
                    "table": item.table,
                    "anonymous": _is_anonymous(item.table),
                    "settings": table_settings if table_settings is not None else {},
                    "due_from": iso8601_pendulum_style(due_from),
                    "due_by": iso8601_pendulum_style(due_by) if due_by is not None else None,
                    "complete": complete,
                    "when_completed": _iso(task.when_last_modified)
                    if complete and task is not None
                    else None,
                }
            )
        out.append({"task_schedule_name": pts.name, "task_schedule_items": item_dicts})
    return out
