"""``copse import-camcops SOURCE_URL``: move a CamCOPS server's data into copse.

The edge only parses options, shows progress and prints the report; the work
is in :mod:`copse.services.camcops_import`.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from copse.cli.common import CliContext, command_audit_line, pass_cli
from copse.services.camcops_import import ImportOptions, ImportProblem, ImportResult, run_import
from copse.services.camcops_import.sync import BATCH_ROWS, Batching
from copse.wire.dates import utcnow


def register(cli: click.Group) -> None:
    cli.add_command(import_camcops_cmd)


def _print_report(result: ImportResult, dry_run: bool) -> None:
    verb = "Would import" if dry_run else "CamCOPS holds"
    click.echo(f"CamCOPS schema revision {result.revision}.")
    click.echo(f"{verb} {result.total_rows} rows:")
    for name, n in result.counts.items():
        if not n:
            continue
        line = f"  {name}: {n}"
        eras = result.era_counts.get(name)
        if eras:
            now = sum(v for (e, _), v in eras.items() if e == "NOW")
            cur = sum(v for (_, c), v in eras.items() if c)
            line += f" (era NOW {now}, finalized {n - now}; current {cur})"
        click.echo(line)
    click.echo("Not carried over:")
    for note in result.not_carried:
        click.echo(f"  {note}")
    if not result.written:
        return
    if result.mode == "again" and not result.changed:
        click.echo("Nothing new since the last import: copse already holds all of it.")
        return
    how = {"new": "Imported", "resumed": "Resumed the interrupted import", "again": "Caught up"}
    click.echo(
        f"{how[result.mode]}: {result.inserted} rows inserted, {result.updated} updated, "
        f"{result.deleted} deleted."
    )


def _print_times(result: ImportResult) -> None:
    names = {"copy": "copy", "index": "index rebuild", "verify": "verification"}
    times = [f"{names[k]} {v:.1f} s" for k, v in result.seconds.items()]
    if times:
        click.echo(f"Time: {', '.join(times)}.")
    if result.helper_peak_mb is not None:
        click.echo(f"The index helper process peaked at {result.helper_peak_mb:.0f} MB.")


@click.command("import-camcops")
@click.argument("source_url")
@click.option("--dry-run", is_flag=True, help="Read everything and report; write nothing.")
@click.option(
    "--verify-only",
    is_flag=True,
    help="Compare an earlier import with the CamCOPS database again; write nothing.",
)
@click.option(
    "--batch-rows",
    type=click.IntRange(min=1),
    default=BATCH_ROWS,
    show_default=True,
    help="Rows written and committed together (fewer: less memory, slower).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=2),
    default=1,
    show_default=True,
    help="Processes computing copse's index: 2 is faster where two cores are free "
    "(~110 MB more memory).",
)
@pass_cli
def import_camcops_cmd(
    ctx: CliContext,
    source_url: str,
    dry_run: bool,
    verify_only: bool,
    batch_rows: int,
    jobs: int,
) -> None:
    """Import a CamCOPS 2.4.x database (mysql://user:pw@host/db) into copse.

    Into an empty copse database; run again, it resumes an interrupted import
    or brings in what CamCOPS has gained since (nothing, if nothing changed).
    """
    if dry_run and verify_only:
        raise click.ClickException("--dry-run and --verify-only exclude each other")
    bar: Any = None

    def on_total(total: int) -> None:
        nonlocal bar
        if sys.stderr.isatty():
            bar = click.progressbar(length=total, label="Importing", file=sys.stderr)
            bar.__enter__()

    def progress(_table: str, n: int) -> None:
        if bar is not None:
            bar.update(n)

    try:
        result = run_import(
            ctx.engine,
            ImportOptions(
                source_url,
                dry_run=dry_run,
                verify_only=verify_only,
                batching=Batching(rows=batch_rows),
                audit_line=command_audit_line,
                jobs=jobs,
            ),
            utcnow(),
            on_total,
            progress,
        )
    except ImportProblem as exc:
        raise click.ClickException(exc.message) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if not verify_only:
        _print_report(result, dry_run)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    for p in result.verify_problems:
        click.echo(f"DIFFERENCE: {p}")
    for p in result.index_problems:
        click.echo(f"INDEX: {p}")
    if not result.ok:
        _print_times(result)
        click.echo(
            f"Verification FAILED: {len(result.verify_problems)} difference(s), "
            f"{len(result.index_problems)} index problem(s)."
        )
        sys.exit(1)
    if result.index_updated is None:
        click.echo("Verification OK: every table matches CamCOPS row for row; index check clean.")
    else:
        click.echo(
            "Verification OK: every table matches CamCOPS row for row; index brought up to date "
            f"where this run changed rows ({result.index_updated} entries recomputed; "
            "'copse check-index' checks it whole)."
        )
    _print_times(result)
