"""Pages for administrators' data operations: force-finalize, erase task, delete patient.

Every action is a GET that previews (changes nothing) and a POST, with the
CSRF token, that re-checks permissions and re-computes the plan inside its
own transaction before acting.  Permission rules: see :mod:`copse.web.perms`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from starlette.responses import Response

from copse.accounts import admin_ops
from copse.errors import ActionRefused
from copse.records import rows as records
from copse.records.devicelock import lock_device
from copse.schema.columns import ERA_NOW
from copse.schema.registry import TABLES, TASK_TABLES
from copse.services import manage, oversight
from copse.sync.finalize import force_finalize
from copse.web import perms
from copse.web.endpoint import HttpError, WebContext, not_found, page, redirect
from copse.web.forms import parse_int


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except ActionRefused as exc:
        raise HttpError(400, str(exc)) from None


def _device(ctx: WebContext, device_id: int) -> sa.Row[Any]:
    row = oversight.get_device(ctx.conn, device_id)
    if row is None:
        raise not_found()
    return row


@page(admin=True)
def finalize_list(ctx: WebContext) -> Response:
    """Devices with live records the user could finalize (superusers: every device)."""
    assert ctx.user is not None
    live = manage.live_groups_by_device(ctx.conn)
    rows = oversight.list_devices(ctx.conn)
    shown = []
    for d in rows:
        gs = live.get(int(d.id), set())
        if not ctx.user.superuser and not (gs & ctx.user.admin_group_ids):
            continue  # nothing of theirs: don't even reveal the device
        allowed = ctx.user.superuser or (bool(gs) and gs <= ctx.user.admin_group_ids)
        shown.append((d, bool(gs), allowed))
    return ctx.render("finalize_list.html", title="Force-finalize a device", devices=shown)


@page(admin=True)
def finalize_device(ctx: WebContext) -> Response:
    assert ctx.user is not None
    device_id = int(ctx.request.path_params["device_id"])
    device = _device(ctx, device_id)
    if ctx.request.method == "POST":
        # Before the permission check, so the live records it judges are the ones
        # finalized: no upload from the device can come in between.
        lock_device(ctx.conn, device_id)
    perms.require_finalize(ctx.conn, ctx.user, device_id)
    if ctx.request.method == "POST":
        changes = force_finalize(
            ctx.conn, device_id, ctx.user.id, ctx.now, remote_addr=ctx.remote_addr
        )
        n = sum(len(c.preservation_pks) for c in changes)
        return ctx.render(
            "finalize_done.html", title="Device finalized", device=device, n=n, changes=changes
        )
    preview = manage.finalize_preview(ctx.conn, device_id)
    return ctx.render(
        "finalize_preview.html",
        title=f"Force-finalize {device.friendly_name or device.name}",
        device=device,
        preview=preview,
        shortnames={t: TABLES[t].shortname or t for t in TASK_TABLES},
        group_names=records.names(ctx.conn, "group", (t.group_id for t in preview.tasks)),
    )


def _patient_pk(ctx: WebContext, row: sa.RowMapping) -> int | None:
    patient = records.current_patient(ctx.conn, row)
    return int(patient["_pk"]) if patient is not None else None


@page()
def erase_task(ctx: WebContext) -> Response:
    """Confirm, then erase (placeholder) or delete entirely a finalized task."""
    assert ctx.user is not None
    table = ctx.request.path_params["table"]
    if table not in TASK_TABLES:
        raise not_found()
    row = perms.visible_row(ctx, table, ctx.request.path_params["pk"])
    perms.require_admin_of(ctx.user, row["_group_id"])
    label = f"{TABLES[table].shortname or table} (server PK {row['_pk']})"
    with refusals():
        if row["_era"] == ERA_NOW:
            raise ActionRefused(
                "This task is live on its device (not finalized) and can't be "
                "erased; finalize the device first."
            )
        if ctx.request.method == "GET":
            found = manage.dependants(ctx.conn, table, row)
            return ctx.render(
                "erase_task.html",
                title=f"Erase {label}",
                table=table,
                row=row,
                found=found,
                label=label,
            )
        mode = ctx.field("mode")
        args = (ctx.conn, table, row, _patient_pk(ctx, row), ctx.user.id, ctx.now, ctx.remote_addr)
        if mode == "placeholder":
            manage.erase_task(*args)
            return redirect(f"/tasks/{table}/{row['_pk']}")
        if mode == "entirely":
            manage.delete_task_entirely(*args)
            return ctx.render(
                "message.html",
                title="Task deleted",
                message=f"{label} and all its versions, ancillary rows and BLOBs were deleted.",
                link="/tasks",
                link_text="Back to the tasks",
            )
        raise ActionRefused("Choose how to erase the task.")


def _admin_groups(ctx: WebContext) -> list[tuple[int, str]]:
    assert ctx.user is not None
    return admin_ops.administered_groups(ctx.conn, ctx.user.superuser, ctx.user.admin_group_ids)


@page(admin=True)
def delete_patient(ctx: WebContext) -> Response:
    """Choose (ID type, number, group), preview every row that would go, then confirm."""
    assert ctx.user is not None
    get = ctx.field if ctx.request.method == "POST" else ctx.param
    which, value, group_id = (
        parse_int(get("which_idnum")),
        parse_int(get("idnum_value")),
        parse_int(get("group_id")),
    )
    choices = _admin_groups(ctx)
    context: dict[str, Any] = dict(
        title="Delete a patient",
        groups=choices,
        idnum_defs=records.idnum_definitions_list(ctx.conn),
        which=which,
        value=value,
        group_id=group_id,
        plan=None,
        error=None,
        shortnames={t: TABLES[t].shortname or t for t in TASK_TABLES},
    )
    if which is None and value is None and group_id is None and ctx.request.method == "GET":
        return ctx.render("delete_patient.html", **context)
    if which is None or value is None or group_id is None:
        context["error"] = "Give the ID number type, the number and the group."
        return ctx.render("delete_patient.html", 400, **context)
    if not perms.may_administer(ctx.user, group_id):
        raise HttpError(403, "You are not an administrator of that group.")
    plan = manage.patient_deletion_preview(ctx.conn, group_id, which, value)
    if ctx.request.method == "POST" and ctx.field("confirm") == "yes":
        name = dict(choices).get(group_id, str(group_id))
        manage.delete_patient(ctx.conn, plan, name, ctx.user.id, ctx.now, ctx.remote_addr)
        return ctx.render(
            "message.html",
            title="Patient deleted",
            message=f"Deleted {len(plan.tasks)} task record(s) and {len(plan.patients)} "
            "patient record(s).",
            link="/tasks",
            link_text="Back to the tasks",
        )
    context["plan"] = plan
    return ctx.render("delete_patient.html", **context)
