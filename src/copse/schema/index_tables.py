"""copse's own index tables: task, ID-number and patient-name entries.

They are derived from the client tables (kept by :mod:`copse.index`) and
serve the task list, patient search and ID-number look-ups from indexes; the
task list's orders need per-backend indexes, declared here too
(:mod:`copse.schema.only_on`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from copse.schema.columns import EraType, IsoText, PatientSortKey, UtcDateTime
from copse.schema.meta import declare_table
from copse.schema.only_on import MYSQL_DIALECTS, NOT_MYSQL_DIALECTS, only_on

idnum_index = declare_table(
    "_idnum_index",
    sa.Column("idnum_pk", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("indexed_at_utc", UtcDateTime, nullable=False),
    sa.Column("patient_pk", sa.Integer, index=True),
    sa.Column("which_idnum", sa.Integer, nullable=False, index=True),
    sa.Column("idnum_value", sa.BigInteger, index=True),
)

#: copse (issue 15, migration 0008): each patient row's surname and forename
#: folded for search (lower case, accents removed; see copse.index.names), so
#: that a prefix search is one indexed LIKE on every backend.
patient_name_index = declare_table(
    "_patient_name_index",
    sa.Column("patient_pk", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("surname_key", sa.String(255), index=True),
    sa.Column("forename_key", sa.String(255), index=True),
)

task_index = declare_table(
    "_task_index",
    sa.Column("index_entry_pk", sa.Integer, primary_key=True),
    sa.Column("indexed_at_utc", UtcDateTime, nullable=False),
    sa.Column("task_table_name", sa.String(128), index=True),
    sa.Column("task_pk", sa.Integer, index=True),
    sa.Column("patient_pk", sa.Integer, index=True),
    sa.Column("device_id", sa.Integer, nullable=False, index=True),
    sa.Column("era", EraType, nullable=False, index=True),
    sa.Column("when_created_utc", UtcDateTime, nullable=False, index=True),
    sa.Column("when_created_iso", IsoText, nullable=False),
    sa.Column("when_added_batch_utc", UtcDateTime, nullable=False),
    sa.Column("adding_user_id", sa.Integer),
    # Indexed as the first column of ix__task_index_group_created.
    sa.Column("group_id", sa.Integer, nullable=False),
    # NULL = unknown (a task without completeness logic).
    sa.Column("task_is_complete", sa.Boolean),
    # The patient's place in "sort by patient" (copse.records.tasklist.patient_sort_key).
    sa.Column("patient_sort_key", PatientSortKey, nullable=False),
    # copse (migration 0013): the task definition's summaries as JSON, and which
    # definitions computed them (copse.tasks.summaries_store); NULL = not stored.
    sa.Column("summaries", sa.Text),
    sa.Column("summaries_version", sa.String(16)),
    sa.UniqueConstraint("task_table_name", "task_pk"),
    # The task list's orders, each served by an index scan (copse.index.tasklist).
    sa.Index(
        "ix__task_index_group_created", "group_id", "when_created_utc", "when_added_batch_utc"
    ),
)
# Patient order on PostgreSQL and SQLite (MariaDB: the direction-matched ones below).
only_on(
    sa.Index(
        "ix__task_index_patient_created",
        task_index.c.patient_sort_key,
        task_index.c.when_created_utc,
        task_index.c.when_added_batch_utc,
    ),
    NOT_MYSQL_DIALECTS,
)
only_on(
    sa.Index(
        "ix__task_index_group_patient_created",
        task_index.c.group_id,
        task_index.c.patient_sort_key,
        task_index.c.when_created_utc,
        task_index.c.when_added_batch_utc,
    ),
    NOT_MYSQL_DIALECTS,
)

# MariaDB only (see copse.schema.only_on): the task list's default order,
# newest first then table and PK, and by patient (each direction, newest
# first within a patient), for everyone and for one group's users.
_NEWEST = (
    task_index.c.when_created_utc.desc(),
    task_index.c.when_added_batch_utc.desc(),
    task_index.c.task_table_name,
    task_index.c.task_pk,
)
_PATIENT = task_index.c.patient_sort_key
_GROUP = task_index.c.group_id
_MYSQL_ORDER_INDEXES: dict[str, tuple[sa.ColumnElement[Any], ...]] = {
    "ix__task_index_newest": _NEWEST,
    "ix__task_index_group_newest": (_GROUP, *_NEWEST),
    "ix__task_index_patient_newest": (_PATIENT, *_NEWEST),
    "ix__task_index_group_patient_newest": (_GROUP, _PATIENT, *_NEWEST),
    "ix__task_index_patient_desc_newest": (_PATIENT.desc(), *_NEWEST),
    "ix__task_index_group_patient_desc_newest": (_GROUP, _PATIENT.desc(), *_NEWEST),
}
for _name, _cols in _MYSQL_ORDER_INDEXES.items():
    only_on(sa.Index(_name, *_cols), MYSQL_DIALECTS)
