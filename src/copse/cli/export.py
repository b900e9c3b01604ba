"""``copse export``: a research download (CSV zip, Excel or SQLite) to a file.

Bad input is one line and exit code 2; the file appears only when the
download succeeded and its audit entry is committed (written under a
temporary name, renamed at the end).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa

from copse.accounts.users import get_user_by_name, require_group_id
from copse.cli.common import CliContext, pass_cli
from copse.errors import CopseError
from copse.services.export import (
    ExportError,
    ExportFilter,
    ExportOptions,
    atomic_output,
    run_export,
)
from copse.services.export.options import (
    ERAS,
    FORMATS,
    parse_date,
    parse_era,
    parse_format,
    parse_idnum,
    parse_task_types,
)
from copse.wire.dates import utcnow

BAD_INPUT_EXIT = 2


class BadExportInput(click.ClickException):
    """One line on stderr and exit code 2, as for other usage errors."""

    exit_code = BAD_INPUT_EXIT


def _filter(
    conn: sa.Connection,
    group_names: tuple[str, ...],
    tasks: tuple[str, ...],
    idnum: str | None,
    date_from: str | None,
    date_to: str | None,
    complete_only: bool,
    era: str,
) -> ExportFilter:
    which, value = parse_idnum(idnum) if idnum else (None, None)
    gids = []
    for g in group_names:
        try:
            gids.append(require_group_id(conn, g))
        except CopseError:
            raise ExportError(f"group: no such group {g!r}") from None
    return ExportFilter(
        group_ids=tuple(gids),
        task_types=parse_task_types(tasks),
        which_idnum=which,
        idnum_value=value,
        created_from=parse_date("from", date_from) if date_from else None,
        created_to=parse_date("to", date_to) if date_to else None,
        complete_only=complete_only,
        era=parse_era(era),
    )


@click.command("export")
@click.option("--format", "fmt", required=True, help=f"One of: {', '.join(FORMATS)}.")
@click.option("--output", required=True, type=click.Path(path_type=Path), help="File to write.")
@click.option("--user", "username", required=True, help="Export as this user (permissions).")
@click.option("--group", "group_names", multiple=True, help="Only this group (repeatable).")
@click.option("--task", "tasks", multiple=True, help="Only this task table (repeatable).")
@click.option("--idnum", help="Only the patient with this ID number, as TYPE=VALUE.")
@click.option("--from", "date_from", help="Created on or after this date (YYYY-MM-DD, UTC).")
@click.option("--to", "date_to", help="Created on or before this date (YYYY-MM-DD, UTC).")
@click.option("--complete-only", is_flag=True, help="Only complete tasks.")
@click.option("--era", default="all", show_default=True, help=f"One of: {', '.join(ERAS)}.")
@click.option("--all-versions", is_flag=True, help="Every version, with audit columns.")
@click.option("--deidentify", is_flag=True, help="Pseudonyms and ages instead of identifiers.")
@click.option("--blobs", is_flag=True, help="Include BLOBs (photos).")
@pass_cli
def export_cmd(
    cli: CliContext,
    fmt: str,
    output: Path,
    username: str,
    group_names: tuple[str, ...],
    tasks: tuple[str, ...],
    idnum: str | None,
    date_from: str | None,
    date_to: str | None,
    complete_only: bool,
    era: str,
    all_versions: bool,
    deidentify: bool,
    blobs: bool,
) -> None:
    """Download tasks (with summaries, patients and a data dictionary) to a file."""
    show_bar = sys.stderr.isatty()
    try:
        format_ = parse_format(fmt)
        with atomic_output(output) as tmp, cli.engine.begin() as conn:
            user = get_user_by_name(conn, username)
            if user is None:
                raise ExportError(f"user: no such user {username!r}")
            opts = ExportOptions(
                format=format_,
                filter=_filter(
                    conn, group_names, tasks, idnum, date_from, date_to, complete_only, era
                ),
                all_versions=all_versions,
                deidentify=deidentify,
                blobs=blobs,
            )
            with click.progressbar(
                length=1, label="Exporting", file=sys.stderr, hidden=not show_bar
            ) as bar:

                def progress(done: int, total: int) -> None:
                    bar.length = max(total, 1)
                    bar.update(done - bar.pos)

                result = run_export(
                    conn, user, opts, tmp, now=utcnow(), source="console", progress=progress
                )
    except ExportError as exc:
        raise BadExportInput(exc.message) from None
    except CopseError as exc:
        raise click.ClickException(exc.message) from None
    except sa.exc.OperationalError as exc:
        raise click.ClickException(f"Database error: {exc.orig}") from None
    cli.audit_note = f"exported {result.task_rows} task rows"
    cli.run(lambda conn: None)  # who ran it (OS user), beside the export's own audit entry
    click.echo(f"Exported {result.task_rows} task rows to {output}")


def register(cli: click.Group) -> None:
    cli.add_command(export_cmd)
