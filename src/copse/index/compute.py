"""Computing `_task_index` and `_idnum_index` entries exactly from the data.

One definition of "what the entry for this row must be" serves every path
(upload maintenance, web actions, full rebuild, ``check-index``), so they can
never disagree.  The reference computes entries differently on different
paths (an idnum with a NULL value is indexed at upload but not on rebuild;
data-model.md §9.7); copse has exactly one rule, the rebuild's:

* **Task entry** (data-model.md §9.2), for every ``_current`` task row of any
  era: ``patient_pk`` = the ``_pk`` of the current patient with ``id =
  patient_id`` in the same device and era (NULL for anonymous tasks or when
  no such patient exists; if the lifecycle invariant were ever broken and two
  were current, the highest ``_pk``, as the web's task view picks);
  completeness from the task catalogue, judged on the task's current
  ancillary rows and BLOB infos (same device and era) and its current patient,
  exactly the :class:`~copse.tasks.TaskData` the web view builds.
* **ID-number entry** (§9.1): every ``_current`` ``patient_idnum`` row with a
  non-NULL value whose patient (same device and era) has a current row.  An
  ID number without a value or without a patient can never match an ID
  filter of the task list, so leaving it out keeps "index list = direct
  list" while giving one rule for upload and rebuild alike.

Both are set-based: a fixed handful of queries per table and per chunk of
:data:`CHUNK` rows, never one per task.

Two columns are NOT NULL in the index but may be missing in the data:

* ``when_created_utc``: ``when_created`` that is NULL or unparseable (hostile
  or broken client data) is stored as :data:`MISSING_UTC`, a sentinel far
  below any real date; readers turn it back into None (see :func:`from_stored_utc`).
* ``when_added_batch_utc``: every row the engine makes current gets its batch
  time, but server-created rows (web or CLI) might lack one; they get the
  same sentinel, read back as None, so the index list reports exactly what
  the direct query reads from the task row (None) and sorts it as the oldest.

``patient_sort_key`` is the current patient's place in "sort by patient"
(:func:`copse.records.tasklist.patient_sort_key`; a task without a patient
gets the key of no names), so that order is an index scan; editing a patient
re-indexes its tasks (:mod:`copse.index.maintain`), which keeps it exact.

``when_created_iso`` is a VARCHAR(40): longer (hostile) text is cut to 40
characters and NULL stored as ``""``; the task list reads the full value from
the task row, so this only affects the cached copy.
"""

from __future__ import annotations

import functools
import logging
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from copse.db.inlist import int_list
from copse.records.tasklist import created_utc, patient_sort_key
from copse.schema.registry import PATIENT_IDNUM_TABLE, PATIENT_TABLE, TABLES
from copse.schema.tables import CLIENT_TABLES
from copse.tasks import BlobInfo, TaskData, get_task
from copse.tasks.base import COMPLETE_SUMMARY
from copse.tasks.summaries_store import SUMMARIES_VERSION, encode, summary_values

logger = logging.getLogger(__name__)

CHUNK = 500
#: Stored for a missing/unparseable date in a NOT NULL index column.
MISSING_UTC = datetime(1000, 1, 1, 0, 0, 0, 1)
ISO_MAX = 40

T = TypeVar("T")
Key = tuple[int, str, Any]  # (device_id, era, client id)


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Sorted, bounded IN-lists, so no statement grows without limit."""
    seq = sorted(set(items))  # type: ignore[type-var]
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter), in their order."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def naive(dt: Any) -> datetime | None:
    """A stored date/time as naive UTC (drivers differ on tzinfo)."""
    if dt is None:
        return None
    if isinstance(dt, str):  # defensive: raw SQLite text
        dt = datetime.fromisoformat(dt)
    if not isinstance(dt, datetime):
        raise TypeError(f"expected a date/time, got {dt!r}")
    return dt.replace(tzinfo=None) if dt.tzinfo is not None else dt


def to_stored_utc(dt: datetime | None) -> datetime:
    return MISSING_UTC if dt is None else dt


def from_stored_utc(dt: Any) -> datetime | None:
    """Undo :func:`to_stored_utc` for values read back from the index."""
    d = naive(dt)
    return None if d is None or d == MISSING_UTC else d


@functools.cache
def _client_names(table: str) -> tuple[tuple[str, ...], Callable[[Any], Any]]:
    names = tuple(c.name for c in TABLES[table].columns)
    return names, operator.itemgetter(*names)


def client_values(table: str, row: Mapping[Any, Any]) -> dict[str, Any]:
    """Only the client's own columns (what the task catalogue judges).

    perf: an upload's index update builds one such dict per task, ancillary
    row and patient; a row that has every column (a whole-table SELECT) is
    copied with one C ``itemgetter`` call instead of a lookup per column.
    """
    names, getter = _client_names(table)
    if len(names) > 1:
        try:
            return dict(zip(names, getter(row), strict=True))
        except KeyError:  # a partial row: absent columns read as None
            pass
    return {n: row.get(n) for n in names}


#: The real client's own timestamp shape (wire.md §4.4), with milliseconds, or
#: microseconds as a CamCOPS server stores it (an import's rows), which C
#: ``fromisoformat`` parses to exactly what ``parse_datetime`` gives.
_CLIENT_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"\.[0-9]{3}(?:[0-9]{3})?[+-][0-9]{2}:[0-9]{2}"
)


def entry_created_utc(when: Any) -> datetime | None:
    """:func:`copse.records.tasklist.created_utc`, with a C fast path for the client's shape."""
    if isinstance(when, str) and _CLIENT_DATETIME_RE.fullmatch(when):
        try:
            return datetime.fromisoformat(when).astimezone(UTC).replace(tzinfo=None)
        except (ValueError, OverflowError):
            pass
    return created_utc(when)


def select_current_by_keys(
    conn: sa.Connection, table: str, column: str, keys: set[Key], cols: Sequence[str] | None = None
) -> list[sa.RowMapping]:
    """Current rows of ``table`` whose (device, era, ``column``) is in ``keys``.

    One query per chunk of client ids, over-approximated with IN lists on
    each dimension, then filtered exactly in Python.
    """
    if not keys:
        return []
    t = CLIENT_TABLES[table]
    what = [t] if cols is None else [t.c[c] for c in cols]
    devs = sorted({k[0] for k in keys})
    eras = sorted({k[1] for k in keys})
    out: list[sa.RowMapping] = []
    for ids in chunked({k[2] for k in keys if k[2] is not None}):
        q = (
            sa.select(*what)
            .where(
                t.c._current == sa.true(),
                t.c._device_id.in_(int_list(devs)),
                t.c._era.in_(eras),
                t.c[column].in_(int_list(ids)),
            )
            .order_by(t.c._pk)
        )
        out.extend(
            r for r in conn.execute(q).mappings() if (r["_device_id"], r["_era"], r[column]) in keys
        )
    return out


def current_patients(conn: sa.Connection, keys: set[Key]) -> dict[Key, sa.RowMapping]:
    """(device, era, patient client id) → the current patient row (highest ``_pk``)."""
    found: dict[Key, sa.RowMapping] = {}
    for r in select_current_by_keys(conn, PATIENT_TABLE, "id", keys):
        k = (r["_device_id"], r["_era"], r["id"])
        if k not in found or r["_pk"] > found[k]["_pk"]:
            found[k] = r
    return found


def _ids(values: Iterable[Any]) -> set[int]:
    return {v for v in values if isinstance(v, int) and not isinstance(v, bool)}


def _blob_infos(conn: sa.Connection, keys: set[Key]) -> dict[Key, BlobInfo]:
    if not keys:
        return {}
    b = CLIENT_TABLES["blobs"]
    cols = ["_pk", "_device_id", "_era", "id", "mimetype", "filename", "image_rotation_deg_cw"]
    devs = sorted({k[0] for k in keys})
    eras = sorted({k[1] for k in keys})
    out: dict[Key, BlobInfo] = {}
    for ids in chunked({k[2] for k in keys}):
        q = (
            sa.select(*(b.c[c] for c in cols), sa.func.length(b.c.theblob).label("size"))
            .where(
                b.c._current == sa.true(),
                b.c._device_id.in_(int_list(devs)),
                b.c._era.in_(eras),
                b.c.id.in_(int_list(ids)),
            )
            .order_by(b.c._pk)
        )
        for r in conn.execute(q).mappings():
            k = (r["_device_id"], r["_era"], r["id"])
            if k in keys:
                # The URL is the web layer's business; completeness never needs it.
                out[k] = BlobInfo(
                    mimetype=r["mimetype"],
                    filename=r["filename"],
                    size=r["size"],
                    rotation_deg_cw=r["image_rotation_deg_cw"],
                )
    return out


def _children(
    conn: sa.Connection, child: str, fk: str, order_by: str, parents: set[Key]
) -> dict[Key, list[dict[str, Any]]]:
    """Current ancillary rows per parent key, in the relationship's order.

    Ordered in SQL exactly as the web's task view orders them (order-by
    column, then client id), so both judge completeness on the same list.
    """
    out: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    if not parents or not fk:
        return out
    t = CLIENT_TABLES[child]
    order_col = t.c[order_by] if order_by in t.c else t.c.id
    devs = sorted({k[0] for k in parents})
    eras = sorted({k[1] for k in parents})
    for ids in chunked({k[2] for k in parents}):
        q = (
            sa.select(t)
            .where(
                t.c._current == sa.true(),
                t.c._device_id.in_(int_list(devs)),
                t.c._era.in_(eras),
                t.c[fk].in_(int_list(ids)),
            )
            .order_by(order_col, t.c.id)
        )
        for r in conn.execute(q).mappings():
            k = (r["_device_id"], r["_era"], r[fk])
            if k in parents:
                out[k].append(dict(r))
    return out


def _is_complete(table: str, data: TaskData, pk: int) -> bool | None:
    try:
        result = get_task(table).is_complete(data)
    except Exception:
        logger.exception("is_complete failed for %s _pk=%s", table, pk)
        return None
    return None if result is None else bool(result)


def _completeness_and_summaries(
    table: str, data: TaskData, pk: int
) -> tuple[bool | None, str | None]:
    """The task's completeness and its stored summaries (JSON, or None).

    perf: the standard summaries start with the completeness, so it is
    computed once for both.  A definition that fails on this task leaves no
    stored summaries (readers compute them and meet the failure themselves).
    """
    try:
        values = summary_values(get_task(table), data)
    except Exception:
        return _is_complete(table, data, pk), None
    complete = values.get(COMPLETE_SUMMARY)
    return (None if complete is None else bool(complete)), encode(values)


def task_data_for_rows(
    conn: sa.Connection, table: str, rows: Sequence[Mapping[Any, Any]]
) -> tuple[dict[int, TaskData], dict[int, sa.RowMapping]]:
    """The :class:`TaskData` of some rows of one task table, loaded set-based.

    A handful of queries for the whole batch (current patients, each
    ancillary table, BLOB details) instead of several per task. Returns the
    data and the current patient rows, both by the task row's server PK.
    BLOB infos carry no URL (completeness and summaries never need one).
    """
    if not rows:
        return {}, {}
    info = TABLES[table]
    definition = get_task(table)
    keys = {(r["_device_id"], r["_era"], r["id"]) for r in rows}
    patients: dict[Key, sa.RowMapping] = {}
    if info.has_patient:
        patients = current_patients(
            conn,
            {
                (r["_device_id"], r["_era"], r["patient_id"])
                for r in rows
                if r.get("patient_id") is not None
            },
        )
    children = {
        a.tablename: _children(conn, a.tablename, a.fk_column, a.order_by, keys)
        for a in definition.ancillary
    }
    # Each task sees only the BLOBs it (or one of its ancillary rows) refers to,
    # exactly as the web's task view loads them.
    own_blobs: dict[Key, set[int]] = {}
    for r in rows:
        k = (r["_device_id"], r["_era"], r["id"])
        ids = _ids(r.get(c) for c in info.blob_id_columns)
        for child, per_parent in children.items():
            cols = TABLES[child].blob_id_columns
            ids |= _ids(kid.get(c) for kid in per_parent.get(k, []) for c in cols)
        own_blobs[k] = ids
    blobs = _blob_infos(conn, {(k[0], k[1], i) for k, ids in own_blobs.items() for i in ids})
    data: dict[int, TaskData] = {}
    task_patients: dict[int, sa.RowMapping] = {}
    # perf: a patient's own columns are copied once per batch, not once per task.
    patient_values: dict[Key, dict[str, Any]] = {}
    for r in rows:
        dev, era, cid = r["_device_id"], r["_era"], r["id"]
        pkey = (dev, era, r.get("patient_id"))
        patient = patients.get(pkey) if info.has_patient else None
        if patient is not None:
            task_patients[int(r["_pk"])] = patient
            if pkey not in patient_values:
                patient_values[pkey] = client_values(PATIENT_TABLE, patient)
        data[int(r["_pk"])] = TaskData(
            row=client_values(table, r),
            ancillary={
                a: [client_values(a, k) for k in per.get((dev, era, cid), [])]
                for a, per in children.items()
            },
            blobs={
                i: blobs[(dev, era, i)]
                for i in sorted(own_blobs[(dev, era, cid)])
                if (dev, era, i) in blobs
            },
            patient=patient_values[pkey] if patient is not None else None,
        )
    return data, task_patients


def task_entries_for_rows(
    conn: sa.Connection, table: str, rows: Sequence[Mapping[Any, Any]], now: datetime
) -> list[dict[str, Any]]:
    """The `_task_index` rows for some current task rows of one table (one chunk)."""
    if not rows:
        return []
    all_data, patients = task_data_for_rows(conn, table, rows)
    entries: list[dict[str, Any]] = []
    for r in rows:
        dev, era = r["_device_id"], r["_era"]
        patient = patients.get(int(r["_pk"]))
        data = all_data[int(r["_pk"])]
        when = r.get("when_created")
        complete, summaries = _completeness_and_summaries(table, data, r["_pk"])
        entries.append(
            {
                "indexed_at_utc": now,
                "task_table_name": table,
                "task_pk": r["_pk"],
                "patient_pk": patient["_pk"] if patient is not None else None,
                "device_id": dev,
                "era": era,
                "when_created_utc": to_stored_utc(entry_created_utc(when)),
                "when_created_iso": (when or "")[:ISO_MAX],
                "when_added_batch_utc": to_stored_utc(naive(r.get("_when_added_batch_utc"))),
                "adding_user_id": r.get("_adding_user_id"),
                "group_id": r["_group_id"],
                "task_is_complete": complete,
                "summaries": summaries,
                "summaries_version": SUMMARIES_VERSION,
                "patient_sort_key": (
                    patient_sort_key(None, None, None)
                    if patient is None
                    else patient_sort_key(patient["surname"], patient["forename"], patient["dob"])
                ),
            }
        )
    return entries


def iter_task_entries(
    conn: sa.Connection, table: str, pks: Iterable[int] | None, now: datetime
) -> Iterator[dict[str, Any]]:
    """Entries for the current rows among ``pks`` (None: every current row), in ``_pk`` order."""
    t = CLIENT_TABLES[table]
    current = sa.select(t).where(t.c._current == sa.true()).order_by(t.c._pk)
    if pks is None:
        # perf: every current row, a page at a time along the primary key: no
        # list of keys first, and no IN list to render and plan per page.
        last: int | None = None
        while True:
            q = current if last is None else current.where(t.c._pk > last)
            rows = conn.execute(q.limit(CHUNK)).mappings().all()
            yield from task_entries_for_rows(conn, table, rows, now)
            if len(rows) < CHUNK:
                return
            last = int(rows[-1]["_pk"])
    for chunk in chunked(pks):
        # perf: ``all()`` fetches the chunk in one driver call (iterating fetches row by row).
        rows = conn.execute(current.where(t.c._pk.in_(int_list(chunk)))).mappings().all()
        yield from task_entries_for_rows(conn, table, rows, now)


def idnum_entries_for_rows(
    conn: sa.Connection, rows: Sequence[Mapping[Any, Any]], now: datetime
) -> list[dict[str, Any]]:
    """The `_idnum_index` rows for some current ``patient_idnum`` rows."""
    wanted = [r for r in rows if r["idnum_value"] is not None]
    patients = current_patients(
        conn, {(r["_device_id"], r["_era"], r["patient_id"]) for r in wanted}
    )
    out: list[dict[str, Any]] = []
    for r in wanted:
        p = patients.get((r["_device_id"], r["_era"], r["patient_id"]))
        if p is None:
            continue
        out.append(
            {
                "idnum_pk": r["_pk"],
                "indexed_at_utc": now,
                "patient_pk": p["_pk"],
                "which_idnum": r["which_idnum"],
                "idnum_value": r["idnum_value"],
            }
        )
    return out


IDNUM_COLS = ("_pk", "_device_id", "_era", "patient_id", "which_idnum", "idnum_value")


def iter_idnum_entries(
    conn: sa.Connection, pks: Iterable[int] | None, now: datetime
) -> Iterator[dict[str, Any]]:
    """Entries for the current ID numbers among ``pks`` (None: all of them)."""
    t = CLIENT_TABLES[PATIENT_IDNUM_TABLE]
    cols = [t.c[c] for c in IDNUM_COLS]
    if pks is None:
        pks = [pk for (pk,) in conn.execute(sa.select(t.c._pk).where(t.c._current == sa.true()))]
    for chunk in chunked(pks):
        rows = list(
            conn.execute(
                sa.select(*cols)
                .where(t.c._pk.in_(int_list(chunk)), t.c._current == sa.true())
                .order_by(t.c._pk)
            ).mappings()
        )
        yield from idnum_entries_for_rows(conn, rows, now)
