"""Downloads: background jobs of web downloads (``_download_jobs``).

One row per background download: who asked, what (the options as JSON), its
state (queued, running, done, failed, expired, deleted), progress, the file
it produced, and the lease of the process running it.  The DDL is written
out here, not taken from the live metadata, so this revision means the same
thing forever.

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}
_LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_UTC = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
_TABLE = "_download_jobs"


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("options", _LONG_TEXT, nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("progress_rows", sa.Integer, nullable=False),
        sa.Column("total_rows", sa.Integer),
        sa.Column("reason", _LONG_TEXT),
        sa.Column("file_name", sa.String(255)),
        sa.Column("size_bytes", sa.BigInteger),
        sa.Column("created_utc", _UTC, nullable=False),
        sa.Column("started_utc", _UTC),
        sa.Column("finished_utc", _UTC),
        sa.Column("expires_utc", _UTC),
        sa.Column("owner", sa.String(255)),
        sa.Column("lease_until_utc", _UTC),
        sa.PrimaryKeyConstraint("id", name=f"pk_{_TABLE}"),
        sa.ForeignKeyConstraint(["user_id"], ["_security_users.id"], name=f"fk_{_TABLE}_user_id"),
        **_MYSQL,
    )
    op.create_index(f"ix_{_TABLE}_user_id", _TABLE, ["user_id"])
    op.create_index(f"ix_{_TABLE}_state", _TABLE, ["state"])


def downgrade() -> None:
    op.drop_index(f"ix_{_TABLE}_state", _TABLE)
    op.drop_index(f"ix_{_TABLE}_user_id", _TABLE)
    op.drop_table(_TABLE)
