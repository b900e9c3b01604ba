"""``copse group ...``: groups and their ID policies."""

from __future__ import annotations

import click
import sqlalchemy as sa

from copse.accounts.users import create_group, require_group_id
from copse.cli.common import CliContext, pass_cli
from copse.errors import UserError
from copse.policy.evaluate import policy_problems
from copse.schema.tables import groups, idnum_definitions


@click.group("group")
def group_group() -> None:
    """Add and list groups; set their ID policies."""


@group_group.command("add")
@click.argument("name")
@click.option("--description", help="Description.")
@click.option("--upload-policy", help="Upload ID policy, e.g. 'sex AND idnum1'.")
@click.option("--finalize-policy", help="Finalize ID policy.")
@pass_cli
def add(
    cli: CliContext,
    name: str,
    description: str | None,
    upload_policy: str | None,
    finalize_policy: str | None,
) -> None:
    """Add a group."""

    def work(conn: sa.Connection) -> None:
        gid = create_group(conn, name, description)
        _set_policies(conn, gid, upload_policy, finalize_policy)

    cli.run(work)
    click.echo(f"Added group {name}")


def _set_policies(conn: sa.Connection, gid: int, upload: str | None, finalize: str | None) -> None:
    valid_idnums = [r[0] for r in conn.execute(sa.select(idnum_definitions.c.which_idnum))]
    values: dict[str, str | None] = {}
    for key, text in (("upload_policy", upload), ("finalize_policy", finalize)):
        if text is None:
            continue
        if not text.strip():
            values[key] = None  # an empty policy clears it: nothing then passes
            continue
        problem = policy_problem(text, valid_idnums, key)
        if problem:
            raise UserError(problem)
        values[key] = text  # stored and sent verbatim
    if values:
        conn.execute(sa.update(groups).where(groups.c.id == gid).values(**values))


def policy_problem(text: str, valid_idnums: list[int], which: str) -> str | None:
    """The reference's complaint about a policy, or None if it is acceptable."""
    return policy_problems(text, valid_idnums)


@group_group.command("set-policy")
@click.argument("name")
@click.option("--upload", "upload_policy", help="Upload ID policy ('' clears it).")
@click.option("--finalize", "finalize_policy", help="Finalize ID policy ('' clears it).")
@click.option(
    "--check-on-upload/--no-check-on-upload",
    default=None,
    help="Enforce the policies on every upload (copse; default on).",
)
@pass_cli
def set_policy(
    cli: CliContext,
    name: str,
    upload_policy: str | None,
    finalize_policy: str | None,
    check_on_upload: bool | None,
) -> None:
    """Set a group's upload and/or finalize ID policy."""
    if upload_policy is None and finalize_policy is None and check_on_upload is None:
        raise click.ClickException("Give --upload, --finalize and/or --check-on-upload")

    def work(conn: sa.Connection) -> None:
        gid = require_group_id(conn, name)
        _set_policies(conn, gid, upload_policy, finalize_policy)
        if check_on_upload is not None:
            conn.execute(
                sa.update(groups)
                .where(groups.c.id == gid)
                .values(check_policy_on_upload=check_on_upload)
            )

    cli.run(work)
    click.echo(f"Updated group {name}")


@group_group.command("list")
@pass_cli
def list_groups(cli: CliContext) -> None:
    """List groups with their policies."""
    rows = cli.run(lambda conn: conn.execute(sa.select(groups).order_by(groups.c.name)).all())
    for g in rows:
        click.echo(
            f"{g.name}\tupload_policy={g.upload_policy or ''}\t"
            f"finalize_policy={g.finalize_policy or ''}\t"
            f"check_on_upload={'yes' if g.check_policy_on_upload else 'no'}"
        )


def register(cli: click.Group) -> None:
    cli.add_command(group_group)
