"""Migration 0003 adds ``_security_devices.last_finalizing_eras``; it downgrades and re-applies."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from copse.db import migrate
from copse.db.engine import make_engine


def _cols(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("_security_devices")}


def test_0003_up_down_up(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision() >= "0003"
    assert "last_finalizing_eras" in _cols(engine)
    from alembic import command

    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    assert "last_finalizing_eras" not in _cols(engine)
    migrate.upgrade(engine)
    assert "last_finalizing_eras" in _cols(engine)
    engine.dispose()
