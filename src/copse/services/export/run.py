"""One download from start to finish: check, stage, convert, audit.

The caller owns the transaction and the final file name: it passes a
temporary path (see :func:`atomic_output`), commits, and only then is the
file renamed into place, so a refused, failed or interrupted download never
leaves a partial file where the user asked for one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from copse.accounts.users import User
from copse.audit import audit
from copse.schema.registry import (
    BLOB_TABLE,
    PATIENT_IDNUM_TABLE,
    PATIENT_TABLE,
    TABLES,
)
from copse.schema.tables import idnum_definitions
from copse.services.export import fast, layout, writer_process
from copse.services.export.access import groups_to_export, pseudonym_key
from copse.services.export.dictionary import dictionary_rows
from copse.services.export.files import FileWriter, LocalWriter
from copse.services.export.options import (
    ExportError,
    ExportOptions,
    check_dates,
    check_xlsx_rows,
)
from copse.services.export.rows import RowMaker
from copse.services.export.shapes import FileRefused, OutTable
from copse.services.export.source import PatientMemo, candidate_counts, iter_batches

#: progress(task rows done, task rows expected at most)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportResult:
    task_rows: int
    rows_by_table: dict[str, int]
    #: What the download's audit entry says (who, filter, format, rows).
    details: str = ""
    #: Peak resident size (MB) of the process that wrote the file, when a
    #: second one did (downloads of ``PROCESS_MIN_TASK_ROWS`` or more).
    writer_peak_mb: float | None = None


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed to it only if the block succeeds."""
    target = Path(target)
    if target.is_dir():
        raise ExportError(f"output: {str(target)!r} is a folder")
    if not target.parent.is_dir():
        raise ExportError(f"output: folder {str(target.parent)!r} does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _layouts(
    opts: ExportOptions, tasks: list[str], idnum_types: tuple[int, ...]
) -> dict[str, OutTable]:
    out: dict[str, OutTable] = {}
    av = opts.all_versions
    out[PATIENT_TABLE] = layout.patient_table(all_versions=av, deidentify=opts.deidentify)
    if not opts.deidentify:
        out[PATIENT_IDNUM_TABLE] = layout.idnum_table(all_versions=av)
    if opts.blobs:
        out[BLOB_TABLE] = layout.blob_table(all_versions=av)
    for t in tasks:
        out[t] = layout.task_table(
            t, all_versions=av, deidentify=opts.deidentify, idnum_types=idnum_types
        )
        for child in TABLES[t].ancillary_tables:
            out[child] = layout.ancillary_table(child, all_versions=av)
    return out


def _output(
    conn: sa.Connection,
    name: str,
    opts: ExportOptions,
    groups: frozenset[int] | None,
    maker: RowMaker,
    memo: PatientMemo,
) -> Iterator[fast.Output]:
    """One task table's output rows, batch by batch, the fast way where it applies."""
    f = opts.filter
    if fast.usable(opts):
        yield from fast.iter_output(conn, name, f, groups, maker, blobs=opts.blobs, memo=memo)
        return
    for batch in iter_batches(
        conn, name, f, groups, all_versions=opts.all_versions, blobs=opts.blobs, memo=memo
    ):
        yield len(batch.tasks), fast.grouped(maker.rows(batch))


def run_export(
    conn: sa.Connection,
    user: User,
    opts: ExportOptions,
    target: Path,
    *,
    now: datetime,
    source: str,
    remote_addr: str | None = None,
    progress: Progress | None = None,
    audit_entry: bool = True,
) -> ExportResult:
    """Write the download to ``target`` (overwritten) and audit it; raises ExportError.

    ``audit_entry=False``: the caller writes ``ExportResult.details`` to the
    audit trail itself, in a later transaction (a background job reads in a
    read-only transaction and records its outcome afterwards).
    """
    f = opts.filter
    check_dates(f)
    groups = groups_to_export(conn, user, f)
    expected = candidate_counts(conn, f, groups, opts.all_versions)
    if opts.format == "xlsx":
        for t, n in expected.items():
            check_xlsx_rows(t, n)
    tasks = [t for t, n in expected.items() if n]
    idnum_types = tuple(
        int(w)
        for (w,) in conn.execute(
            sa.select(idnum_definitions.c.which_idnum).order_by(idnum_definitions.c.which_idnum)
        )
    )
    key = pseudonym_key(conn) if opts.deidentify else None
    layouts = _layouts(opts, tasks, idnum_types)
    maker = RowMaker(layouts, opts.deidentify, key)
    memo = PatientMemo()  # patients written once per download, whichever tables need them
    total = sum(expected.values())
    done = 0
    counts: dict[str, int] = {}
    stage_path = target if opts.format == "sqlite" else target.with_name(target.name + ".stage")
    stage_path.unlink(missing_ok=True)
    writer: FileWriter
    if total >= writer_process.PROCESS_MIN_TASK_ROWS:
        writer = writer_process.ProcessWriter(stage_path, opts.format, target)
    else:
        writer = LocalWriter(stage_path, opts.format, target)
    try:
        dictionary = layout.dictionary_table()
        writer.insert(dictionary, list(dictionary_rows(layouts, tasks)))
        for name in (PATIENT_TABLE, PATIENT_IDNUM_TABLE, BLOB_TABLE):
            if name in layouts:
                writer.ensure(layouts[name])
        for t in tasks:
            for n, pending in _output(conn, t, opts, groups, maker, memo):
                for table, rows in pending.items():
                    writer.insert(layouts[table], rows)
                for child in TABLES[t].ancillary_tables:
                    writer.ensure(layouts[child])
                done += n
                if progress is not None:
                    progress(done, total)
        if opts.format == "sqlite":
            writer.create_indexes()
        counts = writer.finish()
    except FileRefused as exc:
        raise ExportError(exc.message) from None
    finally:
        writer.abort()
        if stage_path != target:
            stage_path.unlink(missing_ok=True)
    n_tasks = sum(counts.get(t, 0) for t in tasks)
    details = (
        f"Export by {user.username!r}: {opts.describe()}; {n_tasks} task rows in "
        f"{sum(1 for t in tasks if counts.get(t))} task tables, "
        f"{sum(counts.values())} rows in all"
    )
    if audit_entry:
        audit(conn, details, source=source, now=now, remote_addr=remote_addr, user_id=user.id)
    return ExportResult(n_tasks, counts, details, writer.peak_mb)
