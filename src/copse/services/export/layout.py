"""The shape of every table a download contains, the same in every format.

Why one layout for all formats: the SQLite file is written first and the CSV
and Excel files are read from it, so a column is named, typed and ordered
identically everywhere and the data dictionary describes all three.  The
shapes themselves (:mod:`copse.services.export.shapes`) are plain data, so
the file writer's process can receive them without loading the task
definitions.
"""

from __future__ import annotations

from copse.schema.registry import BLOB_TABLE, PATIENT_IDNUM_TABLE, PATIENT_TABLE, TABLES
from copse.services.export.shapes import (
    DICTIONARY_TABLE,
    SUMMARY_PREFIX,
    TASK_PK,
    OutColumn,
    OutTable,
    SqlType,
)
from copse.tasks import get_task
from copse.tasks.meta import SummaryKind

PATIENT_PREFIX = "patient_"
PSEUDONYM = "pseudonym"

_KIND_SQL: dict[str, SqlType] = {
    "int": "INTEGER",
    "bigint": "INTEGER",
    "bool": "INTEGER",
    "float": "REAL",
    "blob": "BLOB",
}
_SUMMARY_SQL: dict[SummaryKind, SqlType] = {
    "bool": "INTEGER",
    "int": "INTEGER",
    "float": "REAL",
    "str": "TEXT",
}

#: Server columns on every exported row: its identity and where it belongs.
ALWAYS_SERVER: tuple[tuple[str, SqlType, str], ...] = (
    ("_pk", "INTEGER", "Server primary key of this row version"),
    ("_device_id", "INTEGER", "Server ID of the uploading device"),
    ("_era", "TEXT", "NOW for live records, else the UTC time they were finalized"),
    ("_group_id", "INTEGER", "Server ID of the group the record belongs to"),
)
#: Server columns added by "all versions" (audit downloads).
VERSION_SERVER: tuple[tuple[str, SqlType, str], ...] = (
    ("_current", "INTEGER", "1 if this is the current version of the record"),
    ("_predecessor_pk", "INTEGER", "_pk of the version this one replaced"),
    ("_successor_pk", "INTEGER", "_pk of the version that replaced this one"),
    ("_when_added_exact", "TEXT", "When this version was added to the server"),
    ("_adding_user_id", "INTEGER", "Server ID of the user who added this version"),
    ("_when_removed_exact", "TEXT", "When this version stopped being current"),
    ("_removing_user_id", "INTEGER", "Server ID of the user whose upload removed it"),
)
#: The only patient fields a de-identified download keeps (an allow-list, so a
#: new identifying column can never leak by omission).
DEIDENTIFIED_PATIENT_FIELDS: tuple[str, ...] = ("sex",)
IDENTIFIED_PATIENT_FIELDS: tuple[str, ...] = ("forename", "surname", "dob", "sex")


def sql_type_of_kind(kind: str) -> SqlType:
    return _KIND_SQL.get(kind, "TEXT")


def _server(all_versions: bool) -> list[OutColumn]:
    cols = list(ALWAYS_SERVER) + (list(VERSION_SERVER) if all_versions else [])
    return [OutColumn(n, t, m) for n, t, m in cols]


def _client(table: str, blobs: bool) -> list[OutColumn]:
    return [
        OutColumn(c.name, sql_type_of_kind(c.kind))
        for c in TABLES[table].columns
        if blobs or c.kind != "blob"
    ]


def summary_columns(task: str) -> list[OutColumn]:
    """``summary_<name>`` for each summary the task definition declares, in its order."""
    out: dict[str, OutColumn] = {}
    for s in get_task(task).summary_columns():
        name = SUMMARY_PREFIX + s.name
        out.setdefault(name, OutColumn(name, _SUMMARY_SQL[s.column_kind or "str"], s.description))
    return list(out.values())


def patient_columns(deidentify: bool, idnum_types: tuple[int, ...]) -> list[OutColumn]:
    """The patient facts joined into each task row."""
    if deidentify:
        return [
            OutColumn(PATIENT_PREFIX + PSEUDONYM, "TEXT", "Keyed pseudonym of the patient"),
            OutColumn(PATIENT_PREFIX + "sex", "TEXT", "Patient's sex"),
            OutColumn(
                PATIENT_PREFIX + "age_years", "INTEGER", "Patient's age in whole years at the task"
            ),
        ]
    cols = [OutColumn(PATIENT_PREFIX + "pk", "INTEGER", "Server _pk of the patient row")]
    cols += [
        OutColumn(PATIENT_PREFIX + f, "TEXT", f"Patient's {f}") for f in IDENTIFIED_PATIENT_FIELDS
    ]
    cols += [
        OutColumn(f"{PATIENT_PREFIX}idnum{n}", "INTEGER", f"Patient's ID number of type {n}")
        for n in idnum_types
    ]
    return cols


def task_table(
    name: str, *, all_versions: bool, deidentify: bool, idnum_types: tuple[int, ...]
) -> OutTable:
    cols = _server(all_versions) + _client(name, blobs=False)
    patient = patient_columns(deidentify, idnum_types) if TABLES[name].has_patient else []
    summaries = summary_columns(name)
    indexed = ["when_created"]
    if TABLES[name].has_patient:
        indexed.append(PATIENT_PREFIX + (PSEUDONYM if deidentify else "pk"))
    return OutTable(
        name,
        tuple(cols + patient + summaries),
        "_pk",
        indexed=tuple(indexed),
        patient_columns=len(patient),
        summary_columns=len(summaries),
        is_task=True,
    )


def ancillary_table(name: str, *, all_versions: bool) -> OutTable:
    parent = TABLES[name].parent
    assert parent is not None
    cols = _server(all_versions)
    cols.append(OutColumn(TASK_PK, "INTEGER", f"_pk of the {parent} row this row belongs to"))
    cols += _client(name, blobs=False)
    return OutTable(name, tuple(cols), "_pk", parent=parent, indexed=(TASK_PK,))


def patient_table(*, all_versions: bool, deidentify: bool) -> OutTable:
    if deidentify:
        cols = [OutColumn(PSEUDONYM, "TEXT", "Keyed pseudonym of the patient")]
        cols += [OutColumn(f, "TEXT") for f in DEIDENTIFIED_PATIENT_FIELDS]
        return OutTable(PATIENT_TABLE, tuple(cols), PSEUDONYM)
    cols = _server(all_versions) + _client(PATIENT_TABLE, blobs=False)
    return OutTable(PATIENT_TABLE, tuple(cols), "_pk", indexed=("dob",))


def idnum_table(*, all_versions: bool) -> OutTable:
    cols = _server(all_versions) + _client(PATIENT_IDNUM_TABLE, blobs=False)
    return OutTable(PATIENT_IDNUM_TABLE, tuple(cols), "_pk", indexed=("patient_id",))


def blob_table(*, all_versions: bool) -> OutTable:
    cols = _server(all_versions) + _client(BLOB_TABLE, blobs=True)
    return OutTable(BLOB_TABLE, tuple(cols), "_pk", indexed=("tablename", "tablepk"))


def dictionary_table() -> OutTable:
    cols = (
        OutColumn("table_name", "TEXT", "Table of the download"),
        OutColumn("column_name", "TEXT", "Column of that table"),
        OutColumn("type", "TEXT", "Column type in the SQLite download"),
        OutColumn("kind", "TEXT", "copse column kind, or summary kind"),
        OutColumn("is_summary", "INTEGER", "1 if computed by the server's task definition"),
        OutColumn("meaning", "TEXT", "What the column means, where known"),
    )
    return OutTable(DICTIONARY_TABLE, cols, "")
