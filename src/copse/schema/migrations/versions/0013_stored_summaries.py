"""Each task index entry keeps its task's summaries.

Adds ``_task_index.summaries`` (the task definition's summaries as JSON) and
``_task_index.summaries_version`` (which definitions computed them; see
``copse.tasks.summaries_store``).  Existing entries get NULL in both: readers
then compute the summaries as before, until the entry is next recomputed or
``copse reindex`` runs.

The DDL is written out here, not taken from the live metadata, so this
revision means the same thing forever.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("_task_index", sa.Column("summaries", sa.Text, nullable=True))
    op.add_column("_task_index", sa.Column("summaries_version", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("_task_index") as batch:
        batch.drop_column("summaries_version")
        batch.drop_column("summaries")
