"""Tasks for the read API: a cursor-paged list with summaries, one task in full, BLOBs.

The list is the web task list's filters (:class:`~copse.records.tasklist.TaskFilter`)
answered from the task index in a fixed keyset order
(:func:`copse.index.tasklist.list_tasks_after`).  Summaries are computed by
each task's own definition, as on the web pages and in downloads.  A task
or BLOB in a group the viewer may not see is "not found" (None), exactly as
one that does not exist.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from copse.index.tasklist import Keyset, list_tasks_after
from copse.records import rows as records
from copse.records.tasklist import TaskFilter, TaskRef
from copse.schema.registry import TABLES, TASK_TABLES
from copse.schema.tables import CLIENT_TABLES, RESERVED_FIELDS
from copse.services.readapi import cursor as cursors
from copse.tasks.base import TaskData, TaskDefinition
from copse.tasks.catalogue import get_task

logger = logging.getLogger(__name__)

Groups = frozenset[int] | None
Json = dict[str, Any]


def json_value(v: Any) -> Any:
    """A stored value as JSON: dates as ISO text, no NaN/infinity, BLOB bytes left out."""
    if isinstance(v, bool) or v is None or isinstance(v, int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, bytes | bytearray | memoryview):
        return None
    return str(v)


def visible(group_id: int | None, groups: Groups) -> bool:
    return groups is None or (group_id is not None and group_id in groups)


def task_url(prefix: str, table: str, pk: int) -> str:
    return f"{prefix}/tasks/{table}/{pk}"


def summaries_of(definition: TaskDefinition, data: TaskData) -> list[Json] | None:
    """The task's standard and own summaries; None (logged) if its rules fail."""
    try:
        found = [*definition.standard_summaries(data), *definition.summaries(data)]
    except Exception:
        logger.exception("summaries failed for %s", definition.tablename)
        return None
    return [
        {
            "name": s.name,
            "value": json_value(s.value),
            "description": s.description,
            "out_of": json_value(s.out_of),
        }
        for s in found
    ]


@dataclass(frozen=True)
class TaskListPage:
    items: list[Json]
    next_cursor: str | None


def _keyset(raw: list[Any]) -> Keyset:
    try:
        wc, wab, table, pk = raw
        if not isinstance(table, str) or isinstance(pk, bool) or not isinstance(pk, int):
            raise ValueError
        return datetime.fromisoformat(wc), datetime.fromisoformat(wab), table, pk
    except (ValueError, TypeError):
        raise cursors.BadCursor("cursor: not a cursor this server gave out") from None


def _rows_by_key(conn: sa.Connection, table: str, pks: Iterable[int]) -> dict[int, sa.RowMapping]:
    t = CLIENT_TABLES[table]
    wanted = sorted(set(pks))
    if not wanted:
        return {}
    return {
        int(r["_pk"]): r for r in conn.execute(sa.select(t).where(t.c._pk.in_(wanted))).mappings()
    }


def _page_data(conn: sa.Connection, refs: list[TaskRef]) -> dict[tuple[str, int], TaskData]:
    """Each task's :class:`TaskData`, loaded a table at a time where possible.

    Why: row-by-row loading costs two queries per task (row, patient), most of
    a 100-task page's time.  A task with no ancillary tables and no BLOB
    columns needs only its row and its current patient, which the index
    already names (``patient_pk``), so those are fetched in one query per
    table; other tasks use :func:`copse.records.rows.load_task_data` as the
    web pages do.  Both give the same ``TaskData``.
    """
    by_table: dict[str, list[TaskRef]] = {}
    for ref in refs:
        by_table.setdefault(ref.table, []).append(ref)
    patients = _rows_by_key(conn, "patient", (r.patient_pk for r in refs if r.patient_pk))
    out: dict[tuple[str, int], TaskData] = {}
    for table, group in by_table.items():
        rows = _rows_by_key(conn, table, (r.pk for r in group))
        simple = not TABLES[table].ancillary_tables and not TABLES[table].blob_id_columns
        for ref in group:
            row = rows.get(ref.pk)
            if row is None:
                continue
            if not simple:
                out[(table, ref.pk)] = records.load_task_data(conn, table, row)
                continue
            patient = patients.get(ref.patient_pk) if ref.patient_pk else None
            out[(table, ref.pk)] = TaskData(
                row=records.client_values(table, row),
                patient=records.client_values("patient", patient) if patient else None,
            )
    return out


def _list_item(prefix: str, ref: TaskRef, data: TaskData | None) -> Json:
    definition = get_task(ref.table)
    return {
        "table": ref.table,
        "pk": ref.pk,
        "url": task_url(prefix, ref.table, ref.pk),
        "task_type": definition.shortname,
        "when_created": ref.when_created_iso,
        "when_created_utc": json_value(ref.when_created_utc),
        "era": ref.era,
        "group_id": ref.group_id,
        "device_id": ref.device_id,
        "adding_user_id": ref.adding_user_id,
        "patient_pk": ref.patient_pk,
        "patient_url": f"{prefix}/patients/{ref.patient_pk}" if ref.patient_pk else None,
        "complete": ref.complete,
        "summaries": summaries_of(definition, data) if data is not None else None,
    }


def list_tasks(
    conn: sa.Connection,
    f: TaskFilter,
    groups: Groups,
    *,
    cursor: str | None,
    limit: int,
    prefix: str,
) -> TaskListPage:
    """One page of visible tasks after ``cursor``, each with its summaries."""
    after = _keyset(cursors.decode(cursor, f)) if cursor else None
    found = list_tasks_after(conn, f, groups, after=after, limit=limit + 1)
    page = found[:limit]
    refs = [ref for ref, _ in page]
    data = _page_data(conn, refs)
    items = [_list_item(prefix, ref, data.get((ref.table, ref.pk))) for ref in refs]
    next_cursor = None
    if len(found) > limit and page:
        wc, wab, table, pk = page[-1][1]
        next_cursor = cursors.encode([wc.isoformat(), wab.isoformat(), table, pk], f)
    return TaskListPage(items, next_cursor)


def blob_links(
    conn: sa.Connection, prefix: str, device_id: int, era: str, ids: Iterable[Any]
) -> list[Json]:
    """The current BLOBs (same device and era) with these client ids, as links."""
    wanted = sorted({i for i in ids if isinstance(i, int) and not isinstance(i, bool)})
    if not wanted:
        return []
    b = CLIENT_TABLES["blobs"]
    rows = conn.execute(
        sa.select(
            b.c._pk,
            b.c.id,
            b.c.mimetype,
            b.c.filename,
            b.c.tablename,
            b.c.fieldname,
            sa.func.length(b.c.theblob).label("size"),
        )
        .where(
            b.c._device_id == device_id,
            b.c._era == era,
            b.c._current == sa.true(),
            b.c.id.in_(wanted),
        )
        .order_by(b.c.id)
    ).all()
    return [
        {
            "pk": int(r._pk),
            "id": int(r.id),
            "table": r.tablename,
            "field": r.fieldname,
            "mimetype": r.mimetype,
            "filename": r.filename,
            "size": r.size,
            "url": f"{prefix}/blobs/{int(r._pk)}",
        }
        for r in rows
    ]


def _patient(conn: sa.Connection, prefix: str, row: Mapping[Any, Any], groups: Groups) -> Any:
    patient = records.current_patient(conn, row)
    if patient is None or not visible(patient["_group_id"], groups):
        return None
    return {
        "pk": int(patient["_pk"]),
        "url": f"{prefix}/patients/{int(patient['_pk'])}",
        "forename": patient["forename"],
        "surname": patient["surname"],
        "dob": patient["dob"],
        "sex": patient["sex"],
        "idnums": [
            {"which_idnum": int(i.which_idnum), "idnum_value": i.idnum_value}
            for i in records.idnums_of(conn, patient)
        ],
    }


def task_detail(
    conn: sa.Connection, table: str, pk: int, groups: Groups, *, prefix: str
) -> Json | None:
    """One task (any version) in full, or None if missing or not visible."""
    if table not in TASK_TABLES:
        return None
    row = records.get_row(conn, table, pk)
    if row is None or not visible(row["_group_id"], groups):
        return None
    definition = get_task(table)
    data = records.load_task_data(conn, table, row)
    blob_ids: list[Any] = [row.get(c) for c in TABLES[table].blob_id_columns]
    for child, child_rows in data.ancillary.items():
        for col in TABLES[child].blob_id_columns:
            blob_ids.extend(r.get(col) for r in child_rows)
    complete: bool | None
    try:
        complete = definition.is_complete(data)
    except Exception:
        logger.exception("is_complete failed for %s _pk=%s", table, pk)
        complete = None
    return {
        "table": table,
        "pk": pk,
        "url": task_url(prefix, table, pk),
        "task_type": definition.shortname,
        "longname": definition.longname,
        "complete": complete,
        "server": {name: json_value(row.get(name)) for name in RESERVED_FIELDS},
        "fields": {k: json_value(v) for k, v in records.client_values(table, row).items()},
        "ancillary": {
            child: [{k: json_value(v) for k, v in r.items()} for r in child_rows]
            for child, child_rows in data.ancillary.items()
        },
        "blobs": blob_links(conn, prefix, int(row["_device_id"]), str(row["_era"]), blob_ids),
        "summaries": summaries_of(definition, data),
        "patient": _patient(conn, prefix, row, groups),
    }


@dataclass(frozen=True)
class BlobContent:
    data: bytes
    mimetype: str
    table: str | None


def blob_content(conn: sa.Connection, pk: int, groups: Groups) -> BlobContent | None:
    """A BLOB's bytes, or None if missing or in a group the viewer may not see."""
    row = records.get_row(conn, "blobs", pk)
    if row is None or not visible(row["_group_id"], groups):
        return None
    return BlobContent(
        bytes(row["theblob"] or b""), (row["mimetype"] or "").strip().lower(), row["tablename"]
    )
