"""Read API operations on reference data: task types, groups, ID-number definitions."""

from __future__ import annotations

from copse.readapi.endpoint import PREFIX, ApiContext, Json, Operation, not_found
from copse.readapi.params import Param
from copse.services.readapi import catalogue


def task_types(ctx: ApiContext) -> Json:
    items = catalogue.task_types(PREFIX)
    ctx.rows = len(items)
    return {"items": items}


def task_type(ctx: ApiContext) -> Json:
    found = catalogue.task_type(PREFIX, ctx.params["table"])
    if found is None:
        raise not_found()
    ctx.rows = 1
    return found


def groups(ctx: ApiContext) -> Json:
    items = catalogue.groups(ctx.conn, ctx.groups)
    ctx.rows = len(items)
    return {"items": items}


def idnum_definitions(ctx: ApiContext) -> Json:
    items = catalogue.idnum_definitions_list(ctx.conn)
    ctx.rows = len(items)
    return {"items": items}


OPERATIONS = (
    Operation(
        "/task-types",
        "listTaskTypes",
        "List task types",
        "Every task type the server knows, and whether copse has its scoring logic.",
        task_types,
        schema="TaskTypeList",
        tags=("reference",),
    ),
    Operation(
        "/task-types/{table}",
        "getTaskType",
        "One task type",
        "A task type's fields (with meanings where known), ancillary tables and the "
        "summaries its definition computes.",
        task_type,
        (Param("table", "string", "Task table name, e.g. phq9", location="path"),),
        schema="TaskType",
        tags=("reference",),
    ),
    Operation(
        "/groups",
        "listGroups",
        "List groups",
        "The groups whose data you may see (every group for superusers).",
        groups,
        schema="GroupList",
        tags=("reference",),
    ),
    Operation(
        "/idnum-definitions",
        "listIdnumDefinitions",
        "List ID-number definitions",
        "The server's ID-number types (which_idnum) and their descriptions.",
        idnum_definitions,
        schema="IdnumDefinitionList",
        tags=("reference",),
    ),
)
