"""The import as one operation: check, copy (or catch up, or resume), reindex, verify.

Nothing is written before the source is recognised and the copse database
checked: empty, or holding an earlier import of the same CamCOPS database.
The copy then commits batch by batch (``sync``), recording its progress in
``_import_state`` with each batch, so a killed run resumes where it stopped
and a run after a complete import brings in only what changed since.
copse's own audit entries of the import are told apart from the imported
ones (these are marked ``camcops:``) and are not part of the comparison.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from copse.audit import audit
from copse.db.probe import tables_with_rows
from copse.db.statistics import analyze
from copse.index.entry_process import EntryProcessFailed
from copse.index.maintain import IndexWork, apply_work, follow_rows
from copse.index.rebuild import check_index, reindex_all_checked
from copse.services.camcops_import.digests import SourceDigests
from copse.services.camcops_import.errors import ImportProblem
from copse.services.camcops_import.plan import NOT_CARRIED, SKIPPED_ROWS, TablePlan, build_plan
from copse.services.camcops_import.source import (
    SourceSchema,
    count_kept,
    count_rows,
    era_counts,
    fit_plans,
    read_schema,
    source_identity,
    unknown_tables,
    with_snapshot,
)
from copse.services.camcops_import.state import (
    COMPLETE,
    COPIED,
    COPYING,
    TABLE_DONE,
    ImportState,
    read_state,
    set_phase,
    start_run,
)
from copse.services.camcops_import.sync import (
    Batching,
    Progress,
    WrittenKeys,
    delete_rows,
    make_room,
    sync_table,
)
from copse.services.camcops_import.target import (
    check_target,
    require_empty,
    require_no_tablet_activity,
    reset_sequences,
)
from copse.services.camcops_import.verify import compare_table

#: The audit line of the running command, given a note on what it did (None: not audited).
AuditLine = Callable[[str], str | None]

#: A run after a complete import re-indexes only what the rows it writes affect,
#: if they are at most this many (memory: their keys are kept until the end)...
CATCH_UP_ROWS = 100_000
#: ... and at most this share of the source's rows, or :data:`CATCH_UP_FLOOR` rows:
#: an entry recomputed alone costs ~4 times its share of a full rebuild (measured:
#: ~330 against ~85 us at x300 on PostgreSQL), so past a quarter the rebuild is faster.
CATCH_UP_SHARE = 0.25
CATCH_UP_FLOOR = 1000


def catch_up_limit(source_rows: int) -> int:
    """How many written rows a catch-up re-indexes one by one (beyond: a full rebuild)."""
    return min(CATCH_UP_ROWS, max(CATCH_UP_FLOOR, int(source_rows * CATCH_UP_SHARE)))


@dataclass(frozen=True)
class ImportOptions:
    source_url: str
    dry_run: bool = False
    #: Only compare an earlier import with the source (nothing written).
    verify_only: bool = False
    batching: Batching = field(default_factory=Batching)
    audit_line: AuditLine | None = None
    #: Processes computing the index entries (2: a helper beside this one,
    #: :mod:`copse.index.entry_process`; faster with two free cores, ~110 MB more).
    jobs: int = 1


@dataclass
class ImportResult:
    """What was (or, for a dry run, would be) imported, and what the checks found."""

    revision: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    era_counts: dict[str, dict[tuple[str, bool], int]] = field(default_factory=dict)
    not_carried: list[str] = field(default_factory=list)
    verify_problems: list[str] = field(default_factory=list)
    index_problems: list[str] = field(default_factory=list)
    #: Whether ``index_problems`` is already known (the index was rebuilt and checked).
    index_checked: bool = False
    #: A catch-up after a complete import: how many index entries it recomputed for
    #: the rows it wrote (None: the index was rebuilt whole, or is to be checked whole).
    index_updated: int | None = None
    #: The peak memory (MB) of the index rebuild's helper process, if it had one.
    helper_peak_mb: float | None = None
    #: Seconds spent per phase ("copy", "index", "verify"), for the report.
    seconds: dict[str, float] = field(default_factory=dict)
    written: bool = False
    #: "new" (into an empty copse), "resumed" (an interrupted run) or "again" (catching up).
    mode: str = "new"
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted

    @property
    def ok(self) -> bool:
        return not self.verify_problems and not self.index_problems


def _not_carried(conn: sa.Connection, schema: SourceSchema, plans: list[TablePlan]) -> list[str]:
    notes: list[str] = []
    for name, why in sorted(NOT_CARRIED.items()):
        if name in schema.columns:
            n = count_rows(conn, name)
            notes.append(f"{name} ({n} rows): {why}")
    for name in unknown_tables(schema, plans):
        notes.append(f"{name} ({count_rows(conn, name)} rows): unknown table, not imported")
    mfa = 0
    if "mfa_method" in schema.columns.get("_security_users", ()):
        mfa = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM _security_users WHERE mfa_method NOT IN ('no_mfa', 'totp')"
            )
        ).scalar_one()
    if mfa:
        notes.append(
            f"_security_users: {mfa} user(s) use e-mail or SMS one-time codes, which copse "
            "does not offer: their MFA settings are kept but they log in with the password alone "
            "(TOTP users keep their authenticator app)"
        )
    return notes


def _check_earlier(conn: sa.Connection, source_id: str) -> ImportState | None:
    """The earlier import this run continues, if any; refuses a database it cannot use."""
    st = read_state(conn)
    if st is None:
        require_empty(conn)
        return None
    if st.source != source_id:
        raise ImportProblem(
            f"This copse database holds an import of another CamCOPS database ({st.source}), "
            f"not {source_id}"
        )
    require_no_tablet_activity(conn)
    return st


def _audit(conn: sa.Connection, options: ImportOptions, note: str, now: datetime) -> None:
    line = options.audit_line(note) if options.audit_line is not None else None
    if line is not None:
        audit(conn, line, source="console", now=now)


def _copy(
    src: sa.Connection,
    engine: sa.Engine,
    plans: list[TablePlan],
    options: ImportOptions,
    result: ImportResult,
    now: datetime,
    progress: Progress | None,
    digests: SourceDigests,
) -> None:
    """Check the copse side, then bring every table level with CamCOPS."""
    started = time.perf_counter()
    source_id = source_identity(options.source_url)
    with engine.begin() as dst:
        earlier = _check_earlier(dst, source_id)
        resume = earlier is not None and earlier.phase == COPYING
        result.mode = "new" if earlier is None else ("resumed" if resume else "again")
        start_run(dst, source_id, resume, now)
        # An interrupted run may have copied audit keys that PostgreSQL's sequence
        # has not seen: move it past them before copse writes its own entry.
        reset_sequences(dst, [p for p in plans if p.own() is not None])
        _audit(dst, options, f"{result.mode} import started", now)
    done = earlier.tables if earlier is not None and resume else {}
    deletions: list[tuple[TablePlan, list[tuple[Any, ...]]]] = []
    # After a complete import, the index is exact but for what this run writes.
    written = (
        WrittenKeys(catch_up_limit(result.total_rows))
        if earlier is not None and earlier.phase == COMPLETE
        else None
    )
    for p in plans:
        phase, last = done.get(p.name, ("", None))
        if phase == TABLE_DONE:
            if progress is not None:
                progress(p.name, result.counts[p.name])
            continue
        if p.own() is not None:
            top = src.execute(sa.select(sa.func.max(p.table.c[p.key[0]]))).scalar_one()
            with engine.begin() as dst:
                make_room(dst, p, top)
        counts = sync_table(
            src,
            engine,
            p,
            source_id=source_id,
            after=last,
            now=now,
            batching=options.batching,
            progress=progress,
            expected=result.counts[p.name],
            digests=digests,
            written=written,
        )
        result.inserted += counts.inserted
        result.updated += counts.updated
        if counts.to_delete:
            deletions.append((p, counts.to_delete))
    result.seconds["copy"] = time.perf_counter() - started
    started = time.perf_counter()
    # A catch-up within the limit: the client rows written, table -> _pk (else None).
    tracked = written.tables if written is not None and written.complete else None
    if tracked is None:
        # The index rebuild looks rows up by key across every client table: give
        # the planner statistics of what was just loaded (copse.db.statistics).
        analyze(engine, [p.name for p in plans if p.is_client and result.counts.get(p.name)])
    work: IndexWork | None = None
    with engine.begin() as dst:
        if tracked is not None:
            for p, keys in deletions:
                if p.is_client:
                    tracked.setdefault(p.name, set()).update(int(k[0]) for k in keys)
            # Followed before the deletions: a deleted ancillary row or BLOB
            # leads to its task only while it exists.
            work = follow_rows(dst, tracked)
        for p, keys in reversed(deletions):
            delete_rows(dst, p, keys)
            result.deleted += len(keys)
        reset_sequences(dst, plans)
    # Committed before the rebuild, whose helper process reads committed data only.
    with engine.begin() as dst:
        if work is not None:
            apply_work(dst, work, now)
            result.index_updated = work.size
        elif result.changed or earlier is None or earlier.phase != COMPLETE:
            # The rebuilt index is checked as it is written (no second computation).
            try:
                rebuilt = reindex_all_checked(dst, now, second_process=options.jobs > 1)
            except EntryProcessFailed as exc:
                raise ImportProblem(f"The index rebuild stopped: {exc.message}") from None
            result.index_problems = rebuilt.problems
            result.helper_peak_mb = rebuilt.helper_peak_mb
            result.index_checked = True
        set_phase(dst, source_id, COPIED, now)
    result.seconds["index"] = time.perf_counter() - started
    result.written = True


def _survey_copy_verify(
    src: sa.Connection,
    engine: sa.Engine,
    plans: list[TablePlan],
    options: ImportOptions,
    result: ImportResult,
    now: datetime,
    on_total: Callable[[int], None] | None,
    progress: Progress | None,
    digests: SourceDigests,
) -> None:
    """Everything that reads the source, in its snapshot: count, copy, verify."""
    schema = read_schema(src)
    plans, schema_notes, gaps = fit_plans(schema, plans)
    if gaps:
        raise ImportProblem(
            f"CamCOPS schema {schema.revision} does not match what copse imports: "
            + "; ".join(gaps[:5])
            + (f" (and {len(gaps) - 5} more)" if len(gaps) > 5 else "")
        )
    result.revision = schema.revision
    result.not_carried.extend(schema_notes)
    # perf: a CamCOPS database uses a few of its ~160 tables; the empty ones
    # are found in one statement per 50 tables, not counted one by one.
    holding = tables_with_rows(src, [p.table for p in plans])
    for p in plans:
        if p.name not in holding:
            result.counts[p.name] = 0
            if p.is_client:
                result.era_counts[p.name] = {}
            continue
        result.counts[p.name], skipped = count_kept(src, p)
        if skipped:
            result.not_carried.append(
                f"{p.name}: {skipped} row(s) left out: {SKIPPED_ROWS[p.name][1]}"
            )
        if p.is_client:
            result.era_counts[p.name] = era_counts(src, p.table)
    result.not_carried.extend(_not_carried(src, schema, plans))
    if not options.verify_only:
        with engine.connect() as probe:
            _check_earlier(probe, source_identity(options.source_url))
        if options.dry_run:
            return
        if on_total is not None:
            on_total(result.total_rows)
        _copy(src, engine, plans, options, result, now, progress, digests)
    started = time.perf_counter()
    with engine.connect() as dst:
        in_copse = tables_with_rows(dst, [p.table for p in plans])
        for p in plans:
            if not result.counts.get(p.name) and p.name not in in_copse:
                continue  # empty on both sides: nothing to compare
            result.verify_problems.extend(
                compare_table(
                    src,
                    dst,
                    p,
                    result.counts.get(p.name),
                    source_eras=result.era_counts.get(p.name),
                    digests=digests,
                )
            )
        if not result.index_checked and result.index_updated is None:
            result.index_problems = check_index(dst)
    result.seconds["verify"] = time.perf_counter() - started


def run_import(
    engine: sa.Engine,
    options: ImportOptions,
    now: datetime,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import (or with ``dry_run`` only survey) a CamCOPS database into copse."""
    plans = build_plan()
    check_target(engine)
    result = ImportResult()

    def read(src: sa.Connection) -> None:
        with SourceDigests() as digests:
            _survey_copy_verify(
                src, engine, plans, options, result, now, on_total, progress, digests
            )

    with_snapshot(options.source_url, read)
    if result.written:
        with engine.begin() as dst:
            source_id = source_identity(options.source_url)
            if result.ok:
                set_phase(dst, source_id, COMPLETE, now)
            note = (
                f"{result.mode} import finished: {result.inserted} rows inserted, "
                f"{result.updated} updated, {result.deleted} deleted; verification "
                + ("OK" if result.ok else "FAILED")
            )
            _audit(dst, options, note, now)
    return result
