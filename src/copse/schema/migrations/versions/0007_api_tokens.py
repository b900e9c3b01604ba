"""Personal API tokens of the read API (issue 14).

One table, ``_security_api_tokens``: the SHA-256 of each token (never the
token), a display prefix, a name, creation, expiry, last use and revocation
times.  Written out here, not taken from the live metadata, so this revision
means the same thing forever.

Revision ID: 0007
Revises: 0004
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}
_UTC = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
_T = "_security_api_tokens"


def upgrade() -> None:
    op.create_table(
        _T,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at_utc", _UTC, nullable=False),
        sa.Column("expires_at_utc", _UTC),
        sa.Column("last_used_at_utc", _UTC),
        sa.Column("revoked_at_utc", _UTC),
        sa.PrimaryKeyConstraint("id", name=f"pk_{_T}"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["_security_users.id"], ondelete="CASCADE", name=f"fk_{_T}_user_id"
        ),
        sa.UniqueConstraint("token_hash", name=f"uq_{_T}_token_hash"),
        **_MYSQL,
    )
    op.create_index(f"ix_{_T}_user_id", _T, ["user_id"])


def downgrade() -> None:
    op.drop_index(f"ix_{_T}_user_id", table_name=_T)
    op.drop_table(_T)
