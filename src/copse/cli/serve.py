"""``copse serve``: migrate, make sure an admin exists, run uvicorn."""

from __future__ import annotations

import os
import secrets

import click
import sqlalchemy as sa

from copse.accounts.users import create_group, create_user, get_group_id, set_membership
from copse.cli.common import CliContext, pass_cli
from copse.db import migrate
from copse.policy.evaluate import TABLET_ID_POLICY_TEXT
from copse.schema.tables import groups, users
from copse.wire.dates import utcnow


def ensure_admin(
    conn: sa.Connection, bcrypt_rounds: int, password: str | None
) -> tuple[str, str] | None:
    """On a database with no users, create ``admin`` (superuser) and return its login."""
    if conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one() > 0:
        return None
    gid = get_group_id(conn, "default")
    if gid is None:
        gid = create_group(conn, "default", "Created at first start")
        # Start with the tablet's own minimum policy, so uploads work at once;
        # without a policy no patient could satisfy the upload-time check.
        conn.execute(
            sa.update(groups)
            .where(groups.c.id == gid)
            .values(upload_policy=TABLET_ID_POLICY_TEXT, finalize_policy=TABLET_ID_POLICY_TEXT)
        )
    password = password or secrets.token_urlsafe(12)
    uid = create_user(
        conn,
        "admin",
        password,
        superuser=True,
        upload_group_id=gid,
        fullname="Administrator",
        bcrypt_rounds=bcrypt_rounds,
        now=utcnow(),
    )
    set_membership(
        conn,
        uid,
        gid,
        may_upload=True,
        may_register_devices=True,
        groupadmin=True,
        may_use_webviewer=True,
        may_add_notes=True,
        may_manage_patients=True,
    )
    return "admin", password


@click.command("serve")
@click.option("--host", help="Address to bind (default 127.0.0.1; env: COPSE_HOST).")
@click.option("--port", type=int, help="Port (default 8088; env: COPSE_PORT).")
@click.option("--workers", type=int, help="Worker processes (default 1; env: COPSE_WORKERS).")
@click.option("--no-migrate", is_flag=True, help="Do not create/upgrade the schema first.")
@pass_cli
def serve(
    cli: CliContext, host: str | None, port: int | None, workers: int | None, no_migrate: bool
) -> None:
    """Run the server (creating the database and an admin login on first start)."""
    import uvicorn

    settings = cli.settings
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    if not no_migrate:
        migrate.upgrade(cli.engine)
    login = cli.run(
        lambda conn: ensure_admin(
            conn, settings.bcrypt_rounds, os.environ.get("COPSE_ADMIN_PASSWORD")
        )
    )
    if login:
        click.echo("=" * 60)
        click.echo("First start: created an administrator account.")
        click.echo(f"  username: {login[0]}")
        click.echo(f"  password: {login[1]}")
        click.echo("Change it with: copse user passwd admin")
        click.echo("=" * 60)
    click.echo(
        f"copse serving the CamCOPS client API at http://{host}:{port}/api "
        f"(database: {cli.engine.url.render_as_string(hide_password=True)})",
        err=True,
    )
    # Workers read their settings from the environment, so pass ours on.
    os.environ["COPSE_DB_URL"] = settings.effective_db_url
    if cli.config_file:
        os.environ["COPSE_CONFIG"] = str(cli.config_file)
    cli.engine.dispose()
    uvicorn.run(
        "copse.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=30,
        # Tablets queued behind others may pause between requests of one
        # conversation; a short keep-alive would drop their connection.
        timeout_keep_alive=75,
    )


def register(cli: click.Group) -> None:
    cli.add_command(serve)
