"""``copse user ...``: accounts and their group memberships."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
import sqlalchemy as sa

from copse.accounts import admin_ops, lockout, mfa
from copse.accounts.password_rules import password_problem
from copse.accounts.users import (
    create_user,
    get_user_by_name,
    require_group_id,
    set_membership,
    set_password,
)
from copse.cli.common import CliContext, pass_cli
from copse.errors import UserError
from copse.wire.dates import utcnow

F = TypeVar("F", bound=Callable[..., Any])


@click.group("user")
def user_group() -> None:
    """Add, list, change and unlock users."""


def _ask_password(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """Prompt only on a terminal; otherwise say how to give the password."""
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise click.UsageError(
            "No password given and no terminal to ask for one: "
            "use --password PASSWORD or set COPSE_NEW_PASSWORD"
        )
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _password_option(f: F) -> F:
    return click.option(
        "--password",
        envvar="COPSE_NEW_PASSWORD",
        callback=_ask_password,
        help="The password (prompted for on a terminal if not given; env: COPSE_NEW_PASSWORD).",
    )(f)


@user_group.command("add")
@click.argument("username")
@_password_option
@click.option(
    "--group",
    "group_names",
    multiple=True,
    help="Make the user a member of this group (repeatable).",
)
@click.option("--upload-group", help="The group the user uploads to (default: the first --group).")
@click.option("--superuser", is_flag=True, help="Superuser: may do everything.")
@click.option("--may-upload", is_flag=True, help="May upload to the groups given.")
@click.option(
    "--may-register-devices", is_flag=True, help="May register devices for the groups given."
)
@click.option("--group-admin", is_flag=True, help="Administrator of the groups given.")
@click.option(
    "--may-use-webviewer/--no-webviewer",
    default=True,
    show_default=True,
    help="May log in to the web front end.",
)
@click.option("--fullname", help="Full name.")
@click.option("--email", help="E-mail address.")
@pass_cli
def add(
    cli: CliContext,
    username: str,
    password: str,
    group_names: tuple[str, ...],
    upload_group: str | None,
    superuser: bool,
    may_upload: bool,
    may_register_devices: bool,
    group_admin: bool,
    may_use_webviewer: bool,
    fullname: str | None,
    email: str | None,
) -> None:
    """Add a user."""
    problem = password_problem(password, username, cli.settings.password_min_length)
    if problem:
        raise click.ClickException(problem)

    def work(conn: sa.Connection) -> None:
        gids = [require_group_id(conn, g) for g in group_names]
        upload_gid = (
            require_group_id(conn, upload_group) if upload_group else (gids[0] if gids else None)
        )
        if upload_gid is not None and upload_gid not in gids:
            gids.append(upload_gid)
        uid = create_user(
            conn,
            username,
            password,
            superuser=superuser,
            upload_group_id=upload_gid,
            fullname=fullname,
            email=email,
            bcrypt_rounds=cli.settings.bcrypt_rounds,
            now=utcnow(),
        )
        for gid in gids:
            set_membership(
                conn,
                uid,
                gid,
                may_upload=may_upload,
                may_register_devices=may_register_devices,
                groupadmin=group_admin,
                may_use_webviewer=may_use_webviewer,
            )

    cli.run(work)
    click.echo(f"Added user {username}")


@user_group.command("passwd")
@click.argument("username")
@_password_option
@pass_cli
def passwd(cli: CliContext, username: str, password: str) -> None:
    """Set a user's password."""
    problem = password_problem(password, username, cli.settings.password_min_length)
    if problem:
        raise click.ClickException(problem)

    def work(conn: sa.Connection) -> None:
        user = get_user_by_name(conn, username)
        if user is None:
            raise UserError(f"No such user: {username!r}")
        set_password(
            conn, user.id, password, bcrypt_rounds=cli.settings.bcrypt_rounds, now=utcnow()
        )

    cli.run(work)
    click.echo(f"Password changed for {username}")


@user_group.command("set")
@click.argument("username")
@click.option("--upload-group", help="The group the user uploads to.")
@click.option("--group", "group_name", help="Group whose membership flags to change.")
@click.option("--may-upload/--no-upload", default=None, help="Membership flag for --group.")
@click.option(
    "--may-register-devices/--no-register-devices",
    default=None,
    help="Membership flag for --group.",
)
@click.option("--group-admin/--no-group-admin", default=None, help="Membership flag for --group.")
@click.option(
    "--may-download/--no-download",
    default=None,
    help="Membership flag for --group: may download the group's data (copse export).",
)
@click.option("--superuser/--no-superuser", default=None, help="Superuser status.")
@click.option(
    "--mfa-required/--no-mfa-required",
    default=None,
    help="Two-factor login required on the web (the user sets it up at next login).",
)
@pass_cli
def set_cmd(
    cli: CliContext,
    username: str,
    upload_group: str | None,
    group_name: str | None,
    may_upload: bool | None,
    may_register_devices: bool | None,
    group_admin: bool | None,
    may_download: bool | None,
    superuser: bool | None,
    mfa_required: bool | None,
) -> None:
    """Change a user's upload group, superuser or two-factor status, or membership flags."""

    def work(conn: sa.Connection) -> None:
        user = get_user_by_name(conn, username)
        if user is None:
            raise UserError(f"No such user: {username!r}")
        values: dict[str, object] = {}
        if upload_group:
            gid = require_group_id(conn, upload_group)
            values["upload_group_id"] = gid
            set_membership(conn, user.id, gid)
        if superuser is not None:
            values["superuser"] = superuser
        if mfa_required is not None:
            values["mfa_required"] = mfa_required
        if values:
            admin_ops.set_user_flags(conn, user.id, **values)
        flags = {
            k: v
            for k, v in (
                ("may_upload", may_upload),
                ("may_register_devices", may_register_devices),
                ("groupadmin", group_admin),
                ("may_dump_data", may_download),
            )
            if v is not None
        }
        if flags:
            if not group_name:
                raise UserError("Membership flags need --group")
            set_membership(conn, user.id, require_group_id(conn, group_name), **flags)

    cli.run(work)
    click.echo(f"Updated user {username}")


@user_group.command("list")
@pass_cli
def list_users(cli: CliContext) -> None:
    """List users with their upload group and memberships."""

    def work(conn: sa.Connection) -> list[str]:
        gname = admin_ops.group_names(conn)
        lines = []
        for u, ms in admin_ops.users_with_memberships(conn):
            parts = []
            for m in ms:
                flags = [
                    f
                    for f in ("may_upload", "may_register_devices", "groupadmin", "may_dump_data")
                    if getattr(m, f)
                ]
                parts.append(f"{gname.get(m.group_id)}[{','.join(flags)}]")
            lines.append(
                f"{u.username}\tsuperuser={'yes' if u.superuser else 'no'}\t"
                f"upload_group={gname.get(u.upload_group_id, '-')}\tgroups={' '.join(parts) or '-'}"
            )
        return lines

    for line in cli.run(work):
        click.echo(line)


@user_group.command("unlock")
@click.argument("username")
@pass_cli
def unlock(cli: CliContext, username: str) -> None:
    """Unlock an account locked after failed logins (and forget the failures)."""

    def work(conn: sa.Connection) -> None:
        if get_user_by_name(conn, username) is None:
            raise click.ClickException(f"No such user: {username}")
        lockout.unlock(conn, username)

    cli.run(work)
    click.echo(f"Unlocked {username}")


@user_group.command("mfa-reset")
@click.argument("username")
@pass_cli
def mfa_reset(cli: CliContext, username: str) -> None:
    """Turn off a user's two-factor login (lost phone): they log in with the password
    alone, and set it up again at once if it is required for them."""

    def work(conn: sa.Connection) -> None:
        user = get_user_by_name(conn, username)
        if user is None:
            raise click.ClickException(f"No such user: {username}")
        mfa.reset(conn, user.id)

    cli.run(work)
    click.echo(f"Two-factor login reset for {username}")


def register(cli: click.Group) -> None:
    cli.add_command(user_group)
