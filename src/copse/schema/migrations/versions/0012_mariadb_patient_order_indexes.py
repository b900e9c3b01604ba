"""MariaDB/MySQL only: direction-matched indexes for the task list's patient order.

"Sort by patient" is (patient key ASC or DESC, created DESC, batch time DESC,
table, PK).  MariaDB uses an index for an ``ORDER BY`` only if it has every
key in the same direction, so the two patient indexes of 0010 (all
ascending, no tie-breakers) never served it there: they are replaced, on
MariaDB only, by one index per direction, each also led by the group for
one group's users.  Nothing on PostgreSQL and SQLite.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
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
_ASC = sa.text("patient_sort_key")
_DESC = sa.text("patient_sort_key DESC")
_GROUP = sa.text("group_id")
_NEW = {
    "ix__task_index_patient_newest": [_ASC, *_NEWEST],
    "ix__task_index_group_patient_newest": [_GROUP, _ASC, *_NEWEST],
    "ix__task_index_patient_desc_newest": [_DESC, *_NEWEST],
    "ix__task_index_group_patient_desc_newest": [_GROUP, _DESC, *_NEWEST],
}
_OLD = {
    "ix__task_index_patient_created": [
        "patient_sort_key",
        "when_created_utc",
        "when_added_batch_utc",
    ],
    "ix__task_index_group_patient_created": [
        "group_id",
        "patient_sort_key",
        "when_created_utc",
        "when_added_batch_utc",
    ],
}


def upgrade() -> None:
    if op.get_bind().dialect.name not in _DIALECTS:
        return
    for name in _OLD:
        op.drop_index(name, table_name=_TABLE)
    for name, cols in _NEW.items():
        op.create_index(name, _TABLE, cols)


def downgrade() -> None:
    if op.get_bind().dialect.name not in _DIALECTS:
        return
    for name in _NEW:
        op.drop_index(name, table_name=_TABLE)
    for name, old_cols in _OLD.items():
        op.create_index(name, _TABLE, old_cols)
