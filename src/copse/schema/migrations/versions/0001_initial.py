"""Initial schema: server tables and the 152 client tables of CamCOPS 2.4.24.

The client tables are generated from the registry as it stands at this
revision.  Later changes to any table must come as explicit migrations, never
by editing the registry alone.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


#: Tables that later revisions create; this revision must leave them alone.
_LATER_TABLES = frozenset({"_task_schedule", "_task_schedule_item", "_patient_task_schedule"})


def _initial_tables() -> list[sa.Table]:
    from copse.schema.tables import metadata

    return [t for t in metadata.sorted_tables if t.name not in _LATER_TABLES]


def upgrade() -> None:
    from copse.schema.tables import metadata

    metadata.create_all(bind=op.get_bind(), tables=_initial_tables())


def downgrade() -> None:
    from copse.schema.tables import metadata

    metadata.drop_all(bind=op.get_bind(), tables=_initial_tables())
