"""``copse db ...``: schema management."""

from __future__ import annotations

import sys

import click

from copse.cli.common import CliContext, pass_cli, sqlite_file
from copse.db import migrate
from copse.index.rebuild import check_index
from copse.schema.health import schema_differences, schema_status


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
    """Show the schema revision of the database (creates nothing)."""
    path = sqlite_file(cli.url)
    if path is not None and not path.exists():
        click.echo(f"(no database at {path})")
        return
    click.echo(migrate.current_revision(cli.engine) or "(empty database)")


@db_group.command("check")
@pass_cli
def check(cli: CliContext) -> None:
    """Verify a database (e.g. after a restore): schema revision, tables, indexes.

    Exit code 1 on any problem, with one line per problem.
    """
    status = schema_status(cli.engine)
    if not status.reachable:
        raise click.ClickException(status.error or "database unreachable")
    problems: list[str] = []
    if status.revision != status.head:
        problems.append(
            f"schema revision {status.revision or '(none)'} is not {status.head}: "
            "run `copse db upgrade`"
        )
    else:
        problems.extend(f"schema: {d}" for d in schema_differences(cli.engine))
        with cli.transaction() as conn:
            problems.extend(f"index: {p}" for p in check_index(conn))
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"Database check found {len(problems)} problem(s).")
        sys.exit(1)
    click.echo(f"Database OK: schema at {status.revision}, tables and indexes match the data.")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
