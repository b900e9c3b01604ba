"""Migration 0004 adds ``_server_settings.export_pseudonym_key``; it downgrades and re-applies."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from copse.db import migrate
from copse.db.engine import make_engine


def _cols(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("_server_settings")}


def test_0004_up_down_up(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision() >= "0004"
    assert "export_pseudonym_key" in _cols(engine)
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    assert "export_pseudonym_key" not in _cols(engine)
    migrate.upgrade(engine)
    assert "export_pseudonym_key" in _cols(engine)
    engine.dispose()
