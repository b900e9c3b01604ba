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
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from copse.cli import (
        db,
        demo,
        export,
        groups,
        housekeeping,
        idnums,
        import_camcops,
        index,
        patients,
        serve,
        settings_cmd,
        tokens,
        users,
    )

    modules = (db, users, groups, idnums, settings_cmd, serve, patients, index, housekeeping)
    for mod in (*modules, demo, export, import_camcops, tokens):
        mod.register(cli)


_register()


def main() -> None:
    cli(prog_name="copse")
