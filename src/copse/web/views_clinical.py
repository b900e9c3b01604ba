"""A patient's tracker (scores over time) and clinical text view.

The views only check who is asking and render; finding the patient's rows and
tasks (with visibility in SQL) is :mod:`copse.services.clinical`, and the
charts are :mod:`copse.tasks.tracker_svg`. A patient the user may not see is
"not found" (404), exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from copse.records import rows as records
from copse.services import clinical, pdf_docs
from copse.tasks.tracker_svg import render_tracker_svg, render_tracker_table
from copse.web.endpoint import WebContext, not_found, page, pdf_response
from copse.web.views_tasks import visible_groups

#: Server PKs are 32-bit integers on every backend; anything larger cannot exist.
MAX_PK = 2**31 - 1


def _patient_and_tasks(ctx: WebContext) -> tuple[Any, list[int], list[clinical.ClinicalTask]]:
    """The patient asked for (by PK in the path, or by ID number in the query) and their tasks.

    By ID number (``?which_idnum=1&idnum_value=...``), as the reference's
    tracker is asked: every visible current patient row with that number;
    the heading shows the most recent of them.
    """
    groups = visible_groups(ctx)
    if "pk" in ctx.request.path_params:
        pk = ctx.request.path_params["pk"]
        if not 0 < pk <= MAX_PK:  # the route takes any digits; SQL integers do not
            raise not_found()
        patient = clinical.visible_current_patient(ctx.conn, pk, groups)
        if patient is None:
            raise not_found()
        pks = clinical.matching_patient_pks(ctx.conn, int(patient["_pk"]), groups)
    else:
        which, value = _id_param(ctx, "which_idnum"), _id_param(ctx, "idnum_value")
        pks = clinical.patient_pks_by_idnum(ctx.conn, which, value, groups)
        if not pks:
            raise not_found()
        patient = clinical.visible_current_patient(ctx.conn, pks[-1], groups)
        if patient is None:
            raise not_found()
    return patient, pks, clinical.patient_tasks(ctx.conn, pks, groups)


def _id_param(ctx: WebContext, name: str) -> int:
    """A positive integer query parameter that fits SQL's BIGINT, else "not found"."""
    text = ctx.param(name).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) <= 0:
        raise not_found()
    return int(text)


def _heading(ctx: WebContext, patient: Any) -> dict[str, Any]:
    name = " ".join(str(patient[k]) for k in ("forename", "surname") if patient[k]) or "(no name)"
    return {
        "patient": patient,
        "patient_name": name,
        "idnums": records.idnums_of(ctx.conn, patient),
    }


@page()
def tracker_view(ctx: WebContext) -> Response:
    patient, pks, tasks = _patient_and_tasks(ctx)
    charts = [
        (
            t,
            render_tracker_svg(t.spec, t.points, t.chart_id),
            render_tracker_table(t.spec, t.points),
        )
        for t in clinical.trackers(tasks)
    ]
    head = _heading(ctx, patient)
    return ctx.render(
        "tracker.html",
        title=f"Tracker: {head['patient_name']}",
        charts=charts,
        n_records=len(pks),
        **head,
    )


@page()
def clinical_view(ctx: WebContext) -> Response:
    patient, pks, tasks = _patient_and_tasks(ctx)
    head = _heading(ctx, patient)
    return ctx.render(
        "clinical.html",
        title=f"Clinical view: {head['patient_name']}",
        tasks=tasks,
        n_records=len(pks),
        **head,
    )


@page()
def tracker_pdf(ctx: WebContext) -> Response:
    patient, _, tasks = _patient_and_tasks(ctx)
    head = pdf_docs.patient_header(ctx.conn, patient, ctx.settings.database_title, ctx.now)
    ctx.audit("Viewed tracker PDF", table_name="patient", patient_server_pk=patient["_pk"])
    return pdf_response(pdf_docs.tracker_pdf(head, clinical.trackers(tasks)), "tracker.pdf")


@page()
def clinical_pdf(ctx: WebContext) -> Response:
    patient, _, tasks = _patient_and_tasks(ctx)
    head = pdf_docs.patient_header(ctx.conn, patient, ctx.settings.database_title, ctx.now)
    ctx.audit(
        "Viewed clinical text view PDF", table_name="patient", patient_server_pk=patient["_pk"]
    )
    return pdf_response(pdf_docs.clinical_pdf(head, tasks), "clinical.pdf")
