"""The task list, one task, and the BLOBs (photos) tasks refer to.

Every page checks the group of the very row it shows.  A row in a group the
user may not see is reported as "not found" (404), the same as a PK that does
not exist, so that guessing PKs reveals nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from copse.accounts.web_sessions import all_group_names
from copse.index.tasklist import list_tasks_via_index
from copse.records import rows as records
from copse.records.tasklist import TaskFilter, list_tasks
from copse.schema.registry import TABLES, TASK_TABLES
from copse.services import clinical, oversight, pdf_docs
from copse.web import perms
from copse.web.endpoint import WebContext, not_found, page, pdf_response
from copse.web.forms import parse_date, parse_int

#: The two implementations of the task list (data-model.md §9.7); they must
#: always agree.  The index is the default, as in the reference.
LISTERS = {"index": list_tasks_via_index, "direct": list_tasks}

PER_PAGE_CHOICES = (10, 25, 50, 100)


def parse_filter(ctx: WebContext) -> tuple[TaskFilter, list[str]]:
    """Read the filter from the query string; bad values are reported, not fatal."""
    q = ctx.request.query_params
    errors: list[str] = []
    dob = q.get("dob", "").strip() or None
    if dob is not None and parse_date(dob, errors, "Date of birth") is None:
        dob = None
    types = tuple(t for t in q.getlist("task_type") if t in TABLES and TABLES[t].is_task)
    era = q.get("era", "")
    sort = q.get("sort", "created")
    which = parse_int(q.get("which_idnum", ""))
    value = parse_int(q.get("idnum_value", ""))
    if (which is None) != (value is None) and (q.get("which_idnum") or q.get("idnum_value")):
        errors.append("An ID number filter needs both the type and the number; ignored")
    f = TaskFilter(
        forename=q.get("forename", "").strip() or None,
        surname=q.get("surname", "").strip() or None,
        dob=dob,
        sex=(q.get("sex", "").strip().upper() or None),
        which_idnum=which if value is not None else None,
        idnum_value=value if which is not None else None,
        task_types=types,
        created_from=parse_date(q.get("created_from", ""), errors, "Created from"),
        created_to=parse_date(q.get("created_to", ""), errors, "Created to"),
        device_id=parse_int(q.get("device_id", "")),
        adding_user_id=parse_int(q.get("adding_user_id", "")),
        group_id=parse_int(q.get("group_id", "")),
        era=era if era in ("live", "finalized") else "",  # type: ignore[arg-type]
        complete_only=q.get("complete_only", "") in ("1", "on", "true"),
        sort=sort if sort in ("created", "task", "patient") else "created",  # type: ignore[arg-type]
        descending=q.get("order", "desc") != "asc",
    )
    return f, errors


def visible_groups(ctx: WebContext) -> frozenset[int] | None:
    assert ctx.user is not None
    return None if ctx.user.superuser else ctx.user.visible_group_ids


def _choices(ctx: WebContext) -> dict[str, Any]:
    """Options for the filter form, limited to what the user may know about."""
    groups = visible_groups(ctx)
    user_rows, device_rows = oversight.filter_choices(ctx.conn, groups)
    group_names = records.names(ctx.conn, "group", groups) if groups is not None else None
    if group_names is None:
        group_names = all_group_names(ctx.conn)
    return {
        "users": user_rows,
        "devices": device_rows,
        "groups": sorted(group_names.items(), key=lambda kv: kv[1]),
        "idnum_defs": records.idnum_definitions_list(ctx.conn),
        "task_tables": [(t, TABLES[t].shortname or t) for t in TASK_TABLES],
    }


@page()
def task_list(ctx: WebContext) -> Response:
    f, errors = parse_filter(ctx)
    per_page = parse_int(ctx.param("per_page", "25")) or 25
    if per_page not in PER_PAGE_CHOICES:
        per_page = 25
    # Which implementation lists the tasks is a diagnostic for superusers only.
    via = ctx.param("via", "index") if ctx.user is not None and ctx.user.superuser else "index"
    if via not in LISTERS:
        via = "index"
    result = LISTERS[via](
        ctx.conn,
        f,
        visible_groups(ctx),
        page=parse_int(ctx.param("page", "1")) or 1,
        per_page=per_page,
    )
    base_params = [(k, v) for k, v in ctx.request.query_params.multi_items() if k != "page"]

    def page_url(n: int) -> str:
        return "/tasks?" + urlencode([*base_params, ("page", str(n))])

    def via_url(mode: str) -> str:
        return "/tasks?" + urlencode(
            [*((k, v) for k, v in base_params if k != "via"), ("via", mode)]
        )

    return ctx.render(
        "tasks.html",
        title="Tasks",
        f=f,
        errors=errors,
        result=result,
        page_url=page_url,
        via=via,
        via_url=via_url,
        per_page=per_page,
        per_page_choices=PER_PAGE_CHOICES,
        q=ctx.request.query_params,
        device_names=records.names(ctx.conn, "device", (r.device_id for r in result.rows)),
        user_names=records.names(ctx.conn, "user", (r.adding_user_id for r in result.rows)),
        group_names=records.names(ctx.conn, "group", (r.group_id for r in result.rows)),
        shortnames={t: TABLES[t].shortname or t for t in TASK_TABLES},
        summaries=clinical.list_summaries(ctx.conn, [(r.table, r.pk) for r in result.rows]),
        **_choices(ctx),
    )


@page()
def task_view(ctx: WebContext) -> Response:
    table = ctx.request.path_params["table"]
    if table not in TASK_TABLES:
        raise not_found()
    row = perms.visible_row(ctx, table, ctx.request.path_params["pk"])
    patient = records.current_patient(ctx.conn, row)
    versions = records.lineage(ctx.conn, table, row)
    user_ids = [
        v.get(c)
        for v in versions
        for c in (
            "_adding_user_id",
            "_removing_user_id",
            "_preserving_user_id",
            "_manually_erasing_user_id",
        )
    ]
    ctx.audit(
        "Viewed HTML",
        table_name=table,
        server_pk=row["_pk"],
        patient_server_pk=patient["_pk"] if patient is not None else None,
    )
    return ctx.render(
        "task.html",
        title=f"{TABLES[table].shortname or table} (server PK {row['_pk']})",
        table=table,
        info=TABLES[table],
        row=row,
        patient=patient,
        task_html=records.task_html(ctx.conn, table, row),
        result=clinical.list_summaries(ctx.conn, [(table, int(row["_pk"]))]).get(
            (table, int(row["_pk"]))
        ),
        fields=records.client_values(table, row),
        versions=versions,
        notes=records.notes_for(ctx.conn, table, row["id"], row["_device_id"], row["_era"]),
        may_note=perms.may_add_notes(ctx.conn, ctx.user, row["_group_id"]),
        may_admin=perms.may_administer(ctx.user, row["_group_id"]),
        user_names=records.names(ctx.conn, "user", user_ids),
        device_name=records.names(ctx.conn, "device", [row["_device_id"]]).get(row["_device_id"]),
        group_name=records.names(ctx.conn, "group", [row["_group_id"]]).get(row["_group_id"]),
    )


@page()
def task_pdf(ctx: WebContext) -> Response:
    """One task as a PDF for the notes: every page says whose it is; a signature box."""
    table = ctx.request.path_params["table"]
    if table not in TASK_TABLES:
        raise not_found()
    row = perms.visible_row(ctx, table, ctx.request.path_params["pk"])
    patient = records.current_patient(ctx.conn, row)
    head = pdf_docs.patient_header(ctx.conn, patient, ctx.settings.database_title, ctx.now)
    ctx.audit(
        "Viewed PDF",
        table_name=table,
        server_pk=row["_pk"],
        patient_server_pk=patient["_pk"] if patient is not None else None,
    )
    return pdf_response(pdf_docs.task_pdf(ctx.conn, table, row, head), f"{table}_{row['_pk']}.pdf")


#: Types a browser may show inline; anything else is downloaded, so that an
#: uploaded "image" can never run as HTML or script on our origin.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})


@page()
def blob_view(ctx: WebContext) -> Response:
    row = perms.visible_row(ctx, "blobs", ctx.request.path_params["pk"])
    data = row["theblob"] or b""
    mimetype = (row["mimetype"] or "").strip().lower()
    inline = mimetype in INLINE_TYPES
    headers = {
        "Content-Disposition": "inline" if inline else 'attachment; filename="blob.bin"',
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return Response(
        bytes(data), media_type=mimetype if inline else "application/octet-stream", headers=headers
    )
