"""The import as one operation: check, copy, reindex, verify.

Order matters for "nothing written on bad input": the source is recognised
and the copse database checked before the single write transaction opens,
and that transaction checks again that copse is empty before the first insert.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from copse.index.rebuild import check_index, reindex_all
from copse.services.camcops_import.errors import ImportProblem
from copse.services.camcops_import.plan import NOT_CARRIED, SKIPPED_ROWS, TablePlan, build_plan
from copse.services.camcops_import.source import (
    SourceSchema,
    count_kept,
    count_rows,
    era_counts,
    open_snapshot,
    read_schema,
    schema_gaps,
    stream_rows,
    unknown_tables,
)
from copse.services.camcops_import.target import (
    check_target,
    copy_table,
    require_empty,
    reset_sequences,
)
from copse.services.camcops_import.verify import compare_table

#: Called once with the total row count, then with (table, rows written) per batch.
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class ImportOptions:
    source_url: str
    dry_run: bool = False
    #: Only compare an earlier import with the source (nothing written).
    verify_only: bool = False


@dataclass
class ImportResult:
    """What was (or, for a dry run, would be) imported, and what the checks found."""

    revision: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    era_counts: dict[str, dict[tuple[str, bool], int]] = field(default_factory=dict)
    not_carried: list[str] = field(default_factory=list)
    verify_problems: list[str] = field(default_factory=list)
    index_problems: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())

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
    mfa = conn.execute(
        sa.text("SELECT COUNT(*) FROM _security_users WHERE mfa_method NOT IN ('no_mfa', 'totp')")
    ).scalar_one()
    if mfa:
        notes.append(
            f"_security_users: {mfa} user(s) use e-mail or SMS one-time codes, which copse "
            "does not offer: their MFA settings are kept but they log in with the password alone "
            "(TOTP users keep their authenticator app)"
        )
    return notes


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
    with open_snapshot(options.source_url) as src:
        schema = read_schema(src)
        gaps = schema_gaps(schema, plans)
        if gaps:
            raise ImportProblem(
                f"CamCOPS schema {schema.revision} does not match what copse imports: "
                + "; ".join(gaps[:5])
                + (f" (and {len(gaps) - 5} more)" if len(gaps) > 5 else "")
            )
        result.revision = schema.revision
        for p in plans:
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
                require_empty(probe)
            if options.dry_run:
                return result
            if on_total is not None:
                on_total(result.total_rows)
            with engine.begin() as dst:
                require_empty(dst)
                for p in plans:
                    if result.counts[p.name]:
                        copy_table(dst, p, stream_rows(src, p, p.source_columns), progress)
                reset_sequences(dst, plans)
                reindex_all(dst, now)
            result.written = True
        with engine.connect() as dst:
            for p in plans:
                result.verify_problems.extend(compare_table(src, dst, p))
            result.index_problems = check_index(dst)
    return result
