"""``copse settings set ...``: server settings stored in the database."""

from __future__ import annotations

import click

from copse.accounts import mfa
from copse.cli.common import CliContext, pass_cli
from copse.services.server_settings import set_database_title, title_problem

_YES_NO = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


@click.group("settings")
def settings_group() -> None:
    """Server settings kept in the database."""


@settings_group.command("set")
@click.argument("name", type=click.Choice(["database-title", "mfa-required"]))
@click.argument("value")
@pass_cli
def set_cmd(cli: CliContext, name: str, value: str) -> None:
    """Set a server setting (database-title: the name tablets show; mfa-required:
    yes/no, every web user must use two-factor login)."""
    if name == "mfa-required":
        if value.lower() not in _YES_NO:
            raise click.ClickException("mfa-required must be yes or no")
        required = _YES_NO[value.lower()]
        cli.run(lambda conn: mfa.set_site_required(conn, required))
        click.echo(f"Set {name}")
        return
    problem = title_problem(value)
    if problem is not None:
        raise click.ClickException(problem)
    cli.run(lambda conn: set_database_title(conn, value))
    click.echo(f"Set {name}")


def register(cli: click.Group) -> None:
    cli.add_command(settings_group)
