"""The usual download (current versions, identified) without a dict per task row.

perf: a download of 100,000 tasks spent most of its time turning database
rows into dicts and dicts into output rows.  Here a batch whose every task
has summaries stored by the index (:mod:`copse.tasks.summaries_store`) is
written by joining three tuples per task row: its own columns as the
database returns them (the layout's own columns are the table's columns, in
order, and none of them needs converting: client booleans and dates are
stored as integers and text), its patient's facts (made once per patient
and kept with the download's patients), and its stored summaries, which
the file writer decodes and puts in column order (:class:`~copse.services.
export.shapes.TaskRows`: in the writer process, for a large download).  Its
ancillary rows are tuples too, with their task's ``_pk`` put in place.  A
batch holding any task without stored summaries of this version goes the
general way (:func:`copse.services.export.source.complete_batch` and
:class:`copse.services.export.rows.RowMaker`), which writes the same rows
(test ``tests/export/test_stored_summaries.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from copse.schema.registry import BLOB_TABLE, TABLES
from copse.schema.tables import CLIENT_TABLES
from copse.services.export import source
from copse.services.export.options import ExportFilter, ExportOptions
from copse.services.export.rows import OutRow, RowMaker, out_row
from copse.services.export.shapes import TASK_PK, OutTable, Rows, TaskRows
from copse.services.export.source import (
    Batch,
    Key,
    PatientMemo,
    blob_rows,
    complete_batch,
    in_dates,
    keyed_query,
    load_patients,
    next_task_rows,
    stored_summaries,
    task_conditions,
)
from copse.tasks.base import COMPLETE_SUMMARY
from copse.tasks.summaries_store import decode

#: One batch's output: task rows in it, and the rows of each table in order.
Output = tuple[int, Mapping[str, Rows]]


def usable(opts: ExportOptions) -> bool:
    """Whether this download can go the fast way (the others need every version's
    server columns, or pseudonyms and ages instead of patient facts)."""
    return not opts.all_versions and not opts.deidentify


def grouped(pairs: Iterator[tuple[str, OutRow]]) -> dict[str, list[OutRow]]:
    """(table, row) pairs as rows per table, each table's rows in their order."""
    out: dict[str, list[OutRow]] = {}
    for table, row in pairs:
        out.setdefault(table, []).append(row)
    return out


def iter_output(
    conn: sa.Connection,
    name: str,
    f: ExportFilter,
    groups: frozenset[int] | None,
    maker: RowMaker,
    *,
    blobs: bool,
    memo: PatientMemo,
    batch_size: int | None = None,
) -> Iterator[Output]:
    """The output rows of one task table's download, batch by batch."""
    cond = task_conditions(name, f, groups, all_versions=False)
    if cond is None:
        return
    t = CLIENT_TABLES[name]
    own = maker.tables[name].parts[0]
    at = {c: i for i, c in enumerate(own)}
    i_pk = at["_pk"]
    dated = f.created_from is not None or f.created_to is not None
    size = source.BATCH_SIZE if batch_size is None else batch_size
    last = 0
    while True:
        rows = next_task_rows(conn, t, own, cond, last, size)
        if not rows:
            return
        last = int(rows[-1][i_pk])
        stored = stored_summaries(conn, name, int(rows[0][i_pk]), last)
        if dated:
            rows = [r for r in rows if in_dates(f, r[at["when_created"]])]
        if all(r[i_pk] in stored for r in rows):
            out = _fast_batch(conn, name, rows, stored, at, f, maker, blobs=blobs, memo=memo)
        else:
            dicts = [{**dict(zip(own, r, strict=True)), "_current": True} for r in rows]
            batch = complete_batch(
                conn, name, dicts, stored, f, all_versions=False, blobs=blobs, memo=memo
            )
            out = None if batch is None else (len(batch.tasks), grouped(maker.rows(batch)))
        if out is not None:
            yield out


def _fast_batch(
    conn: sa.Connection,
    name: str,
    rows: Sequence[sa.Row[Any]],
    stored: dict[int, str],
    at: dict[str, int],
    f: ExportFilter,
    maker: RowMaker,
    *,
    blobs: bool,
    memo: PatientMemo,
) -> Output | None:
    info = TABLES[name]
    task_out = maker.tables[name]
    _, patient_names, _ = task_out.parts
    i_pk, i_dev, i_era, i_id = at["_pk"], at["_device_id"], at["_era"], at["id"]
    kept = [(r, stored[r[i_pk]]) for r in rows]
    if f.complete_only:
        kept = [(r, v) for r, v in kept if decode(v).get(COMPLETE_SUMMARY) is True]
    if not kept:
        return None
    out: dict[str, Rows] = {}
    batch = Batch(name)
    # The facts of the batch's patients: those the memo holds (the usual case
    # after the first batches), then those read now, whose rows are written.
    facts: dict[Key, OutRow] = {}
    new_facts: dict[Key, OutRow] = {}
    if info.has_patient:
        i_pid = at["patient_id"]
        pkeys = {(r[i_dev], r[i_era], r[i_pid]) for r, _ in kept if r[i_pid] is not None}
        known = memo.facts
        facts = {k: known[k] for k in pkeys & known.keys()}
        unknown = pkeys - known.keys()
        if unknown:
            load_patients(conn, batch, unknown, memo)
            batch.new_patients = {k for k in batch.patients if k not in memo.patients}
            out.update(grouped(maker.patient_rows(batch)))
            for k, p in batch.patients.items():
                f_ = maker.patient_facts(batch, k, p, {})
                new_facts[k] = tuple(out_row([f_.get(c) for c in patient_names]))
            facts.update(new_facts)
    none_facts: OutRow = (None,) * len(patient_names)
    task_rows: list[OutRow] = []
    for r, _ in kept:
        fp = none_facts
        if patient_names and r[i_pid] is not None:
            fp = facts.get((r[i_dev], r[i_era], r[i_pid]), none_facts)
        task_rows.append((*r, *fp))
    out[name] = TaskRows(task_rows, [text for _, text in kept])
    parents = {(r[i_dev], r[i_era], r[i_id]): int(r[i_pk]) for r, _ in kept}
    wanted: set[Key] = set()
    if blobs:
        _blob_keys(wanted, [r for r, _ in kept], at, TABLES[name].blob_id_columns)
    for child in info.ancillary_tables:
        out[child] = _children(conn, child, maker.tables[child], parents, wanted if blobs else None)
    if blobs and wanted:
        names = maker.tables[BLOB_TABLE].names
        out[BLOB_TABLE] = [out_row([b.get(c) for c in names]) for b in blob_rows(conn, wanted)]
    memo.remember(batch)
    for k, made in new_facts.items():
        if k in memo.patients:
            memo.facts[k] = made
    return len(kept), out


def _blob_keys(
    wanted: set[Key], rows: Sequence[Sequence[Any]], at: dict[str, int], columns: Sequence[str]
) -> None:
    """Add the (device, era, BLOB id) of every BLOB these rows refer to."""
    dev, era = at["_device_id"], at["_era"]
    for c in columns:
        i = at[c]
        wanted.update((int(r[dev]), str(r[era]), int(r[i])) for r in rows if r[i] is not None)


def _children(
    conn: sa.Connection,
    child: str,
    layout: OutTable,
    parents: dict[Key, int],
    wanted: set[Key] | None,
) -> list[OutRow]:
    """The current rows of one ancillary table whose task is in ``parents``, as output rows."""
    if not parents:
        return []
    fk = TABLES[child].fk_to_parent
    assert fk is not None
    names = layout.names
    k = names.index(TASK_PK)
    own = [*names[:k], *names[k + 1 :]]
    rows = conn.execute(
        keyed_query(child, fk, set(parents), True, ["_device_id", "_era", fk, *own])
    ).all()
    out: list[OutRow] = []
    mine: list[Sequence[Any]] = []
    for r in rows:
        parent = parents.get((r[0], r[1], r[2]))
        if parent is None:
            continue
        out.append((*r[3 : 3 + k], parent, *r[3 + k :]))
        mine.append(r[3:])
    if wanted is not None:
        _blob_keys(wanted, mine, {c: i for i, c in enumerate(own)}, TABLES[child].blob_id_columns)
    return out
