"""Read API operations on tasks: the filtered list, one task, a BLOB's bytes."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from copse.readapi.endpoint import PREFIX, ApiContext, ApiError, Json, Operation, not_found
from copse.readapi.params import Param
from copse.records.tasklist import EraChoice, TaskFilter
from copse.services.readapi import tasks

PATIENT_PARAMS = (
    Param("forename", "string", "Patient's forename (exact, any case)"),
    Param("surname", "string", "Patient's surname (exact, any case)"),
    Param("dob", "date", "Patient's date of birth, YYYY-MM-DD"),
    Param("sex", "enum", "Patient's sex", choices=("F", "M", "X")),
    Param("which_idnum", "int", "ID number type (with idnum_value)"),
    Param("idnum_value", "int", "ID number value (with which_idnum)"),
)
PAGE_PARAMS = (
    Param("limit", "limit", "Page size (default 50, at most 200)"),
    Param("cursor", "cursor", "The next_cursor of the previous page"),
)
TASK_LIST_PARAMS = (
    *PATIENT_PARAMS,
    Param("patient_pk", "int", "Server PK of the patient row"),
    Param(
        "task_type", "tasktypes", "Task table name; repeat (or separate with commas) for several"
    ),
    Param("created_from", "date", "Created on or after this UTC date, YYYY-MM-DD"),
    Param("created_to", "date", "Created on or before this UTC date, YYYY-MM-DD"),
    Param("group_id", "int", "Group id"),
    Param("device_id", "int", "Device id"),
    Param("adding_user_id", "int", "Id of the user who uploaded the task"),
    Param(
        "era",
        "enum",
        "Live (NOW) or finalized records, or all",
        choices=("live", "finalized", "all"),
    ),
    Param("complete_only", "bool", "Only tasks that are complete"),
    Param("order", "enum", "Newest (desc, the default) or oldest first", choices=("desc", "asc")),
    *PAGE_PARAMS,
)


def idnum_pair(p: dict[str, Any]) -> tuple[int | None, int | None]:
    which, value = p.get("which_idnum"), p.get("idnum_value")
    if (which is None) != (value is None):
        missing = "idnum_value" if value is None else "which_idnum"
        raise ApiError(
            400, f"{missing}: an ID number filter needs both which_idnum and idnum_value"
        )
    return which, value


def task_filter(p: dict[str, Any]) -> TaskFilter:
    which, value = idnum_pair(p)
    if p["created_from"] and p["created_to"] and p["created_from"] > p["created_to"]:
        raise ApiError(400, "created_from: the start date is after created_to")
    era: EraChoice = ""
    if p["era"] == "live":
        era = "live"
    elif p["era"] == "finalized":
        era = "finalized"
    return TaskFilter(
        forename=p["forename"],
        surname=p["surname"],
        dob=p["dob"].isoformat() if p["dob"] else None,
        sex=p["sex"],
        which_idnum=which,
        idnum_value=value,
        patient_pk=p["patient_pk"],
        task_types=p["task_type"] or (),
        created_from=p["created_from"],
        created_to=p["created_to"],
        group_id=p["group_id"],
        device_id=p["device_id"],
        adding_user_id=p["adding_user_id"],
        era=era,
        complete_only=bool(p["complete_only"]),
        descending=p["order"] != "asc",
    )


def list_tasks(ctx: ApiContext) -> Json:
    p = dict(ctx.params)
    page = tasks.list_tasks(
        ctx.conn, task_filter(p), ctx.groups, cursor=p["cursor"], limit=p["limit"], prefix=PREFIX
    )
    ctx.rows = len(page.items)
    return {"items": page.items, "next_cursor": page.next_cursor}


def get_task(ctx: ApiContext) -> Json:
    table, pk = ctx.params["table"], ctx.params["pk"]
    found = tasks.task_detail(ctx.conn, table, pk, ctx.groups, prefix=PREFIX)
    if found is None:
        raise not_found()
    ctx.rows, ctx.table, ctx.pk = 1, table, pk
    ctx.patient_pk = found["patient"]["pk"] if found["patient"] else None
    return found


#: Types a client may be told as they are; anything else is sent as octet-stream,
#: so an uploaded "image" can never be taken for HTML by a browser.
SAFE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})


def get_blob(ctx: ApiContext) -> Response:
    pk = ctx.params["pk"]
    blob = tasks.blob_content(ctx.conn, pk, ctx.groups)
    if blob is None:
        raise not_found()
    ctx.rows, ctx.table, ctx.pk = 1, "blobs", pk
    media = blob.mimetype if blob.mimetype in SAFE_TYPES else "application/octet-stream"
    return Response(
        blob.data,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="blob-{pk}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


OPERATIONS = (
    Operation(
        "/tasks",
        "listTasks",
        "List tasks",
        "Current tasks you may see, newest first (or oldest with order=asc), with the task "
        "list's filters; each with its summaries (scores, completeness). Cursor-paged.",
        list_tasks,
        TASK_LIST_PARAMS,
        schema="TaskPage",
        tags=("tasks",),
    ),
    Operation(
        "/tasks/{table}/{pk}",
        "getTask",
        "One task",
        "Every field of one task row (any version), its ancillary rows, links to its "
        "BLOBs, its summaries and its patient.",
        get_task,
        (
            Param("table", "string", "Task table name, e.g. phq9", location="path"),
            Param("pk", "int", "Server PK of the task row", location="path"),
        ),
        schema="Task",
        tags=("tasks",),
    ),
    Operation(
        "/blobs/{pk}",
        "getBlob",
        "A BLOB's bytes",
        "The bytes of one BLOB (e.g. a photo) as uploaded; images keep their type, "
        "anything else is application/octet-stream.",
        get_blob,
        (Param("pk", "int", "Server PK of the BLOB row", location="path"),),
        schema="Binary",
        media_type="application/octet-stream",
        tags=("tasks",),
    ),
)
