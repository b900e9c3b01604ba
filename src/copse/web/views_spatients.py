"""Server-created patients (policies.md §5.2) with their access keys and task schedules.

Who: superusers, and in a group its administrators or members with
``may_manage_patients`` ("Not authorized to manage patients" otherwise).
Creation goes through :func:`copse.patients.server_patients.create_server_patient`,
which validates (sex, ID numbers, the group's finalize policy) and keeps the
indexes exact.
"""

from __future__ import annotations

from datetime import date

from starlette.responses import Response

from copse.audit import audit
from copse.errors import UserError
from copse.patients import schedules as sched
from copse.patients.server_patient_admin import assignments_of
from copse.patients.server_patients import create_server_patient, list_server_patients
from copse.records import rows as records
from copse.schema.registry import TABLES, TASK_TABLES
from copse.web import perms
from copse.web.endpoint import HttpError, WebContext, page, redirect
from copse.web.forms import parse_int

NOT_AUTHORIZED = "Not authorized to manage patients"


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


def _context(ctx: WebContext, manageable: list[tuple[int, str]]) -> dict[str, object]:
    ids = [g for g, _ in manageable]
    patients = [p for p in list_server_patients(ctx.conn) if p.group_id in ids]
    schedules = [s for gid in ids for s in sched.list_schedules(ctx.conn, gid)]
    return dict(
        patients=patients,
        schedules=schedules,
        assigned=assignments_of(ctx.conn, [p.pk for p in patients]),
        groups=manageable,
        group_names=dict(manageable),
        idnum_defs=records.idnum_definitions_list(ctx.conn),
        task_tables=[(t, TABLES[t].shortname or t) for t in TASK_TABLES],
    )


@page()
def server_patients_view(ctx: WebContext) -> Response:
    assert ctx.user is not None
    manageable = perms.manageable_groups(ctx)
    if not manageable:
        raise HttpError(403, NOT_AUTHORIZED)
    errors: list[str] = []
    if ctx.request.method == "POST":
        group_id = parse_int(ctx.field("group_id"))
        if group_id not in dict(manageable):
            raise HttpError(403, NOT_AUTHORIZED)
        action = ctx.field("action")
        try:
            if action == "patient":
                dob_text = ctx.field("dob").strip()
                dob = date.fromisoformat(dob_text) if dob_text else None
                idnums = []
                for d in records.idnum_definitions_list(ctx.conn):
                    text = ctx.field(f"idnum{d.which_idnum}").strip()
                    if text:
                        value = parse_int(text)
                        if value is None:
                            raise UserError(
                                f"For ID type {d.which_idnum}, ID number {text} is invalid: "
                                "Not a positive integer"
                            )
                        idnums.append((int(d.which_idnum), value))
                p = create_server_patient(
                    ctx.conn,
                    group_id=group_id,
                    forename=ctx.field("forename").strip() or None,
                    surname=ctx.field("surname").strip() or None,
                    sex=ctx.field("sex").strip().upper() or None,
                    dob=dob,
                    idnums=idnums,
                    email=ctx.field("email").strip() or None,
                    adding_user_id=ctx.user.id,
                    now=ctx.now,
                )
                _audit(ctx, "Server-created patient added", p.pk)
            elif action == "schedule":
                sid = sched.create_schedule(
                    ctx.conn, group_id=group_id, name=ctx.field("name").strip()
                )
                _audit(ctx, f"Task schedule {sid} added")
                table = ctx.field("table")
                if table:
                    if table not in TASK_TABLES:
                        raise UserError(f"No such task: {table}")
                    sched.add_schedule_item(
                        ctx.conn,
                        schedule_id=sid,
                        table=table,
                        due_from_days=parse_int(ctx.field("due_from")) or 0,
                        due_within_days=parse_int(ctx.field("due_within")) or 7,
                    )
            elif action == "assign":
                patient_pk, schedule_id = (
                    parse_int(ctx.field("patient_pk")),
                    parse_int(ctx.field("schedule_id")),
                )
                if patient_pk is None or schedule_id is None:
                    raise UserError("Choose a patient and a schedule")
                if patient_pk not in {sp.pk for sp in list_server_patients(ctx.conn, group_id)}:
                    raise HttpError(403, NOT_AUTHORIZED)
                sched.assign_schedule(ctx.conn, patient_pk=patient_pk, schedule_id=schedule_id)
                _audit(ctx, f"Task schedule {schedule_id} given to patient", patient_pk)
            else:
                raise UserError("Unknown action")
        except UserError as exc:
            errors.append(str(exc))
        except ValueError as exc:
            errors.append(f"Bad date: {exc}")
        else:
            return redirect("/admin/server-patients")
    return ctx.render(
        "server_patients.html",
        title="Server-created patients",
        errors=errors,
        status_code=400 if errors else 200,
        **_context(ctx, manageable),
    )
