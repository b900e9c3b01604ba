"""The ``copse`` command: administration and serving.

Every sub-command opens its own transaction through ``copse.db.tx`` and turns
expected problems into one-line errors (click.ClickException).
"""

from __future__ import annotations

from pathlib import Path

import click

from copse.cli.common import CliContext


@click.group()
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="COPSE_CONFIG",
    help="TOML settings file (env: COPSE_CONFIG).",
)
@click.option(
    "--db-url",
    envvar="COPSE_DB_URL",
    help="Database URL (env: COPSE_DB_URL; default: SQLite file in the data folder).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="COPSE_DATA_DIR",
    help="Folder for the default SQLite database (env: COPSE_DATA_DIR).",
)
@click.pass_context
def cli(
    ctx: click.Context, config_file: Path | None, db_url: str | None, data_dir: Path | None
) -> None:
    """copse: a server for CamCOPS tablets."""
    ctx.obj = CliContext(config_file=config_file, db_url=db_url, data_dir=data_dir)


def _register() -> None:
    from copse.cli import db, groups, idnums, serve, settings_cmd, users

    for mod in (db, users, groups, idnums, settings_cmd, serve):
        mod.register(cli)
    for optional in ("copse.cli.patients", "copse.cli.index", "copse.cli.import_camcops"):
        try:
            mod = __import__(optional, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != optional:
                raise
            continue
        mod.register(cli)


_register()


def main() -> None:
    cli(prog_name="copse")
