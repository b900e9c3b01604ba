"""Task schedules for single-patient mode (policies.md §5.5).

Three tables: schedules per group, their items (task table plus due-from /
due-by durations as ISO text), and the assignment of a schedule to a
server-created patient with a start time and per-task settings JSON.
Written out explicitly (not from the live metadata) so that this revision
stays what it is when the table definitions move on.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}
_LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_ISO_TEXT = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "_task_schedule",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("group_id", sa.Integer, nullable=False),
        sa.Column("name", _LONG_TEXT),
        sa.Column("email_subject", sa.String(100)),
        sa.Column("email_template", _LONG_TEXT),
        sa.Column("email_from", sa.String(255)),
        sa.Column("email_cc", sa.String(255)),
        sa.Column("email_bcc", sa.String(255)),
        sa.PrimaryKeyConstraint("id", name="pk__task_schedule"),
        sa.ForeignKeyConstraint(
            ["group_id"], ["_security_groups.id"], name="fk__task_schedule_group_id"
        ),
        **_MYSQL,
    )
    op.create_index("ix__task_schedule_group_id", "_task_schedule", ["group_id"])

    op.create_table(
        "_task_schedule_item",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("schedule_id", sa.Integer, nullable=False),
        sa.Column("task_table_name", sa.String(128), nullable=False),
        sa.Column("due_from", sa.String(64)),
        sa.Column("due_by", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk__task_schedule_item"),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["_task_schedule.id"],
            ondelete="CASCADE",
            name="fk__task_schedule_item_schedule_id",
        ),
        **_MYSQL,
    )
    op.create_index("ix__task_schedule_item_schedule_id", "_task_schedule_item", ["schedule_id"])

    op.create_table(
        "_patient_task_schedule",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("patient_pk", sa.Integer, nullable=False),
        sa.Column("schedule_id", sa.Integer, nullable=False),
        sa.Column("start_datetime", _ISO_TEXT),
        sa.Column("settings", _LONG_TEXT),
        sa.PrimaryKeyConstraint("id", name="pk__patient_task_schedule"),
        sa.ForeignKeyConstraint(
            ["patient_pk"],
            ["patient._pk"],
            ondelete="CASCADE",
            name="fk__patient_task_schedule_patient_pk",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["_task_schedule.id"],
            ondelete="CASCADE",
            name="fk__patient_task_schedule_schedule_id",
        ),
        **_MYSQL,
    )
    op.create_index(
        "ix__patient_task_schedule_patient_pk", "_patient_task_schedule", ["patient_pk"]
    )
    op.create_index(
        "ix__patient_task_schedule_schedule_id", "_patient_task_schedule", ["schedule_id"]
    )


def downgrade() -> None:
    op.drop_table("_patient_task_schedule")
    op.drop_table("_task_schedule_item")
    op.drop_table("_task_schedule")
