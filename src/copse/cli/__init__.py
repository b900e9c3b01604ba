"""The ``copse`` command: administration and serving.

Every sub-command opens its own transaction through ``copse.db.tx`` and turns
expected problems into one-line errors (click.ClickException).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

from copse.cli.common import CliContext

#: Each command's module(s), imported only when the command runs (or help lists
#: it): the commands together import ~20 MB of modules (the web, the exports)
#: that one command rarely needs; an import from CamCOPS runs leaner for it.
#: A module's ``register`` adds all its commands; ``patients`` also adds one
#: to ``group``.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "check-index": ("index",),
    "db": ("db",),
    "demo": ("demo",),
    "dev-cert": ("serve",),
    "export": ("export",),
    "group": ("groups", "patients"),
    "housekeeping": ("housekeeping",),
    "idnum": ("idnums",),
    "import-camcops": ("import_camcops",),
    "patient": ("patients",),
    "reindex": ("index",),
    "schedule": ("patients",),
    "serve": ("serve",),
    "settings": ("settings_cmd",),
    "token": ("tokens",),
    "user": ("users",),
}


class LazyGroup(click.Group):
    """A group whose commands are registered by their modules on first use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._registered: set[str] = set()

    def _load(self, name: str) -> None:
        for module in COMMAND_MODULES.get(name, ()):
            if module not in self._registered:
                self._registered.add(module)
                importlib.import_module(f"copse.cli.{module}").register(self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load(cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup)
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


def main() -> None:
    cli(prog_name="copse")
