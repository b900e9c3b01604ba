"""``copse reindex`` and ``copse check-index`` (data-model.md §9.5, §9.6).

``reindex`` rebuilds both indexes in one transaction (readers see the old
index or the new one, never a half-built one); ``check-index`` prints every
difference between the indexes and the data, including cached fields the
reference does not check, and exits 1 if there is any.
"""

from __future__ import annotations

import sys

import click

from copse.cli.common import CliContext, pass_cli
from copse.index.rebuild import check_index, reindex_all
from copse.schema.registry import TASK_TABLES
from copse.wire.dates import utcnow


def register(cli: click.Group) -> None:
    cli.add_command(reindex_cmd)
    cli.add_command(check_index_cmd)


@click.command("reindex")
@pass_cli
def reindex_cmd(ctx: CliContext) -> None:
    """Rebuild the task and ID-number indexes from the data."""
    with (
        ctx.transaction() as conn,
        click.progressbar(
            length=len(TASK_TABLES), label="Reindexing tasks", file=sys.stderr
        ) as bar,
    ):

        def progress(done: int, total: int, table: str) -> None:
            bar.update(1)

        n_idnums, n_tasks = reindex_all(conn, utcnow(), progress)
    click.echo(f"Reindexed: {n_tasks} task entries, {n_idnums} ID-number entries.")


@click.command("check-index")
@pass_cli
def check_index_cmd(ctx: CliContext) -> None:
    """Compare the indexes with the data; exit code 1 on any difference."""
    with ctx.transaction() as conn:
        problems = check_index(conn)
    if not problems:
        click.echo("Index OK: task and ID-number indexes match the data.")
        return
    for p in problems:
        click.echo(p)
    click.echo(f"Index has {len(problems)} problem(s); run 'copse reindex' to rebuild it.")
    sys.exit(1)
