"""Two-factor login (issue 13): "required" flags, replay state, recovery codes, pending steps.

Adds ``_security_users.mfa_required`` and ``mfa_last_totp_step``,
``_server_settings.mfa_required``, and two tables:
``_security_mfa_recovery_codes`` (hashed one-time codes) and
``_security_mfa_pending`` (a web session half-way through a second-factor
step).  The TOTP secret itself lives in CamCOPS's own
``_security_users.mfa_secret_key`` with ``mfa_method = 'totp'``, so no
column is needed for it.  The DDL is written out here, not taken from the
live metadata, so this revision means the same thing forever; each step
is skipped if its object already exists.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}
_UTC = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
_CODES = "_security_mfa_recovery_codes"
_PENDING = "_security_mfa_pending"


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def _tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def _false() -> sa.TextClause:
    return sa.text("0") if op.get_bind().dialect.name != "postgresql" else sa.text("false")


def upgrade() -> None:
    ucols = _columns("_security_users")
    if "mfa_required" not in ucols:
        op.add_column(
            "_security_users",
            sa.Column("mfa_required", sa.Boolean, nullable=False, server_default=_false()),
        )
    if "mfa_last_totp_step" not in ucols:
        op.add_column("_security_users", sa.Column("mfa_last_totp_step", sa.BigInteger))
    if "mfa_required" not in _columns("_server_settings"):
        op.add_column(
            "_server_settings",
            sa.Column("mfa_required", sa.Boolean, nullable=False, server_default=_false()),
        )
    tables = _tables()
    if _CODES not in tables:
        op.create_table(
            _CODES,
            sa.Column("id", sa.Integer, nullable=False),
            sa.Column("user_id", sa.Integer, nullable=False),
            sa.Column("code_hash", sa.String(64), nullable=False),
            sa.Column("created_at_utc", _UTC, nullable=False),
            sa.Column("used_at_utc", _UTC),
            sa.PrimaryKeyConstraint("id", name=f"pk_{_CODES}"),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["_security_users.id"],
                name=f"fk_{_CODES}_user_id",
                ondelete="CASCADE",
            ),
            **_MYSQL,
        )
        op.create_index(f"ix_{_CODES}_user_id", _CODES, ["user_id"])
    if _PENDING not in tables:
        op.create_table(
            _PENDING,
            sa.Column("session_id", sa.Integer, nullable=False, autoincrement=False),
            sa.Column("user_id", sa.Integer, nullable=False),
            sa.Column("purpose", sa.String(10), nullable=False),
            sa.Column("secret", sa.String(32)),
            sa.Column("started_utc", _UTC, nullable=False),
            sa.PrimaryKeyConstraint("session_id", name=f"pk_{_PENDING}"),
            sa.ForeignKeyConstraint(
                ["session_id"],
                ["_security_webviewer_sessions.id"],
                name=f"fk_{_PENDING}_session_id",
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["_security_users.id"],
                name=f"fk_{_PENDING}_user_id",
                ondelete="CASCADE",
            ),
            **_MYSQL,
        )


def downgrade() -> None:
    tables = _tables()
    for name in (_PENDING, _CODES):
        if name in tables:
            op.drop_table(name)
    if "mfa_required" in _columns("_server_settings"):
        with op.batch_alter_table("_server_settings") as batch:
            batch.drop_column("mfa_required")
    ucols = _columns("_security_users")
    with op.batch_alter_table("_security_users") as batch:
        for col in ("mfa_last_totp_step", "mfa_required"):
            if col in ucols:
                batch.drop_column(col)
