"""``copse idnum ...``: ID number definitions."""

from __future__ import annotations

import click
import sqlalchemy as sa

from copse.cli.common import CliContext, pass_cli
from copse.errors import UserError
from copse.schema.tables import idnum_definitions as defs


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
        existing = conn.execute(sa.select(defs)).all()
        if any(d.which_idnum == which_idnum for d in existing):
            raise UserError("ID# clashes with another ID number!")
        if any(d.description == description for d in existing):
            raise UserError("Description is used by another ID number!")
        if any(d.short_description == short_description for d in existing):
            raise UserError("Short description is used by another ID number!")
        conn.execute(
            sa.insert(defs).values(
                which_idnum=which_idnum,
                description=description,
                short_description=short_description,
                validation_method="" if validation_method == "none" else validation_method,
            )
        )

    cli.run(work)
    click.echo(f"Added ID number {which_idnum}: {description}")


@idnum_group.command("list")
@pass_cli
def list_idnums(cli: CliContext) -> None:
    """List ID number definitions."""
    rows = cli.run(lambda conn: conn.execute(sa.select(defs).order_by(defs.c.which_idnum)).all())
    for d in rows:
        click.echo(
            f"{d.which_idnum}\t{d.description}\t{d.short_description}\t"
            f"{d.validation_method or 'none'}"
        )


def register(cli: click.Group) -> None:
    cli.add_command(idnum_group)
