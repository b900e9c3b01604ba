"""Task schedules: what a single-patient tablet should do, and when (policies.md §5.5).

A schedule belongs to a group and lists task items, each due from some days
after the patient's start until some days later.  Durations are stored as
the reference stores them (ISO text ``P{y}Y{m}MT{seconds}S``) so that data
moved between the two servers means the same thing.  A schedule is assigned
to a server-created patient with an optional start time (NULL = "when the
patient first downloads it") and optional per-task settings JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from copse.db.insert import insert_id
from copse.errors import UserError
from copse.schema.registry import TABLES
from copse.schema.tables import (
    CLIENT_TABLES,
    groups,
    patient_task_schedule,
    task_schedule,
    task_schedule_item,
)
from copse.wire.dates import storage_string

__all__ = [
    "Schedule",
    "ScheduleItem",
    "add_schedule_item",
    "assign_schedule",
    "create_schedule",
    "days_to_duration",
    "duration_days",
    "list_schedules",
    "parse_settings",
]

SECONDS_PER_DAY = 86400
BAD_SETTINGS = (
    "Please enter a valid JSON object (with settings keyed on task table name) or leave blank"
)
_DURATION = re.compile(
    r"P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+(?:\.\d*)?)S)?)?"
)


def days_to_duration(days: int) -> str:
    """Whole days as the reference's duration text: 30 -> ``P0Y0MT2592000.0S``."""
    return f"P0Y0MT{float(days * SECONDS_PER_DAY)}S"


def duration_days(text: str | None) -> int | None:
    """The whole days of a stored duration (a year counts 365 days, a month 30).

    None for NULL or unreadable text.  Only whole days matter: due dates are
    the start plus this many days, as in the reference.
    """
    if not text:
        return None
    m = _DURATION.fullmatch(text.strip())
    if m is None:
        return None
    g = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    seconds = g["h"] * 3600 + g["mi"] * 60 + g["s"]
    return int(g["y"] * 365 + g["mo"] * 30 + g["w"] * 7 + g["d"] + seconds // SECONDS_PER_DAY)


@dataclass(frozen=True)
class ScheduleItem:
    id: int
    table: str
    due_from_days: int | None
    due_by_days: int | None

    @property
    def due_within_days(self) -> int | None:
        """``due_by - due_from``; ``due_by`` if there is no start; None if no end."""
        if self.due_by_days is None:
            return None
        return self.due_by_days - (self.due_from_days or 0)


@dataclass(frozen=True)
class Schedule:
    id: int
    group_id: int
    name: str | None
    items: tuple[ScheduleItem, ...] = field(default_factory=tuple)


def create_schedule(
    conn: sa.Connection,
    *,
    group_id: int,
    name: str,
    email_subject: str | None = None,
    email_template: str | None = None,
    email_from: str | None = None,
    email_cc: str | None = None,
    email_bcc: str | None = None,
) -> int:
    if conn.execute(sa.select(groups.c.id).where(groups.c.id == group_id)).first() is None:
        raise UserError("Nonexistent group")
    if not name or not name.strip():
        raise UserError("A task schedule needs a name")
    return int(
        insert_id(
            conn,
            sa.insert(task_schedule).values(
                group_id=group_id,
                name=name,
                email_subject=email_subject,
                email_template=email_template,
                email_from=email_from,
                email_cc=email_cc,
                email_bcc=email_bcc,
            ),
        )
    )


def add_schedule_item(
    conn: sa.Connection, *, schedule_id: int, table: str, due_from_days: int, due_within_days: int
) -> int:
    """Add a task, due from ``due_from_days`` for ``due_within_days`` (the web form's rules)."""
    if _schedule_group(conn, schedule_id) is None:
        raise UserError(f"No such task schedule: {schedule_id}")
    info = TABLES.get(table)
    if info is None or not info.is_task:
        raise UserError(f"Not a task table: {table!r}")
    if due_from_days < 0:
        raise UserError("'Due from' must be zero or more days")
    if due_within_days <= 0:
        raise UserError("'Due within' must be more than zero days")
    return int(
        insert_id(
            conn,
            sa.insert(task_schedule_item).values(
                schedule_id=schedule_id,
                task_table_name=table,
                due_from=days_to_duration(due_from_days),
                due_by=days_to_duration(due_from_days + due_within_days),
            ),
        )
    )


def parse_settings(text: str | None) -> dict[str, object] | None:
    """Settings JSON: an object keyed by task table name, or blank (None)."""
    if text is None or not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise UserError(BAD_SETTINGS) from None
    if not isinstance(value, dict):
        raise UserError(BAD_SETTINGS)
    return value


def assign_schedule(
    conn: sa.Connection,
    *,
    patient_pk: int,
    schedule_id: int,
    start: datetime | None = None,
    settings: dict[str, object] | None = None,
) -> int:
    """Give a server-created patient a schedule of the patient's own group.

    ``start`` must be aware (it is stored with its offset); None leaves the
    start to be set when the patient's tablet first asks for its schedules.
    """
    patient = CLIENT_TABLES["patient"]
    group_id = conn.execute(
        sa.select(patient.c._group_id).where(patient.c._pk == patient_pk)
    ).scalar()
    if group_id is None:
        raise UserError(f"No such patient: server PK {patient_pk}")
    schedule_group = _schedule_group(conn, schedule_id)
    if schedule_group is None:
        raise UserError(f"No such task schedule: {schedule_id}")
    if schedule_group != group_id:
        raise UserError("The task schedule belongs to a different group from the patient")
    if start is not None and start.tzinfo is None:
        raise UserError("The start time needs a time zone, e.g. 2024-01-01T09:00:00+00:00")
    if settings is not None and not isinstance(settings, dict):
        raise UserError(BAD_SETTINGS)
    return int(
        insert_id(
            conn,
            sa.insert(patient_task_schedule).values(
                patient_pk=patient_pk,
                schedule_id=schedule_id,
                start_datetime=storage_string(start) if start is not None else None,
                settings=json.dumps(settings) if settings is not None else None,
            ),
        )
    )


def _schedule_group(conn: sa.Connection, schedule_id: int) -> int | None:
    return conn.execute(
        sa.select(task_schedule.c.group_id).where(task_schedule.c.id == schedule_id)
    ).scalar()


def _item_order(item: ScheduleItem) -> tuple[int, int]:
    return (item.due_from_days or 0, item.due_by_days or 0)


def items_of(conn: sa.Connection, schedule_ids: list[int]) -> dict[int, tuple[ScheduleItem, ...]]:
    """Items per schedule, ordered by (due_from, due_by) as the reference orders them."""
    out: dict[int, list[ScheduleItem]] = {sid: [] for sid in schedule_ids}
    if schedule_ids:
        rows = conn.execute(
            sa.select(task_schedule_item)
            .where(task_schedule_item.c.schedule_id.in_(schedule_ids))
            .order_by(task_schedule_item.c.id)
        )
        for r in rows:
            out[int(r.schedule_id)].append(
                ScheduleItem(
                    int(r.id), r.task_table_name, duration_days(r.due_from), duration_days(r.due_by)
                )
            )
    return {sid: tuple(sorted(items, key=_item_order)) for sid, items in out.items()}


def list_schedules(conn: sa.Connection, group_id: int | None = None) -> list[Schedule]:
    q = sa.select(task_schedule).order_by(task_schedule.c.id)
    if group_id is not None:
        q = q.where(task_schedule.c.group_id == group_id)
    rows = conn.execute(q).all()
    items = items_of(conn, [int(r.id) for r in rows])
    return [Schedule(int(r.id), int(r.group_id), r.name, items[int(r.id)]) for r in rows]


def now_to_the_minute(now_utc: datetime) -> datetime:
    """A fresh start time: now (UTC, aware), truncated to the minute."""
    aware = now_utc.replace(tzinfo=UTC) if now_utc.tzinfo is None else now_utc.astimezone(UTC)
    return aware.replace(second=0, microsecond=0)


def has_schedules(conn: sa.Connection, patient_pk: int) -> bool:
    """Whether any task schedule is assigned to this server patient."""
    t = patient_task_schedule
    return conn.execute(sa.select(t.c.id).where(t.c.patient_pk == patient_pk)).first() is not None
