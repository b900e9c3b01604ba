"""The Patients page's search: find current patient rows by name, birth date or ID number.

Each result is one current patient row (one per device and era, as uploaded);
the tracker and clinical text view then combine the rows that share an ID
number. Filtering, sorting, counting and paging are done in SQL, so a page
costs the same with 100 or 100,000 patients; only the page's rows are then
decorated (ID numbers, number of tasks, last task) with one query each.

Names match by prefix, case- and accent-insensitively, through the folded
keys of :mod:`copse.index.names`. Bad input never fails: a needle that cannot
match (an impossible ID number, a date that is not a date) gives an empty
result, and LIKE's wildcards in a needle are escaped, so they match literally.
Visibility is applied in SQL on the patient rows and on the tasks counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa

from copse.index.compute import from_stored_utc
from copse.index.names import KEY_LENGTH, fold_name
from copse.schema.tables import (
    CLIENT_TABLES,
    idnum_definitions,
    idnum_index,
    patient_name_index,
    task_index,
)

#: Groups the viewer may see; None = every group (superusers).
Groups = frozenset[int] | None
SortKey = Literal["name", "dob", "last_task"]
SORT_KEYS: tuple[SortKey, ...] = ("name", "dob", "last_task")
#: Largest value an ID number column (BIGINT) can hold.
_MAX_BIGINT = 2**63 - 1


@dataclass(frozen=True)
class PatientQuery:
    """What the user typed; every field optional, all of them must match."""

    surname: str = ""
    forename: str = ""
    dob: str = ""
    idnum: str = ""
    sort: SortKey = "name"

    @property
    def empty(self) -> bool:
        return not any(s.strip() for s in (self.surname, self.forename, self.dob, self.idnum))


@dataclass(frozen=True)
class IdNumber:
    which: int
    value: int
    short_name: str

    @property
    def text(self) -> str:
        """ "NHS# 943 476 5919": a ten-digit number (NHS style) is grouped 3-3-4."""
        digits = str(self.value)
        if len(digits) == 10:
            digits = f"{digits[:3]} {digits[3:6]} {digits[6:]}"
        return f"{self.short_name} {digits}"


@dataclass(frozen=True)
class PatientRow:
    pk: int
    forename: str | None
    surname: str | None
    sex: str | None
    dob: str | None
    age: int | None
    idnums: tuple[IdNumber, ...] = ()
    n_tasks: int = 0
    last_task: datetime | None = None

    @property
    def name(self) -> str:
        return ", ".join(s for s in (self.surname, self.forename) if s) or "(no name)"


@dataclass(frozen=True)
class PatientPage:
    rows: tuple[PatientRow, ...]
    total: int
    page: int
    per_page: int
    #: Why nothing could match (a bad date, an impossible number), if so.
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def age_on(dob: str | None, today: date) -> int | None:
    """Whole years from an ISO birth date to ``today``; None if unreadable or in the future."""
    try:
        born = date.fromisoformat((dob or "")[:10])
    except ValueError:
        return None
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return years if years >= 0 else None


def _like_prefix(needle: str) -> str:
    folded = fold_name(needle)[:KEY_LENGTH]
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _idnum_value(text: str) -> int | None:
    """An ID number as typed ("943 476 5919", "943-476-5919"); None if it is not one."""
    digits = "".join(text.split()).replace("-", "")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        return None
    value = int(digits)
    return value if value <= _MAX_BIGINT else None


def _in_groups(column: sa.ColumnElement[int], groups: Groups) -> sa.ColumnElement[bool]:
    return sa.true() if groups is None else column.in_(sorted(groups))


def _conditions(q: PatientQuery, groups: Groups, notes: list[str]) -> list[sa.ColumnElement[bool]]:
    p, k = CLIENT_TABLES["patient"], patient_name_index
    cond: list[sa.ColumnElement[bool]] = [
        p.c._current == sa.true(),
        _in_groups(p.c._group_id, groups),
    ]
    for needle, key in ((q.surname, k.c.surname_key), (q.forename, k.c.forename_key)):
        if not needle.strip():
            continue
        # No stored name holds a NUL (PostgreSQL text cannot), and drivers refuse it.
        cond.append(sa.false() if "\x00" in needle else key.like(_like_prefix(needle), escape="\\"))
    if q.dob.strip():
        try:
            cond.append(p.c.dob == date.fromisoformat(q.dob.strip()).isoformat())
        except ValueError:
            notes.append("The date of birth is not a date (use YYYY-MM-DD).")
            cond.append(sa.false())
    if q.idnum.strip():
        value = _idnum_value(q.idnum)
        if value is None:
            notes.append("An ID number is made of digits only.")
            cond.append(sa.false())
        else:
            ii = idnum_index
            cond.append(p.c._pk.in_(sa.select(ii.c.patient_pk).where(ii.c.idnum_value == value)))
    return cond


def search_patients(
    conn: sa.Connection,
    q: PatientQuery,
    groups: Groups,
    *,
    page: int,
    per_page: int,
    today: date,
) -> PatientPage:
    """One page of the current, visible patient rows matching ``q``.

    Sorted by folded surname and forename (``name``), birth date, or the most
    recent visible task first (``last_task``); ties by server PK, so pages never
    overlap. A page past the end is empty (its total still says how many).
    """
    p, k = CLIENT_TABLES["patient"], patient_name_index
    notes: list[str] = []
    cond = _conditions(q, groups, notes)
    joined = p.outerjoin(k, k.c.patient_pk == p.c._pk)
    total = int(
        conn.execute(sa.select(sa.func.count()).select_from(joined).where(*cond)).scalar_one()
    )
    page = max(1, page)
    if total == 0 or (page - 1) * per_page >= total:
        return PatientPage((), total, page, per_page, tuple(notes))
    by_name = [sa.func.coalesce(k.c.surname_key, ""), sa.func.coalesce(k.c.forename_key, "")]
    stmt = sa.select(p.c._pk, p.c.forename, p.c.surname, p.c.sex, p.c.dob).where(*cond)
    if q.sort == "last_task":
        ti = task_index
        last = (
            sa.select(ti.c.patient_pk, sa.func.max(ti.c.when_created_utc).label("last"))
            .where(_in_groups(ti.c.group_id, groups))
            .group_by(ti.c.patient_pk)
            .subquery()
        )
        stmt = stmt.select_from(joined.outerjoin(last, last.c.patient_pk == p.c._pk)).order_by(
            sa.case((last.c.last.is_(None), 1), else_=0), last.c.last.desc(), *by_name, p.c._pk
        )
    elif q.sort == "dob":
        stmt = stmt.select_from(joined).order_by(
            sa.case((p.c.dob.is_(None), 1), else_=0), p.c.dob, *by_name, p.c._pk
        )
    else:
        stmt = stmt.select_from(joined).order_by(*by_name, p.c._pk)
    found = conn.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    pks = [int(r._pk) for r in found]
    idnums = _idnums(conn, pks)
    tasks = _task_counts(conn, pks, groups)
    rows = tuple(
        PatientRow(
            pk=int(r._pk),
            forename=r.forename,
            surname=r.surname,
            sex=r.sex,
            dob=str(r.dob) if r.dob is not None else None,
            age=age_on(str(r.dob) if r.dob is not None else None, today),
            idnums=tuple(idnums.get(int(r._pk), ())),
            n_tasks=tasks.get(int(r._pk), (0, None))[0],
            last_task=tasks.get(int(r._pk), (0, None))[1],
        )
        for r in found
    )
    return PatientPage(rows, total, page, per_page, tuple(notes))


def _idnums(conn: sa.Connection, pks: Sequence[int]) -> dict[int, list[IdNumber]]:
    if not pks:
        return {}
    ii, d = idnum_index, idnum_definitions
    out: dict[int, list[IdNumber]] = {}
    for r in conn.execute(
        sa.select(ii.c.patient_pk, ii.c.which_idnum, ii.c.idnum_value, d.c.short_description)
        .select_from(ii.outerjoin(d, d.c.which_idnum == ii.c.which_idnum))
        .where(ii.c.patient_pk.in_(pks), ii.c.idnum_value.is_not(None))
        .order_by(ii.c.patient_pk, ii.c.which_idnum, ii.c.idnum_value)
    ):
        short = r.short_description or f"ID{r.which_idnum}"
        out.setdefault(int(r.patient_pk), []).append(
            IdNumber(int(r.which_idnum), int(r.idnum_value), str(short))
        )
    return out


def _task_counts(
    conn: sa.Connection, pks: Sequence[int], groups: Groups
) -> dict[int, tuple[int, datetime | None]]:
    if not pks:
        return {}
    ti = task_index
    return {
        int(r.patient_pk): (int(r.n), from_stored_utc(r.last))
        for r in conn.execute(
            sa.select(
                ti.c.patient_pk,
                sa.func.count().label("n"),
                sa.func.max(ti.c.when_created_utc).label("last"),
            )
            .where(ti.c.patient_pk.in_(pks), _in_groups(ti.c.group_id, groups))
            .group_by(ti.c.patient_pk)
        )
    }
