"""``copse serve``: migrate, make sure an admin exists, run uvicorn."""

from __future__ import annotations

import os
import socket
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from copse.accounts.first_admin import ensure_admin
from copse.cli.common import CliContext, pass_cli
from copse.db import migrate
from copse.logs import configure_logging
from copse.ops.metrics import MULTIPROC_ENV
from copse.ops.tls import SettingsProblem, check_settings, make_self_signed
from copse.services.camcops_import.state import import_incomplete

#: How long a worker may take to answer the supervisor before it is killed.
WORKER_HEALTHCHECK_SECONDS = 120


def port_free(host: str, port: int) -> bool:
    """Whether (host, port) can be bound now (a clear error beats uvicorn's)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


@click.command("serve")
@click.option("--host", help="Address to bind (default 127.0.0.1; env: COPSE_HOST).")
@click.option("--port", type=int, help="Port (default 8088; env: COPSE_PORT).")
@click.option("--workers", type=int, help="Worker processes (default 1; env: COPSE_WORKERS).")
@click.option(
    "--certfile",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Serve HTTPS with this certificate (PEM; env: COPSE_SSL_CERTFILE).",
)
@click.option(
    "--keyfile",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The certificate's private key (PEM; env: COPSE_SSL_KEYFILE).",
)
@click.option("--no-migrate", is_flag=True, help="Do not create/upgrade the schema first.")
@pass_cli
def serve(
    cli: CliContext,
    host: str | None,
    port: int | None,
    workers: int | None,
    certfile: Path | None,
    keyfile: Path | None,
    no_migrate: bool,
) -> None:
    """Run the server (creating the database and an admin login on first start)."""
    import uvicorn

    settings = cli.settings
    if certfile or keyfile:
        settings = replace(
            settings,
            ssl_certfile=certfile or settings.ssl_certfile,
            ssl_keyfile=keyfile or settings.ssl_keyfile,
        )
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    try:
        check_settings(settings)
    except SettingsProblem as exc:
        raise click.ClickException(str(exc)) from None
    if not port_free(host, port):
        raise click.ClickException(
            f"Port {port} on {host} is already in use: stop the other server or choose --port"
        )
    if not no_migrate:
        migrate.upgrade(cli.engine)
    with cli.engine.connect() as conn:
        # Tablets must not meet half of an imported CamCOPS database (and a new
        # admin account would collide with users still to be imported).
        unfinished = import_incomplete(conn)
    if unfinished is not None:
        raise click.ClickException(f"copse will not serve: {unfinished}")
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
    scheme = "https" if settings.ssl_certfile else "http"
    click.echo(
        f"copse serving the CamCOPS client API at {scheme}://{host}:{port}/api "
        f"(database: {cli.engine.url.render_as_string(hide_password=True)})",
        err=True,
    )
    # Workers read their settings from the environment, so pass ours on.
    os.environ["COPSE_DB_URL"] = settings.effective_db_url
    if cli.config_file:
        os.environ["COPSE_CONFIG"] = str(cli.config_file)
    if workers > 1 and not os.environ.get(MULTIPROC_ENV):
        # Each worker keeps its metrics in files here; a scrape adds them up.
        os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="copse-metrics-")
    cli.engine.dispose()
    configure_logging(settings.log_level, settings.log_format)
    trusted = settings.trusted_proxies.strip()
    uvicorn.run(
        "copse.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        # Our own handler formats every line (request ids, JSON if asked).
        log_config=None,
        timeout_graceful_shutdown=30,
        # uvicorn's supervisor kills a worker that misses a 5-second health
        # ping; a worker busy decoding a large one-step upload on a loaded
        # machine can miss it, and killing it fails the tablet's upload.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        # Tablets queued behind others may pause between requests of one
        # conversation; a short keep-alive would drop their connection.
        timeout_keep_alive=75,
        ssl_certfile=str(settings.ssl_certfile) if settings.ssl_certfile else None,
        ssl_keyfile=str(settings.ssl_keyfile) if settings.ssl_keyfile else None,
        # Forwarded headers are believed only from the configured proxies:
        # tablet sessions are bound to the client's address, so trusting
        # them from anyone would let a client pick the address it claims.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


@click.command("dev-cert")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("copse-data"),
    show_default=True,
    help="Folder for cert.pem and key.pem.",
)
@click.option(
    "--hostname",
    "hostnames",
    multiple=True,
    help="Host name or IP the certificate is for (repeatable; default localhost, 127.0.0.1).",
)
@click.option("--days", type=int, default=365, show_default=True, help="Validity.")
def dev_cert(out_dir: Path, hostnames: tuple[str, ...], days: int) -> None:
    """Make a self-signed certificate for trying HTTPS (not for tablets in the field)."""
    names = list(hostnames) or ["localhost", "127.0.0.1"]
    out_dir.mkdir(parents=True, exist_ok=True)
    certfile, keyfile = out_dir / "cert.pem", out_dir / "key.pem"
    for path in (certfile, keyfile):
        if path.exists():
            raise click.ClickException(f"{path} already exists: remove it or choose --out")
    make_self_signed(certfile, keyfile, names, days)
    click.echo(f"Wrote {certfile} and {keyfile} for {', '.join(names)} (valid {days} days).")
    click.echo(f"Start with: copse serve --certfile {certfile} --keyfile {keyfile}")
    click.echo(
        "WARNING: a self-signed certificate is for trying HTTPS only. The CamCOPS app refuses "
        "servers whose certificate it cannot verify: in the field use a certificate from a "
        "certificate authority the tablets trust (your organisation's, or e.g. Let's Encrypt), "
        "or install this certificate as trusted on each tablet.",
        err=True,
    )


def register(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(dev_cert)
