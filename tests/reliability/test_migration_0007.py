"""Migration 0007 adds ``_security_api_tokens``; it downgrades and re-applies."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from copse.db import migrate
from copse.db.engine import make_engine

TABLE = "_security_api_tokens"


def test_0007_up_down_up(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision() >= "0007"
    assert sa.inspect(engine).has_table(TABLE)
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    assert not sa.inspect(engine).has_table(TABLE)
    migrate.upgrade(engine)
    assert sa.inspect(engine).has_table(TABLE)
    engine.dispose()
