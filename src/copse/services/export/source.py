"""Reading the rows of a download from the database, one bounded batch at a time.

Why batches by server PK: a download may hold millions of rows, so each task
table is read in keyset-paged batches (``_pk > last``) and every batch brings
exactly the patients, ID numbers, ancillary rows and BLOBs its tasks need.
Memory is bounded by the batch size, never by the number of rows.

The filter semantics are the task list's (copse.records.tasklist): a task's
patient is the current patient row with the same (id, device, era); dates
are compared on ``when_created`` in UTC with the task list's own converter.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from copse.db.inlist import int_list
from copse.db.probe import tables_with_rows
from copse.records.tasklist import created_utc
from copse.schema.columns import ERA_NOW
from copse.schema.registry import (
    BLOB_TABLE,
    PATIENT_IDNUM_TABLE,
    PATIENT_TABLE,
    TABLES,
    TASK_TABLES,
)
from copse.schema.tables import CLIENT_TABLES, task_index
from copse.services.export.options import ExportFilter
from copse.tasks import get_task
from copse.tasks.base import ANCILLARY_ORDER_BY, COMPLETE_SUMMARY, TaskData
from copse.tasks.summaries_store import SUMMARIES_VERSION, decode, summary_values

BATCH_SIZE = 500
#: The widest ``_pk`` window one batch query reads (see :func:`_next_tasks`).
MAX_WINDOW = 64 * BATCH_SIZE
#: Patients a download keeps in memory (with their ID numbers) to write each once.
PATIENT_MEMO = 10_000
Key = tuple[int, str, int]  # (device, era, client id)
#: A database row as a plain dict (column name -> value): built once per
#: row from the driver's tuple, then read by key without SQLAlchemy's
#: per-access overhead.
Row = dict[str, Any]


@dataclass
class Batch:
    """One task table's batch with everything it references (raw database rows)."""

    table: str
    tasks: list[Row] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    patients: dict[Key, Row] = field(default_factory=dict)
    idnums: dict[Key, list[Row]] = field(default_factory=dict)
    ancillary: dict[str, list[tuple[int | None, Row]]] = field(default_factory=dict)
    blobs: list[Row] = field(default_factory=list)
    #: The patients (keys of ``patients``) this download has not written yet;
    #: the others were written with an earlier batch (see :class:`PatientMemo`).
    new_patients: set[Key] = field(default_factory=set)


class PatientMemo:
    """The patients (with their ID numbers) one download has already read and written.

    perf: a batch of 500 tasks usually belongs to hundreds of patients, and
    the same patients come back batch after batch and table after table; read
    and written once per batch, patients and ID numbers were half of a
    download's rows.  Bounded: past :data:`PATIENT_MEMO` patients it forgets
    them all and starts again, so memory never grows with the database (a
    forgotten patient is read again; the staging file keeps one copy of it).
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = PATIENT_MEMO if limit is None else limit
        self.patients: dict[Key, Row] = {}
        self.idnums: dict[Key, list[Row]] = {}
        #: Output values of a remembered patient's facts in its task rows
        #: (filled by :mod:`copse.services.export.fast` as it needs them).
        self.facts: dict[Key, tuple[Any, ...]] = {}

    def remember(self, batch: Batch) -> None:
        """Keep the batch's newly written patients (after the batch is final)."""
        if not batch.new_patients:
            return
        if len(self.patients) + len(batch.new_patients) > self.limit:
            self.patients.clear()
            self.idnums.clear()
            self.facts.clear()
            if len(batch.new_patients) > self.limit:
                return
        for k in batch.new_patients:
            self.patients[k] = batch.patients[k]
            self.idnums[k] = batch.idnums.get(k, [])


@functools.cache
def _client_names(table: str, blobs: bool = False) -> tuple[str, ...]:
    return tuple(c.name for c in TABLES[table].columns if blobs or c.kind != "blob")


def task_conditions(
    name: str, f: ExportFilter, groups: frozenset[int] | None, all_versions: bool
) -> list[sa.ColumnElement[bool]] | None:
    """SQL conditions on one task table, or None if the filter excludes the whole table."""
    t = CLIENT_TABLES[name]
    info = TABLES[name]
    cond: list[sa.ColumnElement[bool]] = [t.c._addition_pending == sa.false()]
    if not all_versions:
        cond.append(t.c._current == sa.true())
    if groups is not None:
        cond.append(t.c._group_id.in_(sorted(groups)))
    if f.era == "live":
        cond.append(t.c._era == ERA_NOW)
    elif f.era == "finalized":
        cond.append(t.c._era != ERA_NOW)
    if f.created_from is not None:  # coarse: offsets move the UTC date by < 1 day
        cond.append(t.c.when_created >= (f.created_from - timedelta(days=1)).isoformat())
    if f.created_to is not None:
        cond.append(t.c.when_created < (f.created_to + timedelta(days=2)).isoformat())
    if f.which_idnum is not None and f.idnum_value is not None:
        if not info.has_patient:
            return None
        p = CLIENT_TABLES[PATIENT_TABLE]
        i = CLIENT_TABLES[PATIENT_IDNUM_TABLE]
        cond.append(
            sa.exists().where(
                p.c.id == t.c.patient_id,
                p.c._device_id == t.c._device_id,
                p.c._era == t.c._era,
                p.c._current == sa.true(),
                i.c.patient_id == p.c.id,
                i.c._device_id == p.c._device_id,
                i.c._era == p.c._era,
                i.c._current == sa.true(),
                i.c.which_idnum == f.which_idnum,
                i.c.idnum_value == f.idnum_value,
            )
        )
    return cond


def count_candidates(
    conn: sa.Connection, name: str, f: ExportFilter, groups: frozenset[int] | None, all_v: bool
) -> int:
    """Rows of one task table passing the SQL filters (an upper bound of what is exported)."""
    cond = task_conditions(name, f, groups, all_v)
    if cond is None:
        return 0
    t = CLIENT_TABLES[name]
    return int(conn.execute(sa.select(sa.func.count()).select_from(t).where(*cond)).scalar_one())


def candidate_counts(
    conn: sa.Connection, f: ExportFilter, groups: frozenset[int] | None, all_v: bool
) -> dict[str, int]:
    """:func:`count_candidates` of the filter's task tables (all if it names none), in order.

    perf: a server uses a handful of the ~140 task tables; the empty ones
    are found in one statement per 50 tables rather than counted one by one.
    """
    names = list(f.task_types) if f.task_types else list(TASK_TABLES)
    holding = tables_with_rows(conn, [CLIENT_TABLES[n] for n in names])
    return {n: count_candidates(conn, n, f, groups, all_v) if n in holding else 0 for n in names}


def in_dates(f: ExportFilter, when_created: str | None) -> bool:
    if f.created_from is None and f.created_to is None:
        return True
    utc = created_utc(when_created)
    if utc is None:
        return False
    d: date = utc.date()
    return not (
        (f.created_from is not None and d < f.created_from)
        or (f.created_to is not None and d > f.created_to)
    )


def _keyed(
    conn: sa.Connection, table: str, link: str, keys: set[Key], current_only: bool, cols: list[str]
) -> Iterator[Row]:
    """Rows of ``table`` whose (device, era, ``link``) is one of ``keys``.

    Why ``_device_id + 0``: the look-up must go through the index led by
    ``link`` (``ix_<table>_link`` / ``ix_<table>_id``).  Without planner
    statistics (a freshly loaded PostgreSQL before autovacuum has run, or
    with autovacuum off), PostgreSQL preferred ``ix_<table>_live`` (device,
    era, current, id) for plain equalities on device and era and filtered
    every live row of the device, once per batch: a download's time grew
    with the square of its rows.  ``+ 0`` keeps the device test a filter on
    every backend, so only the link index applies.
    """
    if not keys:
        return
    for r in _dicts(conn, keyed_query(table, link, keys, current_only, cols), cols):
        if (r["_device_id"], r["_era"], r[link]) in keys:
            yield r


def keyed_query(
    table: str, link: str, keys: set[Key], current_only: bool, cols: Sequence[str]
) -> sa.Select[Any]:
    """The query of :func:`_keyed` (which also keeps only rows whose whole key is asked for)."""
    t = CLIENT_TABLES[table]
    cond: list[sa.ColumnElement[bool]] = [
        (t.c._device_id + 0).in_(int_list((k[0] for k in keys), "devices")),
        t.c._era.in_(sorted({k[1] for k in keys})),
        t.c[link].in_(int_list((k[2] for k in keys), "ids")),
        t.c._addition_pending == sa.false(),
    ]
    if current_only:
        cond.append(t.c._current == sa.true())
    return sa.select(*(t.c[c] for c in cols)).where(*cond).order_by(t.c._pk)


def _dicts(conn: sa.Connection, q: sa.Select[Any], cols: list[str]) -> list[Row]:
    """The rows of ``q`` (selecting ``cols`` in order) as dicts, fetched all at once."""
    return [dict(zip(cols, r, strict=True)) for r in conn.execute(q).all()]


def stored_summaries(conn: sa.Connection, name: str, first: int, last: int) -> dict[int, str]:
    """The stored summaries (JSON) of some task rows by ``_pk``, where this code computed them.

    perf: one range scan of the index's (table, task PK) key for the whole
    batch (~1 us a row on PostgreSQL), where a correlated look-up per row
    cost ~5 us and a join inside the windowed batch query let the planner
    scan the whole index table.
    """
    ti = task_index
    q = sa.select(ti.c.task_pk, ti.c.summaries).where(
        ti.c.task_table_name == name,
        ti.c.task_pk.between(first, last),
        ti.c.summaries_version == SUMMARIES_VERSION,
        ti.c.summaries.is_not(None),
    )
    return {int(pk): text for pk, text in conn.execute(q).all()}


def _next_tasks(
    conn: sa.Connection,
    t: sa.Table,
    cols: list[str],
    cond: list[sa.ColumnElement[bool]],
    last: int,
    size: int,
) -> list[Row]:
    rows = next_task_rows(conn, t, cols, cond, last, size)
    return [dict(zip(cols, r, strict=True)) for r in rows]


def next_task_rows(
    conn: sa.Connection,
    t: sa.Table,
    cols: Sequence[str],
    cond: list[sa.ColumnElement[bool]],
    last: int,
    size: int,
) -> list[sa.Row[Any]]:
    """The first ``size`` rows passing ``cond`` with ``_pk > last``, in ``_pk`` order.

    Why in closed ``_pk`` windows: for ``cond AND _pk > last ORDER BY _pk
    LIMIT size`` the plan depends on the planner's guess of how many rows
    pass ``cond``; without statistics PostgreSQL guessed few and read and
    sorted the whole rest of the table for every batch (time growing with
    the square of the rows).  The window's end is found on the primary key
    alone (an index scan on every backend), and the window itself is a
    closed range, read by index.  The window doubles while it yields too
    few rows, so a sparse filter still crosses the table in few queries.
    The rows are exactly those of the single query, so batches are too.
    """
    out: list[sa.Row[Any]] = []
    window = size
    while len(out) < size:
        end = conn.execute(
            sa.select(t.c._pk).where(t.c._pk > last).order_by(t.c._pk).offset(window - 1).limit(1)
        ).scalar()
        bound = [] if end is None else [t.c._pk <= end]
        q = (
            sa.select(*(t.c[c] for c in cols))
            .where(*cond, t.c._pk > last, *bound)
            .order_by(t.c._pk)
            .limit(size - len(out))
        )
        out += conn.execute(q).all()
        if end is None:
            break
        last = int(end)
        window = min(2 * window, MAX_WINDOW)
    return out


@functools.cache
def _server_names(table: str) -> tuple[str, ...]:
    return tuple(c.name for c in CLIENT_TABLES[table].columns if c.name.startswith("_"))


def iter_batches(
    conn: sa.Connection,
    name: str,
    f: ExportFilter,
    groups: frozenset[int] | None,
    *,
    all_versions: bool,
    blobs: bool,
    batch_size: int | None = None,
    memo: PatientMemo | None = None,
) -> Iterator[Batch]:
    """The exported rows of one task table, with their patients, children and BLOBs.

    ``memo``: patients already written by this download (shared by all its
    tables); a batch's :attr:`Batch.new_patients` are those it must write.
    """
    memo = PatientMemo() if memo is None else memo
    cond = task_conditions(name, f, groups, all_versions)
    if cond is None:
        return
    t = CLIENT_TABLES[name]
    cols = [*_server_names(name), *_client_names(name)]
    size = BATCH_SIZE if batch_size is None else batch_size
    last = 0
    while True:
        rows = _next_tasks(conn, t, cols, cond, last, size)
        if not rows:
            return
        last = int(rows[-1]["_pk"])
        stored = stored_summaries(conn, name, int(rows[0]["_pk"]), last)
        rows = [r for r in rows if in_dates(f, r["when_created"])]
        batch = complete_batch(
            conn, name, rows, stored, f, all_versions=all_versions, blobs=blobs, memo=memo
        )
        if batch is not None:
            yield batch


def complete_batch(
    conn: sa.Connection,
    name: str,
    rows: list[Row],
    stored: dict[int, str],
    f: ExportFilter,
    *,
    all_versions: bool,
    blobs: bool,
    memo: PatientMemo,
) -> Batch | None:
    """One batch of task rows (dicts) with everything it references; None if none is kept."""
    info = TABLES[name]
    definition = get_task(name)
    batch = _load_batch(conn, name, rows, all_versions=all_versions, memo=memo)
    kept: list[Row] = []
    missing = any(r["_pk"] not in stored for r in rows)
    children = _current_children(batch) if missing else {}
    for r in rows:
        text = stored.get(r["_pk"])
        if text is not None:
            values = decode(text)
        else:
            values = summary_values(definition, _task_data(name, r, batch, children))
        if f.complete_only and values.get(COMPLETE_SUMMARY) is not True:
            continue
        kept.append(r)
        batch.summaries.append(values)
    if f.complete_only:
        _drop_unkept(batch, kept, info.has_patient)
    batch.tasks = kept
    if blobs:
        batch.blobs = list(_referenced_blobs(conn, name, batch))
    batch.new_patients = {k for k in batch.patients if k not in memo.patients}
    if not batch.tasks:
        return None
    memo.remember(batch)
    return batch


def _key(r: Row, link: str = "id") -> Key:
    return (int(r["_device_id"]), str(r["_era"]), int(r[link]) if r[link] is not None else -1)


def _load_batch(
    conn: sa.Connection, name: str, rows: list[Row], *, all_versions: bool, memo: PatientMemo
) -> Batch:
    info = TABLES[name]
    batch = Batch(name, tasks=rows)
    if info.has_patient:
        load_patients(conn, batch, {_key(r, "patient_id") for r in rows}, memo)
    # Ancillary rows point at their task's client id; in an all-versions
    # download they belong to the current version if it is in the batch.
    parent_pk: dict[Key, int] = {}
    for r in sorted(rows, key=lambda r: (bool(r["_current"]), int(r["_pk"]))):
        parent_pk[_key(r)] = int(r["_pk"])
    keys = set(parent_pk)
    for child in info.ancillary_tables:
        fk = TABLES[child].fk_to_parent
        assert fk is not None
        ccols = [*_server_names(child), *_client_names(child)]
        batch.ancillary[child] = [
            (parent_pk.get(_key(c, fk)), c)
            for c in _keyed(conn, child, fk, keys, not all_versions, ccols)
        ]
    return batch


def load_patients(conn: sa.Connection, batch: Batch, pkeys: set[Key], memo: PatientMemo) -> None:
    """Fill ``batch.patients`` and ``batch.idnums`` for these patient keys (current rows).

    Patients the download has already read come from ``memo``; the rest are
    read, in ``_pk`` order, with their ID numbers.
    """
    idnums: dict[Key, list[Row]] = defaultdict(list)
    for k in pkeys & memo.patients.keys():
        batch.patients[k] = memo.patients[k]
        idnums[k] = memo.idnums[k]
    unknown = pkeys - memo.patients.keys()
    pcols = [*_server_names(PATIENT_TABLE), *_client_names(PATIENT_TABLE)]
    found: set[Key] = set()
    for p in _keyed(conn, PATIENT_TABLE, "id", unknown, True, pcols):
        batch.patients[_key(p)] = p
        found.add(_key(p))
    icols = [*_server_names(PATIENT_IDNUM_TABLE), *_client_names(PATIENT_IDNUM_TABLE)]
    for i in _keyed(conn, PATIENT_IDNUM_TABLE, "patient_id", found, True, icols):
        idnums[_key(i, "patient_id")].append(i)
    batch.idnums = {k: v for k, v in idnums.items() if v}


def blob_rows(conn: sa.Connection, wanted: set[Key]) -> Iterator[Row]:
    """The current BLOB rows with these (device, era, id) keys, in ``_pk`` order."""
    bcols = [*_server_names(BLOB_TABLE), *_client_names(BLOB_TABLE, blobs=True)]
    yield from _keyed(conn, BLOB_TABLE, "id", wanted, True, bcols)


def _referenced_blobs(conn: sa.Connection, name: str, batch: Batch) -> Iterator[Row]:
    wanted: set[Key] = set()
    sources: list[tuple[str, Iterable[Row]]] = [(name, batch.tasks)]
    sources += [(child, (r for _, r in rows)) for child, rows in batch.ancillary.items()]
    for table, rows in sources:
        cols = TABLES[table].blob_id_columns
        for r in rows:
            for c in cols:
                if r.get(c) is not None:
                    wanted.add((int(r["_device_id"]), str(r["_era"]), int(r[c])))
    yield from blob_rows(conn, wanted)


def _current_children(batch: Batch) -> dict[Key, dict[str, list[dict[str, Any]]]]:
    """Current child rows (client columns) by their task's key, grouped once per batch."""
    out: dict[Key, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for child, rows in batch.ancillary.items():
        fk = TABLES[child].fk_to_parent
        assert fk is not None
        names = _client_names(child)
        for _, row in rows:
            if row["_current"]:
                out[_key(row, fk)].setdefault(child, []).append({c: row[c] for c in names})
    return out


def _task_data(
    name: str, r: Row, batch: Batch, children: dict[Key, dict[str, list[dict[str, Any]]]]
) -> TaskData:
    """The task as its definition sees it: client columns and current children only."""
    mine = children.get(_key(r), {})
    patient = batch.patients.get(_key(r, "patient_id")) if TABLES[name].has_patient else None
    return TaskData(
        row={c: r[c] for c in _client_names(name)},
        ancillary={k: _ordered(k, v) for k, v in mine.items()} if mine else {},
        # Shared, not copied: definitions only read the patient row.
        patient=patient,
    )


def _ordered(child: str, rows: list[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    col = ANCILLARY_ORDER_BY.get(child, "id")
    return sorted(rows, key=lambda r: (r.get(col) is None, r.get(col) or 0))


def _drop_unkept(batch: Batch, kept: list[Row], has_patient: bool) -> None:
    """Forget children and patients of tasks "complete only" dropped."""
    keys = {_key(r) for r in kept}
    for child, rows in batch.ancillary.items():
        fk = TABLES[child].fk_to_parent
        assert fk is not None
        batch.ancillary[child] = [(p, r) for p, r in rows if _key(r, fk) in keys]
    if has_patient:
        pkeys = {_key(r, "patient_id") for r in kept}
        batch.patients = {k: v for k, v in batch.patients.items() if k in pkeys}
        batch.idnums = {k: v for k, v in batch.idnums.items() if k in pkeys}


def age_in_years(dob: Any, when: Any) -> int | None:
    """Whole years from a DOB (ISO date) to a task's creation, None if either is unknown."""
    if not isinstance(dob, str) or not isinstance(when, str):
        return None
    try:
        born = date.fromisoformat(dob.strip()[:10])
    except ValueError:
        return None
    try:  # the tablet's local date of the task, as the patient lived it
        d = date.fromisoformat(when.strip()[:10])
    except ValueError:
        return None
    years = d.year - born.year - ((d.month, d.day) < (born.month, born.day))
    return years if years >= 0 else None
