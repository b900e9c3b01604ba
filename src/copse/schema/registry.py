"""The catalogue of client tables a CamCOPS 2.4.24 tablet can upload.

The facts (names, columns, kinds, minimum client versions) live in
``copse/data/client_tables.json``, our own compact rendering of the interface
reference.  Everything that must know "which tables exist and what columns do
they have" (schema generation, upload validation, ``get_allowed_tables``, the
task catalogue) reads this module, so there is exactly one source of truth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Literal

ColumnKind = Literal[
    "int", "bigint", "bool", "float", "text", "string", "datetime", "date", "time", "blob"
]

#: Client tables are special in these three cases; everything else is a task
#: table or an ancillary table of one.
PATIENT_TABLE = "patient"
PATIENT_IDNUM_TABLE = "patient_idnum"
BLOB_TABLE = "blobs"

CLIENT_PK_FIELD = "id"
CLIENT_DATE_FIELD = "when_last_modified"
MOVE_OFF_TABLET_FIELD = "_move_off_tablet"
#: The column by which a task (or ID number) row refers to its patient.
PATIENT_REF_FIELD = "patient_id"


@dataclass(frozen=True)
class ColumnInfo:
    """One client-supplied column of a client table."""

    name: str
    kind: ColumnKind
    length: int | None = None


@dataclass(frozen=True)
class TableInfo:
    """Interface facts about one client table."""

    name: str
    kind: Literal["task", "ancillary", "core"]
    columns: tuple[ColumnInfo, ...]
    parent: str | None
    fk_to_parent: str | None
    anonymous: bool | None
    has_patient: bool
    has_clinician: bool
    has_respondent: bool
    shortname: str | None
    longname: str | None
    min_client_version: str
    not_null: tuple[str, ...]
    blob_id_columns: tuple[str, ...]
    ancillary_tables: tuple[str, ...]

    @cached_property
    def column_names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns)

    @cached_property
    def column_map(self) -> dict[str, ColumnInfo]:
        return {c.name: c for c in self.columns}

    @property
    def is_task(self) -> bool:
        return self.kind == "task"


def _load() -> dict[str, TableInfo]:
    text = resources.files("copse").joinpath("data/client_tables.json").read_text("utf-8")
    raw = json.loads(text)
    tables: dict[str, TableInfo] = {}
    for name, v in raw.items():
        cols = tuple(ColumnInfo(c[0], c[1], c[2] if len(c) > 2 else None) for c in v["columns"])
        tables[name] = TableInfo(
            name=name,
            kind=v["kind"],
            columns=cols,
            parent=v["parent"],
            fk_to_parent=v["fk_to_parent"],
            anonymous=v["anonymous"],
            has_patient=bool(v["has_patient"]),
            has_clinician=bool(v["has_clinician"]),
            has_respondent=bool(v["has_respondent"]),
            shortname=v["shortname"],
            longname=v["longname"],
            min_client_version=v["min_client_version"],
            not_null=tuple(v["not_null"]),
            blob_id_columns=tuple(v["blob_id_columns"]),
            ancillary_tables=tuple(v["ancillary_tables"]),
        )
    return tables


TABLES: dict[str, TableInfo] = _load()


def _commit_sort_key(name: str) -> tuple[bool, bool, bool, str]:
    # Patients first (ID-number indexing needs them), then their ID numbers,
    # then every non-task table (BLOBs and ancillary rows, which a task's
    # completeness depends on), then task tables; alphabetical within each.
    return (
        name != PATIENT_TABLE,
        name != PATIENT_IDNUM_TABLE,
        TABLES[name].kind == "task",
        name,
    )


#: Every client table in the order uploads are committed (data-model.md §5.9).
COMMIT_ORDER: tuple[str, ...] = tuple(sorted(TABLES, key=_commit_sort_key))

#: Task base tables, alphabetically.
TASK_TABLES: tuple[str, ...] = tuple(sorted(n for n, t in TABLES.items() if t.kind == "task"))


def commit_order(names: set[str] | frozenset[str] | list[str]) -> list[str]:
    """Sort some table names into commit order."""
    return sorted(names, key=_commit_sort_key)
