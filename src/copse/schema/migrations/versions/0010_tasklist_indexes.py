"""The task list sorts and pages in SQL on indexes: a patient sort key and three indexes.

Adds ``_task_index.patient_sort_key`` (bytes; the order of "sort by patient",
see :func:`copse.records.tasklist.patient_sort_key`) and fills it for the
existing entries, then the composite indexes the task list's orders use:

* ``ix__task_index_group_created`` (group, created, batch time): a user's
  groups, newest first; it also serves what ``ix__task_index_group_id`` did,
  which is dropped;
* ``ix__task_index_patient_created`` (patient key, created, batch time);
* ``ix__task_index_group_patient_created`` (group, patient key, created,
  batch time).

The key function is copied here, frozen, so this revision fills what it
filled when it was written; the live one must give the same bytes (a test
compares them).  Entries pointing at no patient get the key of a task
without a patient, as the task list has always sorted them.

Revision ID: 0010
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TABLE = "_task_index"
_COLUMN = "patient_sort_key"
_KEY_TYPE = sa.LargeBinary().with_variant(mysql.VARBINARY(255), "mysql", "mariadb")
_KEY_MAX = 255
_INDEXES = {
    "ix__task_index_group_created": ["group_id", "when_created_utc", "when_added_batch_utc"],
    "ix__task_index_patient_created": [_COLUMN, "when_created_utc", "when_added_batch_utc"],
    "ix__task_index_group_patient_created": [
        "group_id",
        _COLUMN,
        "when_created_utc",
        "when_added_batch_utc",
    ],
}


def _escape(raw: bytes) -> bytes:
    return raw.replace(b"\x01", b"\x01\x02").replace(b"\x00", b"\x01\x01")


def _text(value: str | None) -> bytes:
    if value is None:
        return b"1\x00"
    return b"0" + _escape(value.lower().encode("utf-8", "surrogatepass")) + b"\x00"


def sort_key(surname: str | None, forename: str | None, dob: str | None) -> bytes:
    """Frozen copy of ``copse.records.tasklist.patient_sort_key`` at this revision."""
    dob_key = b"" if dob is None else _escape(dob.encode("utf-8", "surrogatepass"))
    return (_text(surname) + _text(forename) + dob_key)[:_KEY_MAX]


def _fill(conn: sa.Connection) -> None:
    meta = sa.MetaData()
    ti = sa.Table(
        _TABLE,
        meta,
        sa.Column("patient_pk", sa.Integer),
        sa.Column(_COLUMN, _KEY_TYPE),
    )
    p = sa.Table(
        "patient",
        meta,
        sa.Column("_pk", sa.Integer),
        sa.Column("forename", sa.Text),
        sa.Column("surname", sa.Text),
        sa.Column("dob", sa.Text),
    )
    rows = conn.execute(
        sa.select(p.c._pk, p.c.surname, p.c.forename, p.c.dob).where(
            p.c._pk.in_(sa.select(ti.c.patient_pk).where(ti.c.patient_pk.is_not(None)).distinct())
        )
    ).all()
    update = (
        sa.update(ti)
        .where(ti.c.patient_pk == sa.bindparam("pk"))
        .values({_COLUMN: sa.bindparam("key")})
    )
    for i in range(0, len(rows), 1000):
        conn.execute(
            update,
            [{"pk": pk, "key": sort_key(s, f, d)} for pk, s, f, d in rows[i : i + 1000]],
        )
    conn.execute(
        sa.update(ti).where(ti.c[_COLUMN].is_(None)).values({_COLUMN: sort_key(None, None, None)})
    )


def upgrade() -> None:
    op.add_column(_TABLE, sa.Column(_COLUMN, _KEY_TYPE, nullable=True))
    _fill(op.get_bind())
    with op.batch_alter_table(_TABLE) as batch:
        batch.alter_column(_COLUMN, existing_type=_KEY_TYPE, nullable=False)
    op.drop_index("ix__task_index_group_id", table_name=_TABLE)
    for name, cols in _INDEXES.items():
        op.create_index(name, _TABLE, cols)


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name=_TABLE)
    op.create_index("ix__task_index_group_id", _TABLE, ["group_id"])
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_column(_COLUMN)
