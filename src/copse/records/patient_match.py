"""Conditions that pick patient rows by name, date of birth, sex and ID number.

The task list (direct and indexed), the read API's patient listing and
anything else that filters by what a user types about a patient share these,
so that "surname Smith" matches the same patients everywhere: names compare
case-insensitively after trimming, sex in upper case, an ID number only on a
current row of the same device and era as the patient.
"""

from __future__ import annotations

from typing import Protocol

import sqlalchemy as sa

from copse.schema.tables import CLIENT_TABLES


class PatientFields(Protocol):
    """What a filter says about the patient (any of it may be absent)."""

    @property
    def forename(self) -> str | None: ...
    @property
    def surname(self) -> str | None: ...
    @property
    def dob(self) -> str | None: ...
    @property
    def sex(self) -> str | None: ...


def field_conditions(p: sa.FromClause, f: PatientFields) -> list[sa.ColumnElement[bool]]:
    """Name, date of birth and sex conditions on the patient table ``p``."""
    cond: list[sa.ColumnElement[bool]] = []
    if f.forename:
        cond.append(sa.func.lower(p.c.forename) == f.forename.strip().lower())
    if f.surname:
        cond.append(sa.func.lower(p.c.surname) == f.surname.strip().lower())
    if f.dob:
        cond.append(p.c.dob == f.dob)
    if f.sex:
        cond.append(p.c.sex == f.sex.strip().upper())
    return cond


def has_idnum(p: sa.FromClause, which_idnum: int, idnum_value: int) -> sa.ColumnElement[bool]:
    """The patient row ``p`` has this ID number (a current row of its own device and era)."""
    i = CLIENT_TABLES["patient_idnum"]
    return sa.exists().where(
        i.c.patient_id == p.c.id,
        i.c._device_id == p.c._device_id,
        i.c._era == p.c._era,
        i.c._current == sa.true(),
        i.c.which_idnum == which_idnum,
        i.c.idnum_value == idnum_value,
    )
