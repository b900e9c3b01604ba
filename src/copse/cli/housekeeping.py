"""``copse housekeeping``: purge expired sessions and old login failures now, mark
interrupted download jobs failed and delete expired download files."""

from __future__ import annotations

import click
import sqlalchemy as sa

from copse.accounts.housekeeping import purge
from copse.cli.common import CliContext, pass_cli
from copse.services.downloads import jobs as download_jobs
from copse.wire.dates import utcnow


@click.command("housekeeping")
@pass_cli
def housekeeping(cli: CliContext) -> None:
    """Delete expired sessions and login failures/lockouts past their retention."""
    now = utcnow()

    def work(conn: sa.Connection) -> str:
        purged = (
            f"{purge(conn, cli.settings, now)}; {download_jobs.housekeep(conn, cli.settings, now)}"
        )
        cli.audit_note = f"removed {purged}"
        return purged

    click.echo(f"Removed {cli.run(work)}.")


def register(cli: click.Group) -> None:
    cli.add_command(housekeeping)
