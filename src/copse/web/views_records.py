"""Special notes on tasks and patients, and editing a finalized patient.

Adding a note: superusers, administrators of the record's group, or members
of it with ``may_add_notes`` (data-model.md §6.4; copse also allows notes on
patients).  Hiding a note: superusers, the note's author, or an
administrator of the target's group.  Editing a patient: administrators of
the patient's group, finalized patients only (§10.4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from starlette.responses import Response

from copse.accounts import admin_ops
from copse.patients.patient_edit import (
    EDITABLE_FIELDS,
    add_note,
    current_idnums,
    edit_patient,
    get_note,
    hide_note,
    note_target,
)
from copse.policy.idnum import validate_id_number
from copse.records import rows as records
from copse.schema.registry import TASK_TABLES
from copse.web import perms
from copse.web.endpoint import HttpError, WebContext, forbidden, not_found, page, redirect
from copse.web.forms import parse_int
from copse.web.views_manage import refusals


def _url(table: str, pk: int) -> str:
    return f"/patients/{pk}" if table == "patient" else f"/tasks/{table}/{pk}"


@page()
def note_add(ctx: WebContext) -> Response:
    assert ctx.user is not None
    if ctx.request.method != "POST":
        raise HttpError(405)
    table, pk = ctx.field("table"), parse_int(ctx.field("pk"))
    if pk is None or (table != "patient" and table not in TASK_TABLES):
        raise not_found()
    row = perms.visible_row(ctx, table, pk)
    if not perms.may_add_notes(ctx.conn, ctx.user, row["_group_id"]):
        raise forbidden("You may not add special notes in this group.")
    if table == "patient":
        patient_pk: int | None = int(row["_pk"])
    else:
        patient = records.current_patient(ctx.conn, row)
        patient_pk = int(patient["_pk"]) if patient is not None else None
    with refusals():
        add_note(
            ctx.conn,
            table,
            row,
            ctx.field("note"),
            ctx.user.id,
            ctx.now,
            ctx.remote_addr,
            patient_pk,
        )
    return redirect(_url(table, pk))


@page()
def note_hide(ctx: WebContext) -> Response:
    assert ctx.user is not None
    note = get_note(ctx.conn, ctx.request.path_params["note_id"])
    target = note_target(ctx.conn, note) if note is not None else None
    if note is None or target is None or not ctx.user.may_see_group(target["_group_id"]):
        raise not_found()
    if not (note["user_id"] == ctx.user.id or perms.may_administer(ctx.user, target["_group_id"])):
        raise forbidden("Only the note's author or an administrator of its group may hide it.")
    with refusals():
        hide_note(ctx.conn, note, ctx.user.id, ctx.now, ctx.remote_addr)
    return redirect(_url(str(note["basetable"]), int(target["_pk"])))


def _definitions(ctx: WebContext) -> list[sa.Row[Any]]:
    return admin_ops.list_idnums(ctx.conn)


@page()
def patient_edit(ctx: WebContext) -> Response:
    assert ctx.user is not None
    row = perms.visible_row(ctx, "patient", ctx.request.path_params["pk"])
    perms.require_admin_of(ctx.user, row["_group_id"])
    defs = _definitions(ctx)
    existing = {w: r["idnum_value"] for w, r in current_idnums(ctx.conn, row).items()}
    errors: list[str] = []
    values = {k: row[k] for k in EDITABLE_FIELDS}
    idvalues: dict[int, object] = dict(existing)
    with refusals():
        if row["_era"] == "NOW":
            raise HttpError(
                400, "Only finalized patients can be edited; this one is live on its device."
            )
        if not row["_current"]:
            raise HttpError(400, "This is an old version of the patient; edit the current one.")
        if ctx.request.method == "POST":
            fields = {k: (ctx.field(k).strip() or None) for k in EDITABLE_FIELDS}
            if fields["sex"] is not None:
                fields["sex"] = fields["sex"].upper()
                if fields["sex"] not in ("F", "M", "X"):
                    errors.append("Sex must be F, M or X")
            idnums = read_idnum_fields(
                ctx,
                defs,
                errors,
                lambda n, text: f"ID number {n}: {text!r} is not a positive whole number",
            )
            values, idvalues = dict(fields), dict(idnums)
            if not errors:
                new_pk, changes = edit_patient(
                    ctx.conn, row, fields, idnums, ctx.user.id, ctx.now, ctx.remote_addr
                )
                if not changes:
                    errors.append("Nothing was changed.")
                else:
                    return redirect(f"/patients/{new_pk}")
    return ctx.render(
        "patient_edit.html",
        title="Edit patient",
        row=row,
        values=values,
        idvalues=idvalues,
        defs=defs,
        errors=errors,
        status_code=400 if errors and ctx.request.method == "POST" else 200,
    )


def read_idnum_fields(
    ctx: WebContext, defs: Iterable[Any], errors: list[str], not_positive: Callable[[int, str], str]
) -> dict[int, int | None]:
    """The ``idnumN`` form fields of a patient form, checked by each type's validation method.

    Shared by the finalized-patient and server-patient edit pages; problems are
    appended to ``errors`` (``not_positive`` words the non-number case per page).
    """
    idnums: dict[int, int | None] = {}
    for d in defs:
        text = ctx.field(f"idnum{d.which_idnum}").strip()
        value = parse_int(text) if text else None
        if text and (value is None or value <= 0):
            errors.append(not_positive(d.which_idnum, text))
            continue
        ok, why = validate_id_number(value, d.validation_method)
        if not ok:
            errors.append(f"For ID type {d.which_idnum}, ID number {value} is invalid: {why}")
        idnums[int(d.which_idnum)] = value
    return idnums
