"""The read API's reference data: task types, groups, ID-number definitions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from copse.schema.tables import groups as groups_table
from copse.schema.tables import idnum_definitions
from copse.tasks.base import TaskDefinition
from copse.tasks.catalogue import all_tasks, get_task, is_task_table

Json = dict[str, Any]


def _type_head(prefix: str, d: TaskDefinition) -> Json:
    return {
        "table": d.tablename,
        "url": f"{prefix}/task-types/{d.tablename}",
        "shortname": d.shortname,
        "longname": d.longname,
        "has_patient": d.has_patient,
        "has_scoring_logic": d.has_logic,
    }


def task_types(prefix: str) -> list[Json]:
    """Every task type, by table name."""
    return [_type_head(prefix, d) for d in sorted(all_tasks(), key=lambda d: d.tablename)]


def task_type(prefix: str, table: str) -> Json | None:
    """One task type in full: its tables' fields, its summaries; None if unknown."""
    if not is_task_table(table):
        return None
    d = get_task(table)
    return {
        **_type_head(prefix, d),
        "has_clinician": d.has_clinician,
        "has_respondent": d.has_respondent,
        "min_client_version": d.min_client_version,
        "ancillary_tables": [a.tablename for a in d.ancillary],
        "blob_fields": list(d.blob_fields),
        "fields": [
            {
                "table": e.table,
                "name": e.column,
                "kind": e.kind,
                "meaning": e.meaning,
            }
            for e in d.data_dictionary()
            if not e.is_summary
        ],
        "summaries": [
            {"name": s.name, "kind": s.column_kind or "str", "description": s.description}
            for s in d.summary_columns()
        ],
    }


def groups(conn: sa.Connection, visible: frozenset[int] | None) -> list[Json]:
    """The groups the viewer may see (every group for superusers), by name."""
    g = groups_table
    q = sa.select(g.c.id, g.c.name, g.c.description).order_by(g.c.name)
    if visible is not None:
        q = q.where(g.c.id.in_(sorted(visible)))
    return [
        {"id": int(r.id), "name": r.name, "description": r.description} for r in conn.execute(q)
    ]


def idnum_definitions_list(conn: sa.Connection) -> list[Json]:
    d = idnum_definitions
    q = sa.select(d.c.which_idnum, d.c.description, d.c.short_description).order_by(d.c.which_idnum)
    return [
        {
            "which_idnum": int(r.which_idnum),
            "description": r.description,
            "short_description": r.short_description,
        }
        for r in conn.execute(q)
    ]
