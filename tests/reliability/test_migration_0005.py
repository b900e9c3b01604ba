"""Migration 0005 (two-factor login) adds its columns and tables; it downgrades and re-applies."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from copse.db import migrate
from copse.db.engine import make_engine

NEW_TABLES = {"_security_mfa_recovery_codes", "_security_mfa_pending"}


def _shape(engine: sa.Engine) -> tuple[set[str], set[str], set[str]]:
    insp = sa.inspect(engine)
    return (
        {c["name"] for c in insp.get_columns("_security_users")},
        {c["name"] for c in insp.get_columns("_server_settings")},
        set(insp.get_table_names()),
    )


def test_0005_up_down_up_keeps_users(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    migrate.upgrade(engine)
    ucols, scols, tables = _shape(engine)
    assert {"mfa_required", "mfa_last_totp_step"} <= ucols and "mfa_required" in scols
    assert NEW_TABLES <= tables
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    ucols, scols, tables = _shape(engine)
    assert not {"mfa_required", "mfa_last_totp_step"} & ucols and "mfa_required" not in scols
    assert not NEW_TABLES & tables
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO _security_users (id, username, hashedpw, mfa_method, hotp_counter,"
            " superuser, must_change_password, auto_generated)"
            " VALUES (7, 'kept', 'x', 'totp', 0, 0, 0, 0)"
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT username, mfa_required, mfa_last_totp_step FROM _security_users WHERE id = 7"
        ).one()
    assert tuple(row) == ("kept", 0, None)
    engine.dispose()
