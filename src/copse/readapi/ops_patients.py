"""Read API operations on patients: search, and one patient."""

from __future__ import annotations

from copse.readapi.endpoint import PREFIX, ApiContext, Json, Operation, not_found
from copse.readapi.ops_tasks import PAGE_PARAMS, PATIENT_PARAMS, idnum_pair
from copse.readapi.params import Param
from copse.services.readapi import patients


def search(ctx: ApiContext) -> Json:
    p = dict(ctx.params)
    which, value = idnum_pair(p)
    f = patients.PatientFilter(
        forename=p["forename"],
        surname=p["surname"],
        dob=p["dob"].isoformat() if p["dob"] else None,
        sex=p["sex"],
        which_idnum=which,
        idnum_value=value,
    )
    page = patients.search(
        ctx.conn, f, ctx.groups, cursor=p["cursor"], limit=p["limit"], prefix=PREFIX
    )
    ctx.rows = len(page.items)
    return {"items": page.items, "next_cursor": page.next_cursor}


def get_patient(ctx: ApiContext) -> Json:
    pk = ctx.params["pk"]
    found = patients.patient(ctx.conn, pk, ctx.groups, prefix=PREFIX)
    if found is None:
        raise not_found()
    ctx.rows, ctx.table, ctx.pk, ctx.patient_pk = 1, "patient", pk, pk
    return found


OPERATIONS = (
    Operation(
        "/patients",
        "searchPatients",
        "Search patients",
        "Current patient rows you may see, by server PK, matching every filter given "
        "(ID number, names, date of birth, sex). Cursor-paged.",
        search,
        (*PATIENT_PARAMS, *PAGE_PARAMS),
        schema="PatientPage",
        tags=("patients",),
    ),
    Operation(
        "/patients/{pk}",
        "getPatient",
        "One patient",
        "One current patient row with its ID numbers, and a link to its tasks.",
        get_patient,
        (Param("pk", "int", "Server PK of the patient row", location="path"),),
        schema="Patient",
        tags=("patients",),
    ),
)
