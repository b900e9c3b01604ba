"""``copse db ...``: schema management."""

from __future__ import annotations

import click

from copse.cli.common import CliContext, pass_cli
from copse.db import migrate


@click.group("db")
def db_group() -> None:
    """Create or migrate the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@pass_cli
def upgrade(cli: CliContext, revision: str) -> None:
    """Create the schema, or migrate it to the latest revision."""
    migrate.upgrade(cli.engine, revision)
    cli.run(lambda conn: None)  # the audit entry, now that its table exists
    click.echo(f"Database at revision {migrate.current_revision(cli.engine)}")


@db_group.command("current")
@pass_cli
def current(cli: CliContext) -> None:
    """Show the schema revision of the database."""
    click.echo(migrate.current_revision(cli.engine) or "(empty database)")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
