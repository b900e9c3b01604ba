"""``copse token ...``: personal API tokens of the read API.

``create`` prints the token once, on stdout alone on its line (so scripts
can capture it); only its hash is stored.  The command's audit entry never
contains the token.
"""

from __future__ import annotations

from datetime import datetime

import click

from copse.accounts import api_tokens
from copse.cli.common import BadUsage, CliContext, pass_cli
from copse.wire.dates import utcnow


@click.group("token")
def token_group() -> None:
    """Create, list and revoke personal API tokens (read API)."""


def _when(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%d %H:%M UTC") if dt is not None else "-"


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
@click.option(
    "--expires",
    "expires_days",
    type=click.IntRange(1, api_tokens.MAX_EXPIRY_DAYS),
    default=None,
    help=f"Days until it expires (1 to {api_tokens.MAX_EXPIRY_DAYS}; default: never).",
)
@pass_cli
def create(cli: CliContext, username: str, name: str, expires_days: int | None) -> None:
    """Create an API token for USERNAME and print it (shown only this once)."""
    new = cli.run(
        lambda conn: api_tokens.create_token_for(conn, username, name, expires_days, utcnow())
    )
    click.echo(
        f"API token {new.info.id} for {username} ({new.info.name}), expires "
        f"{_when(new.info.expires_at) if new.info.expires_at else 'never'}. "
        "Copy it now; it is not shown again:",
        err=True,
    )
    click.echo(new.secret)


@token_group.command("list")
@click.argument("username", required=False)
@pass_cli
def list_cmd(cli: CliContext, username: str | None) -> None:
    """List API tokens (of USERNAME, or of everyone); never the tokens themselves."""

    tokens = cli.run(lambda conn: api_tokens.list_tokens_for(conn, username))
    now = utcnow()
    for t in tokens:
        click.echo(
            f"{t.id}\t{t.username}\t{t.name}\t{t.prefix}…\t{t.state(now)}\t"
            f"created {_when(t.created_at)}\texpires {_when(t.expires_at)}\t"
            f"last used {_when(t.last_used_at)}"
        )


@token_group.command("revoke")
@click.argument("ident", type=int, metavar="[TOKEN_ID]", required=False)
@click.option("--user", "username", help="Revoke every token of this user (no TOKEN_ID).")
@pass_cli
def revoke(cli: CliContext, ident: int | None, username: str | None) -> None:
    """Revoke API token TOKEN_ID (see `copse token list`), or all of --user's; at once."""
    if (ident is None) == (username is None):
        raise BadUsage("Give either a TOKEN_ID or --user USERNAME")
    if username is not None:
        n = cli.run(lambda conn: api_tokens.revoke_all_for(conn, username, utcnow()))
        click.echo(f"Revoked {n} API token(s) of {username}")
        return
    assert ident is not None
    info = cli.run(lambda conn: api_tokens.revoke_token(conn, ident, utcnow()))
    click.echo(f"Revoked API token {info.id} of {info.username} ({info.name})")


def register(cli: click.Group) -> None:
    cli.add_command(token_group)
