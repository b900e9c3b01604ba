"""Downloads: the per-server key of de-identified pseudonyms.

Adds ``_server_settings.export_pseudonym_key`` (64 hex characters, NULL until
the first de-identified download creates it).  The DDL is written out here,
not taken from the live metadata, so this revision means the same thing
forever.

Revision 0001 builds its tables from the live metadata, so on a fresh
database the column may already exist when this revision runs; it is then
left alone.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TABLE = "_server_settings"
_COLUMN = "export_pseudonym_key"


def _has_column() -> bool:
    insp = sa.inspect(op.get_bind())
    return any(c["name"] == _COLUMN for c in insp.get_columns(_TABLE))


def upgrade() -> None:
    if not _has_column():
        op.add_column(_TABLE, sa.Column(_COLUMN, sa.String(64), nullable=True))


def downgrade() -> None:
    if _has_column():
        with op.batch_alter_table(_TABLE) as batch:
            batch.drop_column(_COLUMN)
