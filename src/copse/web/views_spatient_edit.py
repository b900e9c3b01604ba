"""Editing and deleting server-created patients; changing task schedules.

Same permission as creating them (see :mod:`copse.web.views_spatients`):
superusers, and in a group its administrators or members with
``may_manage_patients``.  Moving a patient to another group needs that
right in both groups.  Every change is audited (table ``patient`` with the
patient's server PK, or the schedule's id in the text).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from starlette.responses import Response

from copse.accounts import admin_ops
from copse.audit import audit
from copse.errors import ActionRefused, UserError
from copse.patients import schedules as sched
from copse.patients import server_patient_admin as spa
from copse.patients.patient_edit import EDITABLE_FIELDS, current_idnums, edit_server_patient
from copse.records import rows as records
from copse.schema.registry import TASK_TABLES
from copse.web import perms
from copse.web.endpoint import HttpError, WebContext, not_found, page, redirect
from copse.web.forms import parse_int
from copse.web.views_records import read_idnum_fields
from copse.web.views_spatients import NOT_AUTHORIZED


def _audit(ctx: WebContext, text: str, patient_pk: int | None = None) -> None:
    assert ctx.user is not None
    audit(
        ctx.conn,
        text,
        source="webviewer",
        now=ctx.now,
        remote_addr=ctx.remote_addr,
        user_id=ctx.user.id,
        table_name="patient" if patient_pk else None,
        server_pk=patient_pk,
        patient_server_pk=patient_pk,
    )


def _manageable(ctx: WebContext) -> dict[int, str]:
    """Groups whose patients this user may manage; none at all is a 403."""
    manageable = dict(perms.manageable_groups(ctx))
    if not manageable:
        raise HttpError(403, NOT_AUTHORIZED)
    return manageable


def _patient(ctx: WebContext) -> tuple[sa.RowMapping, dict[int, str]]:
    """The server patient of the URL, if this user may manage its group (else 404)."""
    manageable = _manageable(ctx)
    row = spa.server_patient_row(ctx.conn, ctx.request.path_params["pk"])
    if row is None or row["_group_id"] not in manageable:
        raise not_found()
    return row, manageable


def _definitions(ctx: WebContext) -> list[sa.Row[Any]]:
    return admin_ops.list_idnums(ctx.conn)


def _read_form(
    ctx: WebContext, errors: list[str]
) -> tuple[dict[str, str | None], dict[int, int | None]]:
    fields = {k: (ctx.field(k).strip() or None) for k in EDITABLE_FIELDS}
    if fields["sex"] is not None:
        fields["sex"] = fields["sex"].upper()
    if fields["dob"] is not None:
        try:
            date.fromisoformat(fields["dob"])
        except ValueError:
            errors.append(f"Date of birth: {fields['dob']!r} is not a date (use YYYY-MM-DD)")
    idnums = read_idnum_fields(
        ctx,
        _definitions(ctx),
        errors,
        lambda n, text: f"For ID type {n}, ID number {text} is invalid: Not a positive integer",
    )
    return fields, idnums


@page()
def server_patient_edit(ctx: WebContext) -> Response:
    assert ctx.user is not None
    row, manageable = _patient(ctx)
    errors: list[str] = []
    values: dict[str, object] = {k: row[k] for k in EDITABLE_FIELDS}
    idvalues: dict[int, object] = {
        w: r["idnum_value"] for w, r in current_idnums(ctx.conn, row).items()
    }
    group_id = int(row["_group_id"])
    if ctx.request.method == "POST":
        fields, idnums = _read_form(ctx, errors)
        new_group = parse_int(ctx.field("group_id"))
        if new_group is None or new_group not in manageable:
            raise HttpError(403, NOT_AUTHORIZED)
        if new_group != row["_group_id"] and sched.has_schedules(ctx.conn, int(row["_pk"])):
            errors.append(
                "Take the patient's task schedules away before moving it to another group"
            )
        values, idvalues, group_id = dict(fields), dict(idnums), new_group
        if not errors:
            try:
                _, changes = edit_server_patient(
                    ctx.conn,
                    row,
                    fields,
                    idnums,
                    (new_group, manageable[new_group]),
                    ctx.user.id,
                    ctx.now,
                    ctx.remote_addr,
                )
            except ActionRefused as exc:  # validation, with the reference's messages
                errors.append(str(exc))
            else:
                if changes:
                    return redirect("/admin/server-patients")
                errors.append("Nothing was changed.")
    return ctx.render(
        "spatient_edit.html",
        title="Edit server-created patient",
        row=row,
        values=values,
        idvalues=idvalues,
        defs=_definitions(ctx),
        groups=sorted(manageable.items(), key=lambda kv: kv[1]),
        group_id=group_id,
        errors=errors,
        status_code=400 if errors else 200,
    )


@page()
def server_patient_delete(ctx: WebContext) -> Response:
    """GET: confirm (what will go); POST: delete."""
    row, _ = _patient(ctx)
    if ctx.request.method == "POST":
        n = spa.delete_server_patient(ctx.conn, int(row["_pk"]), ctx.now)
        _audit(ctx, f"Server-created patient deleted ({n} patient record(s))", int(row["_pk"]))
        return redirect("/admin/server-patients")
    assigned = spa.assignments_of(ctx.conn, [int(row["_pk"])])[int(row["_pk"])]
    return ctx.render(
        "spatient_delete.html",
        title="Delete server-created patient",
        row=row,
        idnums=records.idnums_of(ctx.conn, row),
        assigned=assigned,
    )


@page()
def schedule_edit(ctx: WebContext) -> Response:
    """POST actions on one schedule: rename, add_item, delete_item, delete."""
    manageable = _manageable(ctx)
    sid = ctx.request.path_params["schedule_id"]
    gid = spa.schedule_group(ctx.conn, sid)
    if gid is None or gid not in manageable:
        raise not_found()
    action = ctx.field("action")
    try:
        if action == "rename":
            spa.rename_schedule(ctx.conn, sid, ctx.field("name"))
            _audit(ctx, f"Task schedule {sid} renamed")
        elif action == "add_item":
            table = ctx.field("table")
            if table not in TASK_TABLES:
                raise UserError(f"No such task: {table}")
            sched.add_schedule_item(
                ctx.conn,
                schedule_id=sid,
                table=table,
                due_from_days=parse_int(ctx.field("due_from")) or 0,
                due_within_days=parse_int(ctx.field("due_within")) or 7,
            )
            _audit(ctx, f"Task schedule {sid}: {table} added")
        elif action == "delete_item":
            table = spa.delete_schedule_item(ctx.conn, sid, parse_int(ctx.field("item_id")) or 0)
            _audit(ctx, f"Task schedule {sid}: {table} removed")
        elif action == "delete":
            spa.delete_schedule(ctx.conn, sid)
            _audit(ctx, f"Task schedule {sid} deleted")
        else:
            raise UserError("Unknown action")
    except UserError as exc:
        raise HttpError(400, str(exc)) from None
    return redirect("/admin/server-patients")


@page()
def assignment_delete(ctx: WebContext) -> Response:
    """Take a schedule away from a patient (POST)."""
    manageable = _manageable(ctx)
    a = spa.assignment(ctx.conn, ctx.request.path_params["assignment_id"])
    row = spa.server_patient_row(ctx.conn, int(a["patient_pk"])) if a is not None else None
    if a is None or row is None or row["_group_id"] not in manageable:
        raise not_found()
    spa.unassign(ctx.conn, int(a["id"]))
    _audit(ctx, f"Task schedule {a['schedule_id']} taken away from patient", int(row["_pk"]))
    return redirect("/admin/server-patients")
