"""Run the Alembic migrations shipped inside the package."""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

#: Alembic's bookkeeping table (named so it sorts apart from copse's tables).
VERSION_TABLE = "_alembic_version"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("copse.schema").joinpath("migrations"))
    )
    cfg.set_main_option("version_table", VERSION_TABLE)
    return cfg


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Create or migrate the schema to ``revision``."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
