"""Replay-safe finalizing: remember the era(s) of each device's last finalizing upload.

Adds ``_security_devices.last_finalizing_eras`` (space-separated era strings,
oldest first; NULL until the device's first finalizing upload).  The upload
engine uses it to recognise a tablet re-sending records that the server has
already preserved for it (a finalizing upload whose acknowledgement was
lost).  Force-finalize by an administrator never sets it.

Databases created while revision 0001 still built its tables from the live
metadata (before it was frozen) may already have the column when this
revision runs; it is then left alone.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLE = "_security_devices"
_COLUMN = "last_finalizing_eras"


def _has_column() -> bool:
    insp = sa.inspect(op.get_bind())
    return any(c["name"] == _COLUMN for c in insp.get_columns(_TABLE))


def upgrade() -> None:
    if not _has_column():
        op.add_column(_TABLE, sa.Column(_COLUMN, sa.String(255), nullable=True))


def downgrade() -> None:
    if _has_column():
        with op.batch_alter_table(_TABLE) as batch:
            batch.drop_column(_COLUMN)
