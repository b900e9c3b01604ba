"""One patient's tasks across devices and eras: the tracker and the clinical text view.

A person is uploaded as many patient rows: one per tablet, and a new one in
each era after a finalize. As the reference does, they are recognised as the
same person by an ID number: every *current* patient row, in a group the
viewer may see, holding an ID number (type and value) that the chosen patient
row holds belongs to them. A patient without ID numbers matches only itself.

Everything is read through the exact indexes (``_idnum_index`` for the
numbers, ``_task_index`` for the tasks), so the number of task tables does not
matter; only the tasks found are then loaded row by row. Visibility is applied
here, in SQL, on every row (patients and tasks), so callers cannot forget it;
a patient the viewer may not see is simply not found.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from copse.index.compute import from_stored_utc
from copse.records.rows import current_patients, load_task_data
from copse.schema.tables import CLIENT_TABLES, idnum_index, task_index
from copse.tasks.base import TaskData, TaskDefinition
from copse.tasks.catalogue import get_task
from copse.tasks.meta import RiskFlag, TrackerSpec, format_number
from copse.tasks.tracker_svg import TrackerPoint, band_of
from copse.wire.dates import UTC

logger = logging.getLogger(__name__)

#: Groups the viewer may see; None = every group (superusers).
Groups = frozenset[int] | None


def _in_groups(column: sa.ColumnElement[int], groups: Groups) -> sa.ColumnElement[bool]:
    return sa.true() if groups is None else column.in_(sorted(groups))


def visible_current_patient(conn: sa.Connection, pk: int, groups: Groups) -> sa.RowMapping | None:
    """The current version of the patient row ``pk`` (any version), if the viewer may see it.

    Both the row asked for and its current version must be in a visible
    group; an old version whose record was deleted has no current version and
    so no tasks to show.
    """
    p = CLIENT_TABLES["patient"]
    row = (
        conn.execute(sa.select(p).where(p.c._pk == pk, _in_groups(p.c._group_id, groups)))
        .mappings()
        .first()
    )
    if row is None:
        return None
    if row["_current"]:
        return row
    return (
        conn.execute(
            sa.select(p)
            .where(
                p.c.id == row["id"],
                p.c._device_id == row["_device_id"],
                p.c._era == row["_era"],
                p.c._current == sa.true(),
                _in_groups(p.c._group_id, groups),
            )
            .order_by(p.c._pk.desc())
        )
        .mappings()
        .first()
    )


def matching_patient_pks(conn: sa.Connection, patient_pk: int, groups: Groups) -> list[int]:
    """PKs of every current, visible patient row sharing an ID number with ``patient_pk``.

    Always includes ``patient_pk`` itself (the caller has checked it is
    current and visible).
    """
    ii = idnum_index
    own = (
        sa.select(ii.c.which_idnum, ii.c.idnum_value)
        .where(ii.c.patient_pk == patient_pk, ii.c.idnum_value.is_not(None))
        .subquery()
    )
    p = CLIENT_TABLES["patient"]
    q = (
        sa.select(ii.c.patient_pk)
        .join(
            own,
            sa.and_(own.c.which_idnum == ii.c.which_idnum, own.c.idnum_value == ii.c.idnum_value),
        )
        .join(p, p.c._pk == ii.c.patient_pk)
        .where(p.c._current == sa.true(), _in_groups(p.c._group_id, groups))
        .distinct()
    )
    found = {int(pk) for pk in conn.execute(q).scalars() if pk is not None}
    found.add(patient_pk)
    return sorted(found)


def patient_pks_by_idnum(conn: sa.Connection, which: int, value: int, groups: Groups) -> list[int]:
    """PKs of every current, visible patient row holding this ID number, oldest first."""
    ii = idnum_index
    p = CLIENT_TABLES["patient"]
    q = (
        sa.select(ii.c.patient_pk)
        .join(p, p.c._pk == ii.c.patient_pk)
        .where(
            ii.c.which_idnum == which,
            ii.c.idnum_value == value,
            p.c._current == sa.true(),
            _in_groups(p.c._group_id, groups),
        )
        .distinct()
    )
    return sorted(int(pk) for pk in conn.execute(q).scalars() if pk is not None)


@dataclass(frozen=True)
class ClinicalTask:
    """One task of the patient, scored, as the clinical views show it.

    ``when`` is the creation time in UTC, None if the tablet sent a time that
    cannot be read. ``failed`` is set when the task's own rules raised (the
    error is logged); the task is still listed so that nothing disappears.
    """

    table: str
    pk: int
    when: datetime | None
    when_text: str
    era: str
    definition: TaskDefinition
    data: TaskData | None
    summary: str
    flags: Sequence[RiskFlag] = field(default_factory=tuple)
    complete: bool | None = None
    failed: bool = False

    @property
    def url(self) -> str:
        return f"/tasks/{self.table}/{self.pk}"


def _score(
    conn: sa.Connection, table: str, pk: int
) -> tuple[TaskData | None, str, Sequence[RiskFlag], bool | None, bool]:
    definition = get_task(table)
    t = CLIENT_TABLES[table]
    row = conn.execute(sa.select(t).where(t.c._pk == pk)).mappings().first()
    if row is None:  # the index is exact, so this is a concurrent erase
        return None, f"{definition.shortname}: no longer stored", (), None, True
    try:
        data: TaskData = load_task_data(conn, table, row)
        return (
            data,
            definition.clinical_summary(data),
            tuple(definition.risk_flags(data)),
            definition.is_complete(data),
            False,
        )
    except Exception:
        logger.exception("clinical summary failed for %s _pk=%s", table, pk)
        return None, f"{definition.shortname}: could not be scored", (), None, True


def patient_tasks(
    conn: sa.Connection, patient_pks: Sequence[int], groups: Groups
) -> list[ClinicalTask]:
    """Every current, visible task of these patient rows, oldest first.

    Ties (and unreadable times, which sort first) are broken by table name and
    server PK, so the order is the same on every backend and every call.
    """
    if not patient_pks:
        return []
    ti = task_index
    rows = conn.execute(
        sa.select(
            ti.c.task_table_name,
            ti.c.task_pk,
            ti.c.when_created_utc,
            ti.c.when_created_iso,
            ti.c.era,
        ).where(ti.c.patient_pk.in_(sorted(patient_pks)), _in_groups(ti.c.group_id, groups))
    ).all()
    out: list[ClinicalTask] = []
    for r in rows:
        table, pk = str(r.task_table_name), int(r.task_pk)
        when_utc = from_stored_utc(r.when_created_utc)
        if when_utc is not None:
            when_utc = when_utc.replace(tzinfo=UTC)
        data, summary, flags, complete, failed = _score(conn, table, pk)
        out.append(
            ClinicalTask(
                table=table,
                pk=pk,
                when=when_utc,
                when_text=str(r.when_created_iso),
                era=str(r.era),
                definition=get_task(table),
                data=data,
                summary=summary,
                flags=flags,
                complete=complete,
                failed=failed,
            )
        )
    out.sort(
        key=lambda t: (
            t.when is not None,
            t.when or datetime.min.replace(tzinfo=UTC),
            t.table,
            t.pk,
        )
    )
    return out


@dataclass(frozen=True)
class Tracker:
    """The points of one tracked summary of one task type."""

    table: str
    definition: TaskDefinition
    spec: TrackerSpec
    points: tuple[TrackerPoint, ...]

    @property
    def chart_id(self) -> str:
        return f"tracker-{self.table}-{self.spec.summary}"


def _numeric(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def trackers(tasks: Sequence[ClinicalTask]) -> list[Tracker]:
    """One tracker per (task type, tracked summary) among these tasks, by task name.

    A task without a readable time cannot be placed on a time axis and is
    left out (the clinical text view still lists it); an incomplete task is a
    point listed in the table but not charted (see :class:`TrackerPoint`).
    """
    by_table: dict[str, list[ClinicalTask]] = {}
    for t in tasks:
        if t.definition.trackers and t.when is not None:
            by_table.setdefault(t.table, []).append(t)
    out: list[Tracker] = []
    for table in sorted(by_table, key=lambda name: (get_task(name).shortname.lower(), name)):
        group = by_table[table]
        definition = group[0].definition
        values: list[dict[str, object]] = []
        for t in group:
            try:
                values.append(
                    {s.name: s.value for s in definition.summaries(t.data)} if t.data else {}
                )
            except Exception:
                logger.exception("summaries failed for %s _pk=%s", t.table, t.pk)
                values.append({})
        for spec in definition.trackers:
            points = tuple(
                TrackerPoint(
                    when=t.when,
                    value=_numeric(v.get(spec.summary)),
                    href=t.url,
                    complete=t.complete is not False,
                )
                for t, v in zip(group, values, strict=True)
                if t.when is not None
            )
            out.append(Tracker(table, definition, spec, points))
    return out


@dataclass(frozen=True)
class ListSummary:
    """What a task list shows of one task beyond its keys: name, short result, risk flags."""

    longname: str
    text: str
    flags: tuple[RiskFlag, ...] = ()


def short_result(definition: TaskDefinition, data: TaskData) -> str:
    """The task's headline result for a list column, e.g. "12/27 Moderate".

    The first tracked summary, out of its scale's maximum, with the band its
    cut-offs give; tasks without a tracker show their clinical summary line
    (without the task's name). "(incomplete)" is added when the task says so.
    """
    complete = definition.is_complete(data)
    text = ""
    if definition.trackers:
        spec = definition.trackers[0]
        values = {s.name: s.value for s in definition.summaries(data)}
        value = _numeric(values.get(spec.summary))
        if value is not None:
            text = f"{format_number(value)}/{format_number(spec.y_max)}"
            band = band_of(spec, value)
            if band:
                text += f" {band}"
    if not text:
        line = definition.clinical_summary(data)
        prefix = f"{definition.shortname}: "
        text = line[len(prefix) :] if line.startswith(prefix) else line
        text = text.replace(", incomplete", "").replace("incomplete", "").strip(", ")
    if complete is False:
        text = f"{text} (incomplete)".strip()
    return text


def list_summaries(
    conn: sa.Connection, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], ListSummary]:
    """Summaries of the tasks of one page of a task list (the caller checked visibility).

    A task whose rules fail is shown as "could not be scored" (and logged);
    the list itself never fails because of one task.
    """
    out: dict[tuple[str, int], ListSummary] = {}
    # One query per table for the rows and one for all their patients (not per task).
    by_table: dict[str, list[int]] = {}
    for table, pk in keys:
        if table in CLIENT_TABLES:
            by_table.setdefault(table, []).append(pk)
    rows: dict[tuple[str, int], sa.RowMapping] = {}
    for table, pks in by_table.items():
        t = CLIENT_TABLES[table]
        for r in conn.execute(sa.select(t).where(t.c._pk.in_(sorted(set(pks))))).mappings():
            rows[(table, int(r["_pk"]))] = r
    patients = current_patients(conn, rows.values())
    for table, pk in keys:
        try:
            definition = get_task(table)
        except KeyError:
            continue
        row = rows.get((table, pk))
        if row is None:
            continue
        try:
            data: TaskData = load_task_data(conn, table, row, patients)
            text = short_result(definition, data) if definition.has_logic else ""
            flags = tuple(definition.risk_flags(data))
        except Exception:
            logger.exception("list summary failed for %s _pk=%s", table, pk)
            text, flags = "could not be scored", ()
        out[(table, pk)] = ListSummary(definition.longname, text, flags)
    return out
