"""MariaDB/MySQL only: descending indexes for the task list's default order.

``ix__task_index_newest`` (created DESC, batch time DESC, table, PK) and
``ix__task_index_group_newest`` (the same led by the group): the task list's
newest-first order, for everyone and for one group's users, read from an
index instead of sorting every matching entry (MariaDB uses an index for an
``ORDER BY`` only if it has every key in the same direction).  Nothing on
PostgreSQL and SQLite, which serve that order from the existing indexes.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TABLE = "_task_index"
_DIALECTS = ("mysql", "mariadb")
_NEWEST = [
    sa.text("when_created_utc DESC"),
    sa.text("when_added_batch_utc DESC"),
    sa.text("task_table_name"),
    sa.text("task_pk"),
]
_INDEXES = {
    "ix__task_index_newest": _NEWEST,
    "ix__task_index_group_newest": [sa.text("group_id"), *_NEWEST],
}


def upgrade() -> None:
    if op.get_bind().dialect.name not in _DIALECTS:
        return
    for name, cols in _INDEXES.items():
        op.create_index(name, _TABLE, cols)


def downgrade() -> None:
    if op.get_bind().dialect.name not in _DIALECTS:
        return
    for name in _INDEXES:
        op.drop_index(name, table_name=_TABLE)
