"""``copse import-camcops``: resumable imports, and CamCOPS-wide phone numbers.

Adds ``_import_state``, where the importer records, per copied table, how far
it got (the key of the last committed batch), and in its ``*`` row which
source database is being imported and whether that import is complete.  The
import commits in batches, so an interrupted run can be resumed and a later
run only brings in what is new.

Widens ``_security_users.phone_number`` from 50 to 128 characters, the width
CamCOPS 2.4.x gives it, so every CamCOPS user can be imported.

The DDL is written out here, not taken from the live metadata, so this
revision means the same thing forever.

Revision ID: 0009
Revises: 0004
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}
_LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_UTC = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "_import_state",
        sa.Column("table_name", sa.String(128), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("last_key", _LONG_TEXT),
        sa.Column("rows_written", sa.Integer, nullable=False),
        sa.Column("updated_at_utc", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("table_name", name="pk__import_state"),
        **_MYSQL,
    )
    with op.batch_alter_table("_security_users") as batch:
        batch.alter_column(
            "phone_number",
            existing_type=sa.String(50),
            type_=sa.String(128),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("_security_users") as batch:
        batch.alter_column(
            "phone_number",
            existing_type=sa.String(128),
            type_=sa.String(50),
            existing_nullable=True,
        )
    op.drop_table("_import_state")
