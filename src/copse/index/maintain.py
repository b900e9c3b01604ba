"""Keeping both indexes exact after every change, in the caller's transaction.

The reference updates the index only from its derived pk lists (data-model.md
§9.3) and so leaves it stale when a patient row is modified alone (tasks keep
pointing at the old patient ``_pk``), when only ancillary rows or BLOBs change
(completeness goes stale), and on several web actions (§9.7).  copse is exact:
every changed row is followed to everything whose entry depends on it, and
each affected entry is deleted and recomputed from the committed data with
the one rule in :mod:`copse.index.compute`.

Dependencies followed (all lineage relationships match on client id, device
and era and take only current rows; data-model.md §3):

* a task row → its own entry;
* an ancillary row → its parent task (completeness);
* a BLOB row → every task, or ancillary row's parent task, whose BLOB column
  holds its client id (completeness);
* a patient row → every task pointing at it, by client id (re-pointing
  ``patient_pk``; completeness may depend on the patient), and by the old
  ``patient_pk`` already in the index (so a removed patient is un-pointed);
  likewise every ID number of that patient;
* an ID-number row → its own entry.

A changed row is looked up in its present era *and* in ``NOW``: the only era
change is preservation out of ``NOW``, and the records left behind there may
have lost a child or a patient.  Recomputing is idempotent, so callers may
over-report changes safely; every function here is set-based (a handful of
queries per affected table).
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa

from copse.db.bulk import insert_dicts
from copse.db.inlist import int_list
from copse.db.probe import Binds, TableProbe
from copse.index.compute import (
    CHUNK,
    Key,
    batched,
    chunked,
    iter_idnum_entries,
    iter_task_entries,
    select_current_by_keys,
)
from copse.index.names import refresh_name_keys
from copse.schema.columns import ERA_NOW
from copse.schema.registry import BLOB_TABLE, PATIENT_IDNUM_TABLE, PATIENT_TABLE, TABLES
from copse.schema.tables import CLIENT_TABLES, CLIENT_TABLES_BY_NAME, idnum_index, task_index

logger = logging.getLogger(__name__)

_KEY_COLS = ("_pk", "_device_id", "_era", "id")
#: Task table -> task ``_pk``s whose entries must be recomputed.
_Tasks = defaultdict[str, set[int]]

#: Tables with BLOB-reference columns (tasks and ancillary tables).
BLOB_REFERRERS: tuple[str, ...] = tuple(
    sorted(n for n, t in TABLES.items() if t.blob_id_columns and t.kind in ("task", "ancillary"))
)


# ---------------------------------------------------------------------------
# Primitive re-indexers (also for web actions)
# ---------------------------------------------------------------------------


def reindex_tasks(conn: sa.Connection, table: str, pks: Iterable[int], now: datetime) -> None:
    """Make the entries of these rows of one task table exact.

    Deletes their entries, then adds one for each row that still exists and
    is current.  Web actions call it after erasing a task (the row stops
    being current: its entry goes, which the reference forgets) or deleting
    it entirely, and after anything that changes a task's cached fields.
    """
    pks = set(pks)
    if not pks:
        return
    if not TABLES[table].is_task:
        raise ValueError(f"{table!r} is not a task table")
    for chunk in chunked(pks):
        conn.execute(
            sa.delete(task_index).where(
                task_index.c.task_table_name == table, task_index.c.task_pk.in_(int_list(chunk))
            )
        )
    # Written a chunk at a time: a catch-up import may re-index many thousands.
    for entries in batched(iter_task_entries(conn, table, pks, now), CHUNK):
        insert_dicts(conn, task_index, entries)


def reindex_idnums(conn: sa.Connection, pks: Iterable[int], now: datetime) -> None:
    """Make the entries of these ``patient_idnum`` rows exact (delete, then re-add)."""
    pks = set(pks)
    if not pks:
        return
    for chunk in chunked(pks):
        conn.execute(sa.delete(idnum_index).where(idnum_index.c.idnum_pk.in_(int_list(chunk))))
    for entries in batched(iter_idnum_entries(conn, pks, now), CHUNK):
        insert_dicts(conn, idnum_index, entries)


def reindex_patients(conn: sa.Connection, patient_pks: Iterable[int], now: datetime) -> None:
    """Re-point everything that depends on these patient rows (present or deleted).

    For web edits of a patient (in place or by new version), server-created
    patients, and patient deletion (call it after the hard delete: entries
    pointing at the vanished ``_pk`` are found through the index itself).
    """
    work = IndexWork(patients=set(patient_pks))
    _patient_dependants(conn, work.patients, work.tasks, work.idnums)
    apply_work(conn, work, now)


def reindex_rows(conn: sa.Connection, table: str, pks: Iterable[int], now: datetime) -> None:
    """Everything that depends on these rows of any client table, made exact.

    The generic entry point for server-side changes.  Rows must still exist
    to be followed to their dependants, except for task, patient and ID-number
    rows, whose entries are also found by ``_pk``; after hard-deleting
    ancillary rows or BLOBs, reindex their parent task instead.
    """
    apply_work(conn, follow_rows(conn, {table: set(pks)}), now)


class IndexWork:
    """The entries that changed rows affect: found first, recomputed later.

    Separate steps so that a caller can follow rows it is about to delete
    (an ancillary row or a BLOB leads to its task only while it exists), delete
    them, then recompute everything from what is left (:func:`apply_work`).
    """

    def __init__(self, patients: AbstractSet[int] = frozenset()) -> None:
        #: Task table -> ``_pk``s of tasks whose entries are recomputed.
        self.tasks: _Tasks = defaultdict(set)
        #: ``patient_idnum`` ``_pk``s whose entries are recomputed.
        self.idnums: set[int] = set()
        #: Patient ``_pk``s whose name keys are recomputed.
        self.patients: set[int] = set(patients)

    @property
    def size(self) -> int:
        """How many entries (tasks, ID numbers, name keys) will be recomputed."""
        return sum(map(len, self.tasks.values())) + len(self.idnums) + len(self.patients)


def follow_rows(conn: sa.Connection, changed: Mapping[str, AbstractSet[int]]) -> IndexWork:
    """What depends on these rows of client tables (table -> ``_pk``s); writes nothing.

    The rows must still exist to be followed, except task, patient and
    ID-number rows, whose entries are also found by ``_pk``.
    """
    work = IndexWork()
    _collect(conn, changed, work)
    return work


def apply_work(conn: sa.Connection, work: IndexWork, now: datetime) -> None:
    """Recompute every entry in ``work`` from the data as it is now."""
    refresh_name_keys(conn, work.patients)
    _apply(conn, work.tasks, work.idnums, now)


# ---------------------------------------------------------------------------
# After a commit
# ---------------------------------------------------------------------------


class ChangedRows(Protocol):
    """What one commit did to one table, as far as the index cares.

    :class:`copse.sync.changes.TableChanges` is one; the index names only the
    fields it reads, so it needs nothing from the upload engine (which calls
    it) and the two packages do not import each other.
    """

    @property
    def table(self) -> str: ...
    @property
    def addition_pks(self) -> set[int]: ...
    @property
    def removal_modified_pks(self) -> set[int]: ...
    @property
    def removal_deleted_pks(self) -> set[int]: ...
    @property
    def preservation_pks(self) -> set[int]: ...


def changed_pks(ch: ChangedRows) -> set[int]:
    """Every row a commit touched (current-only rows were not changed)."""
    return ch.addition_pks | ch.removal_modified_pks | ch.removal_deleted_pks | ch.preservation_pks


def update_after_changes(
    conn: sa.Connection,
    changes: Sequence[ChangedRows],
    *,
    device_id: int,
    now: datetime,
    preserved_era: str | None,
    tables_with_rows: AbstractSet[str] | None = None,
) -> None:
    """Make both indexes exact after one commit (stepwise, one-step, force-finalize).

    Call it once at the end of the commit, in the same transaction, with every
    table's change record (:class:`ChangedRows`).  Afterwards every entry that depends on a
    row in any of the change sets equals what a full rebuild would compute
    (``indexed_at_utc`` = ``now``).  Entries of rows the commit did not affect
    are left alone, so if the index was exact before, it is exact after.
    ``device_id`` is the uploading device, and ``preserved_era`` the one era
    this commit moved every preserved row into (the batch's era; None if it
    preserved nothing): the commit wrote both, so the index need not read
    them back.  ``tables_with_rows``: the client tables that may hold any row
    (a superset will do), when the caller knows, e.g. from earlier in the
    same transaction with nothing inserted since.

    Nothing else in a stepwise batch needs it: until ``end_upload`` new rows
    are pending (not current, so never indexed) and rows pending removal are
    still current; a rollback only deletes pending rows and un-flags current
    ones, so it changes no entry.
    """
    changed = {ch.table: changed_pks(ch) for ch in changes if changed_pks(ch)}
    if not changed:
        return
    if _moved_in_place(
        conn, changes, device_id=device_id, now=now, era=preserved_era, holding=tables_with_rows
    ):
        logger.debug("index entries of device %s moved to their new era in place", device_id)
        return
    work = follow_rows(conn, changed)
    apply_work(conn, work, now)
    logger.debug(
        "index updated for device %s: %d task entries, %d ID-number entries",
        device_id,
        sum(len(v) for v in work.tasks.values()),
        len(work.idnums),
    )


# ---------------------------------------------------------------------------
# A whole device moved to a new era
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _present_era_probe() -> TableProbe:
    """Which tables hold current rows of one device (``device_id``) in ``NOW``.

    Built once (perf: building ~150 clauses costs more than running them).
    """

    def present(t: sa.Table, bind: Binds) -> sa.ColumnElement[bool]:
        return sa.and_(
            t.c._device_id == bind("device_id", sa.Integer()),
            t.c._era == bind("era_now", sa.String(), ERA_NOW),
            t.c._current == sa.true(),
        )

    return TableProbe(CLIENT_TABLES_BY_NAME, present)


def warm_up(conn: sa.Connection, device_id: int) -> None:
    """Run the whole-device probe once, so a server's first finalize does not compile it."""
    _present_era_probe().run(conn, {"device_id": device_id})


def _moved_in_place(
    conn: sa.Connection,
    changes: Sequence[ChangedRows],
    *,
    device_id: int,
    now: datetime,
    era: str | None,
    holding: AbstractSet[str] | None,
) -> bool:
    """Move the entries of a whole-device finalize to the new era without recomputing them.

    perf: recomputing every preserved task (its row, children, BLOBs and
    patient re-read, completeness re-run) was three quarters of a finalizing
    upload.  When a commit only preserved rows (nothing added or removed), left
    no current row of the device in ``NOW`` and put everything in one era that
    held no entry of the device before, every task's dependencies moved with it
    unchanged, so its entry is the old one with the new era: one ``UPDATE``.
    ID-number entries hold no era, and the patient rows keep their ``_pk``, so
    only their ``indexed_at_utc`` changes; name keys do not change at all.
    Returns False, having changed nothing, when any condition fails (a partial
    move, or a finalize with edits in it): the caller then recomputes.

    The commit moved every preserved row (all of them the device's) into
    ``era``; that is not read back (perf: a read of every preserved row's
    era was ~5 ms of a 1,100-row move on MariaDB, bench/NOTES.md round fifteen).
    """
    if any(ch.addition_pks or ch.removal_modified_pks or ch.removal_deleted_pks for ch in changes):
        return False
    if era is None or era == ERA_NOW:
        return False
    if _present_era_probe().run(conn, {"device_id": device_id}, holding=holding):
        return False
    ti = task_index
    # The values as constants (literal_execute): run after every whole-device move, this
    # statement is prepared by psycopg after five, and a generic plan of "LIMIT 1 where
    # device = $1 and era = $2" may scan the whole index for an era that has no entry yet.
    has_entries = sa.select(sa.literal(1)).where(
        ti.c.device_id == sa.bindparam("device_id", device_id, literal_execute=True),
        ti.c.era == sa.bindparam("era", era, literal_execute=True),
    )
    if conn.execute(has_entries.limit(1)).first():
        return False
    conn.execute(
        sa.update(ti)
        .where(ti.c.device_id == device_id, ti.c.era == ERA_NOW)
        .values(era=era, indexed_at_utc=now)
    )
    for ch in changes:
        if ch.table == PATIENT_IDNUM_TABLE:
            for chunk in chunked(ch.preservation_pks):
                conn.execute(
                    sa.update(idnum_index)
                    .where(idnum_index.c.idnum_pk.in_(int_list(chunk)))
                    .values(indexed_at_utc=now)
                )
    return True


# ---------------------------------------------------------------------------
# Following dependencies
# ---------------------------------------------------------------------------


def _apply(
    conn: sa.Connection, tasks: Mapping[str, set[int]], idnums: set[int], now: datetime
) -> None:
    reindex_idnums(conn, idnums, now)
    for table in sorted(tasks):
        reindex_tasks(conn, table, tasks[table], now)


def _row_keys(
    conn: sa.Connection, table: str, pks: set[int], column: str = "id"
) -> list[sa.RowMapping]:
    t = CLIENT_TABLES[table]
    cols = [t.c[c] for c in dict.fromkeys((*_KEY_COLS, column))]
    out: list[sa.RowMapping] = []
    for chunk in chunked(pks):
        out.extend(conn.execute(sa.select(*cols).where(t.c._pk.in_(int_list(chunk)))).mappings())
    return out


def _keys(rows: Iterable[Mapping[Any, Any]], column: str) -> set[Key]:
    """(device, era, value) for each row's present era and ``NOW``."""
    out: set[Key] = set()
    for r in rows:
        if r[column] is None:
            continue
        out.add((r["_device_id"], r["_era"], r[column]))
        out.add((r["_device_id"], ERA_NOW, r[column]))
    return out


def _collect(conn: sa.Connection, changed: Mapping[str, AbstractSet[int]], work: IndexWork) -> None:
    tasks, idnums = work.tasks, work.idnums
    for table, given in changed.items():
        pks = set(given)
        info = TABLES[table]
        if info.is_task:
            tasks[table] |= pks
        elif table == PATIENT_TABLE:
            _patient_dependants(conn, pks, tasks, idnums)
            work.patients |= pks
        elif table == PATIENT_IDNUM_TABLE:
            idnums |= pks
        elif table == BLOB_TABLE:
            _blob_dependants(conn, _keys(_row_keys(conn, table, pks), "id"), tasks)
        elif info.kind == "ancillary" and info.parent and info.fk_to_parent:
            rows = _row_keys(conn, table, pks, info.fk_to_parent)
            _parents(conn, info.parent, _keys(rows, info.fk_to_parent), tasks)


def _parents(conn: sa.Connection, parent: str, keys: set[Key], tasks: _Tasks) -> None:
    for r in select_current_by_keys(conn, parent, "id", keys, _KEY_COLS):
        tasks[parent].add(r["_pk"])


def _blob_dependants(conn: sa.Connection, keys: set[Key], tasks: _Tasks) -> None:
    """Tasks whose own or ancillary BLOB columns refer to these BLOBs."""
    if not keys:
        return
    devs = sorted({k[0] for k in keys})
    eras = sorted({k[1] for k in keys})
    for table in BLOB_REFERRERS:
        info = TABLES[table]
        t = CLIENT_TABLES[table]
        link = info.fk_to_parent if info.kind == "ancillary" else None
        cols = [
            t.c[c]
            for c in dict.fromkeys((*_KEY_COLS, *info.blob_id_columns, *([link] if link else [])))
        ]
        parent_keys: set[Key] = set()
        for ids in chunked({k[2] for k in keys}):
            q = sa.select(*cols).where(
                t.c._current == sa.true(),
                t.c._device_id.in_(int_list(devs)),
                t.c._era.in_(eras),
                sa.or_(*(t.c[c].in_(int_list(ids)) for c in info.blob_id_columns)),
            )
            for r in conn.execute(q).mappings():
                if not any(
                    (r["_device_id"], r["_era"], r[c]) in keys for c in info.blob_id_columns
                ):
                    continue
                if link is None:
                    tasks[table].add(r["_pk"])
                elif r[link] is not None:
                    parent_keys.add((r["_device_id"], r["_era"], r[link]))
        if link is not None and info.parent:
            _parents(conn, info.parent, parent_keys, tasks)


def _patient_dependants(
    conn: sa.Connection, pks: set[int], tasks: _Tasks, idnums: set[int]
) -> None:
    if not pks:
        return
    ti, ii = task_index, idnum_index
    # 1. Entries that point at these patient rows now (the rows may be gone).
    for chunk in chunked(pks):
        for table, task_pk in conn.execute(
            sa.select(ti.c.task_table_name, ti.c.task_pk).where(
                ti.c.patient_pk.in_(int_list(chunk))
            )
        ):
            if table in TABLES and TABLES[table].is_task and task_pk is not None:
                tasks[table].add(task_pk)
        idnums.update(
            pk
            for (pk,) in conn.execute(
                sa.select(ii.c.idnum_pk).where(ii.c.patient_pk.in_(int_list(chunk)))
            )
        )
    # 2. Rows that refer to these patients by client id (device, era).
    keys = _keys(_row_keys(conn, PATIENT_TABLE, pks), "id")
    if not keys:
        return
    idnums.update(
        r["_pk"]
        for r in select_current_by_keys(
            conn, PATIENT_IDNUM_TABLE, "patient_id", keys, (*_KEY_COLS, "patient_id")
        )
    )
    # Only tables that have entries in these devices/eras can hold current tasks
    # there (tasks changed in the same commit are already in ``tasks``).
    devs = sorted({k[0] for k in keys})
    eras = sorted({k[1] for k in keys})
    names = {
        n
        for (n,) in conn.execute(
            sa.select(ti.c.task_table_name)
            .distinct()
            .where(ti.c.device_id.in_(devs), ti.c.era.in_(eras))
        )
    }
    for table in sorted(n for n in names | set(tasks) if n in TABLES and TABLES[n].has_patient):
        for r in select_current_by_keys(
            conn, table, "patient_id", keys, (*_KEY_COLS, "patient_id")
        ):
            tasks[table].add(r["_pk"])
