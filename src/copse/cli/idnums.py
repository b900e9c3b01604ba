"""``copse idnum ...``: ID number definitions."""

from __future__ import annotations

import click
import sqlalchemy as sa

from copse.accounts import admin_ops
from copse.cli.common import CliContext, pass_cli
from copse.errors import UserError


@click.group("idnum")
def idnum_group() -> None:
    """Define the ID numbers patients may carry (NHS number, hospital number, ...)."""


@idnum_group.command("add")
@click.argument("which_idnum", type=click.IntRange(min=1))
@click.option("--description", required=True, help="Full name, e.g. 'NHS number'.")
@click.option("--short-description", required=True, help="Short name, e.g. 'NHS#'.")
@click.option(
    "--validation-method",
    type=click.Choice(["none", "uk_nhs_number"]),
    default="none",
    show_default=True,
    help="How values are checked on upload.",
)
@pass_cli
def add(
    cli: CliContext,
    which_idnum: int,
    description: str,
    short_description: str,
    validation_method: str,
) -> None:
    """Add ID number definition WHICH_IDNUM (an integer >= 1)."""

    def work(conn: sa.Connection) -> None:
        problems = admin_ops.idnum_problems(
            conn, which_idnum, description, short_description, new=True
        )
        if problems:
            raise UserError(problems[0])
        method = "" if validation_method == "none" else validation_method
        admin_ops.save_idnum(
            conn,
            which_idnum,
            True,
            {
                "description": description,
                "short_description": short_description,
                "validation_method": method,
            },
        )

    cli.run(work)
    click.echo(f"Added ID number {which_idnum}: {description}")


@idnum_group.command("list")
@pass_cli
def list_idnums(cli: CliContext) -> None:
    """List ID number definitions."""
    rows = cli.run(admin_ops.list_idnums)
    for d in rows:
        click.echo(
            f"{d.which_idnum}\t{d.description}\t{d.short_description}\t"
            f"{d.validation_method or 'none'}"
        )


def register(cli: click.Group) -> None:
    cli.add_command(idnum_group)
