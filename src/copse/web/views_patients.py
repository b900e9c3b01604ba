"""One patient: details, ID numbers, and their tasks over time."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from copse.patients import server_patient_admin as spa
from copse.records import rows as records
from copse.records.tasklist import TaskFilter
from copse.schema.registry import TABLES, TASK_TABLES
from copse.services import clinical
from copse.services.patient_search import SORT_KEYS, PatientQuery, age_on, search_patients
from copse.web import perms
from copse.web.endpoint import WebContext, not_found, page
from copse.web.forms import parse_int
from copse.web.views_tasks import LISTERS, visible_groups

#: The patient's own fields, with the labels a clinician reads.
PATIENT_FIELDS = (
    ("forename", "Forename"),
    ("surname", "Surname"),
    ("dob", "Date of birth"),
    ("sex", "Sex"),
    ("email", "E-mail"),
    ("address", "Address"),
    ("gp", "GP"),
    ("other", "Other details"),
    ("uuid", "Patient UUID"),
)
PER_PAGE = 25
#: Longest search text read; anything longer is cut (names are at most 255).
MAX_NEEDLE = 300


@page()
def patient_list(ctx: WebContext) -> Response:
    """The Patients page: search by name prefix, birth date or any ID number."""
    params = ctx.request.query_params

    def text(name: str) -> str:
        return params.get(name, "")[:MAX_NEEDLE]

    sort = params.get("sort", "name")
    q = PatientQuery(
        surname=text("surname"),
        forename=text("forename"),
        dob=text("dob"),
        idnum=text("idnum"),
        sort=sort if sort in SORT_KEYS else "name",
    )
    n = parse_int(params.get("page", "1")) or 1
    result = search_patients(
        ctx.conn,
        q,
        visible_groups(ctx),
        page=min(max(n, 1), 10**9),
        per_page=PER_PAGE,
        today=ctx.now.date(),
    )
    base = [(k, v) for k, v in params.multi_items() if k != "page"]
    return ctx.render(
        "patients.html",
        title="Patients",
        q=q,
        result=result,
        page_url=lambda p: "/patients?" + urlencode([*base, ("page", str(p))]),
    )


@page()
def patient_view(ctx: WebContext) -> Response:
    row = perms.visible_row(ctx, "patient", ctx.request.path_params["pk"])
    current = records.current_version(ctx.conn, "patient", row)
    shown = current if current is not None else row
    if current is not None and not (ctx.user and ctx.user.may_see_group(current["_group_id"])):
        raise not_found()
    # Tasks point at the *current* patient row of their lineage (§3), so
    # listing by it finds every task of this patient on this device and era.
    # Via the index by default, like the task list; ?via=direct for the direct query.
    # Which implementation lists the tasks is a diagnostic for superusers only.
    via = ctx.param("via", "index") if ctx.user is not None and ctx.user.superuser else "index"
    if via not in LISTERS:
        via = "index"
    result = (
        LISTERS[via](
            ctx.conn,
            TaskFilter(patient_pk=current["_pk"], sort="created"),
            visible_groups(ctx),
            page=parse_int(ctx.param("page", "1")) or 1,
            per_page=100,
        )
        if current is not None
        else None
    )
    server_created = (
        current is not None
        and current["_era"] == "NOW"
        and spa.server_patient_row(ctx.conn, int(current["_pk"])) is not None
    )
    name = " ".join(str(shown[k]) for k in ("forename", "surname") if shown[k]) or "(no name)"
    return ctx.render(
        "patient.html",
        title=f"Patient: {name}",
        row=row,
        shown=shown,
        current=current,
        fields=[(label, shown[k]) for k, label in PATIENT_FIELDS],
        age=age_on(shown["dob"], ctx.now.date()),
        idnums=records.idnums_of(ctx.conn, shown),
        notes=records.notes_for(
            ctx.conn, "patient", shown["id"], shown["_device_id"], shown["_era"]
        ),
        result=result,
        may_note=perms.may_add_notes(ctx.conn, ctx.user, shown["_group_id"]),
        may_admin=perms.may_administer(ctx.user, shown["_group_id"]),
        shortnames={t: TABLES[t].shortname or t for t in TASK_TABLES},
        summaries=clinical.list_summaries(
            ctx.conn, [(r.table, r.pk) for r in result.rows] if result else []
        ),
        device_name=records.names(ctx.conn, "device", [shown["_device_id"]]).get(
            shown["_device_id"]
        ),
        group_name=records.names(ctx.conn, "group", [shown["_group_id"]]).get(shown["_group_id"]),
        page_url=lambda n: f"/patients/{row['_pk']}?" + urlencode({"via": via, "page": n}),
        via=via,
        via_url=lambda mode: f"/patients/{row['_pk']}?via={mode}",
        server_created=server_created,
        may_manage=server_created and int(shown["_group_id"]) in dict(perms.manageable_groups(ctx)),
    )
