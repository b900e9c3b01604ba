"""``copse group ...``: groups and their ID policies."""

from __future__ import annotations

import click
import sqlalchemy as sa

from copse.accounts import admin_ops
from copse.accounts.admin_ops import set_group_policies, update_group
from copse.accounts.users import create_group, require_group_id
from copse.cli.common import CliContext, pass_cli


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
        set_group_policies(conn, gid, upload_policy, finalize_policy)

    cli.run(work)
    click.echo(f"Added group {name}")


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
        set_group_policies(conn, gid, upload_policy, finalize_policy)
        if check_on_upload is not None:
            update_group(conn, gid, {"check_policy_on_upload": check_on_upload})

    cli.run(work)
    click.echo(f"Updated group {name}")


@group_group.command("list")
@pass_cli
def list_groups(cli: CliContext) -> None:
    """List groups with their policies."""
    rows = cli.run(admin_ops.list_groups)
    for g in rows:
        click.echo(
            f"{g.name}\tupload_policy={g.upload_policy or ''}\t"
            f"finalize_policy={g.finalize_policy or ''}\t"
            f"check_on_upload={'yes' if g.check_policy_on_upload else 'no'}"
        )


def register(cli: click.Group) -> None:
    cli.add_command(group_group)
