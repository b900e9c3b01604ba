"""Patients for the read API: search by ID number, name and date of birth.

Only current patient rows in groups the viewer may see are found.  Names
match case-insensitively and exactly, as in the task list; an ID number
matches a current ``patient_idnum`` of the same patient (device and era).
Pages follow the server PK, a stable total order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from copse.records import rows as records
from copse.records.patient_match import field_conditions, has_idnum
from copse.schema.tables import CLIENT_TABLES
from copse.services.readapi import cursor as cursors

Groups = frozenset[int] | None
Json = dict[str, Any]


@dataclass(frozen=True)
class PatientFilter:
    forename: str | None = None
    surname: str | None = None
    dob: str | None = None
    sex: str | None = None
    which_idnum: int | None = None
    idnum_value: int | None = None


@dataclass(frozen=True)
class PatientPage:
    items: list[Json]
    next_cursor: str | None


def _conditions(f: PatientFilter, groups: Groups) -> list[sa.ColumnElement[bool]]:
    p = CLIENT_TABLES["patient"]
    cond: list[sa.ColumnElement[bool]] = [p.c._current == sa.true()]
    if groups is not None:
        cond.append(p.c._group_id.in_(sorted(groups)))
    cond.extend(field_conditions(p, f))
    if f.which_idnum is not None and f.idnum_value is not None:
        cond.append(has_idnum(p, f.which_idnum, f.idnum_value))
    return cond


def patient_json(conn: sa.Connection, prefix: str, row: Any) -> Json:
    pk = int(row["_pk"])
    return {
        "pk": pk,
        "url": f"{prefix}/patients/{pk}",
        "tasks_url": f"{prefix}/tasks?patient_pk={pk}",
        "forename": row["forename"],
        "surname": row["surname"],
        "dob": row["dob"],
        "sex": row["sex"],
        "group_id": int(row["_group_id"]),
        "device_id": int(row["_device_id"]),
        "era": row["_era"],
        "idnums": [
            {"which_idnum": int(i.which_idnum), "idnum_value": i.idnum_value}
            for i in records.idnums_of(conn, row)
        ],
    }


def search(
    conn: sa.Connection,
    f: PatientFilter,
    groups: Groups,
    *,
    cursor: str | None,
    limit: int,
    prefix: str,
) -> PatientPage:
    """One page of matching visible patients, by server PK."""
    if groups is not None and not groups:
        return PatientPage([], None)
    p = CLIENT_TABLES["patient"]
    cond = _conditions(f, groups)
    if cursor:
        key = cursors.decode(cursor, f)
        if len(key) != 1 or isinstance(key[0], bool) or not isinstance(key[0], int):
            raise cursors.BadCursor("cursor: not a cursor this server gave out")
        cond.append(p.c._pk > key[0])
    rows = list(
        conn.execute(sa.select(p).where(*cond).order_by(p.c._pk).limit(limit + 1)).mappings()
    )
    page = rows[:limit]
    items = [patient_json(conn, prefix, r) for r in page]
    more = len(rows) > limit and page
    return PatientPage(items, cursors.encode([int(page[-1]["_pk"])], f) if more else None)


def patient(conn: sa.Connection, pk: int, groups: Groups, *, prefix: str) -> Json | None:
    """One current, visible patient row, or None (missing, old version or invisible)."""
    p = CLIENT_TABLES["patient"]
    row = (
        conn.execute(sa.select(p).where(p.c._pk == pk, *_conditions(PatientFilter(), groups)))
        .mappings()
        .first()
    )
    return patient_json(conn, prefix, row) if row is not None else None
