"""The task list, computed directly from the task tables (no index).

This is the "direct" half of the "index list = direct list" invariant
(data-model.md §9.7): an index-based implementation must produce exactly the
same :class:`TaskPage` for every :class:`TaskFilter`, so the semantics are
pinned down here, in one place:

* a task is listed if its row is current (``_current``), its group is one the
  viewer may see, and it passes every filter given;
* its patient is the current patient row with the same (``id`` =
  ``patient_id``, device, era); any patient filter excludes anonymous tasks
  and tasks whose patient row is missing;
* names match case-insensitively and exactly; DOB and sex exactly (sex
  upper-cased); an ID number matches a current ``patient_idnum`` of that
  patient (same device and era) with that type and value;
* dates are compared on ``when_created`` converted to UTC (see
  :func:`created_utc`); a task whose ``when_created`` cannot be parsed never
  matches a date filter and sorts as the oldest;
* the order is total (ties broken by table name, then server PK), so pages
  never overlap or skip rows; the patient order is that of
  :func:`patient_sort_key` (the index stores it, so it can sort in SQL);
* the total is exact up to :func:`count_limit` matching tasks (at least
  :data:`COUNT_CAP`, always past the requested page); beyond it the page says
  "more than" (:attr:`TaskPage.total_capped`), as many large listings do, so a
  page never has to count every matching task of a million.

Speed: SQL does all filtering except the exact UTC date test and
completeness.  It runs one UNION ALL per chunk of task tables (SQLite caps
compound SELECTs at 500 terms) and returns only key columns; converting to
UTC, sorting and paging happen in Python.  Completeness needs each task's
data, so it is computed for the rows of the page, or, with "complete only",
for every candidate: that filter is the index's job when speed matters.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa

from copse.db.probe import tables_with_rows
from copse.records import rows as records
from copse.records.patient_match import field_conditions, has_idnum
from copse.schema.columns import ERA_NOW
from copse.schema.registry import TABLES, TASK_TABLES
from copse.schema.tables import CLIENT_TABLES
from copse.wire.dates import UTC, parse_datetime

logger = logging.getLogger(__name__)

_CHUNK = 40
#: Totals are counted exactly up to this many matching tasks (or further, to
#: reach the requested page); see :func:`count_limit`.
COUNT_CAP = 10_000
#: Bytes of :func:`patient_sort_key` kept (an index key must be bounded).
PATIENT_SORT_KEY_MAX = 255
SortKey = Literal["created", "task", "patient"]
EraChoice = Literal["", "live", "finalized"]


@dataclass(frozen=True)
class TaskFilter:
    """Every filter of the task list; empty/None means "don't filter"."""

    forename: str | None = None
    surname: str | None = None
    dob: str | None = None
    sex: str | None = None
    which_idnum: int | None = None
    idnum_value: int | None = None
    task_types: tuple[str, ...] = ()
    created_from: date | None = None
    created_to: date | None = None
    device_id: int | None = None
    adding_user_id: int | None = None
    group_id: int | None = None
    era: EraChoice = ""
    complete_only: bool = False
    #: Tasks whose current patient row has this server PK.
    patient_pk: int | None = None
    sort: SortKey = "created"
    descending: bool = True

    @property
    def has_patient_filter(self) -> bool:
        return any(
            v not in (None, "")
            for v in (self.forename, self.surname, self.dob, self.sex, self.patient_pk)
        ) or (self.which_idnum is not None and self.idnum_value is not None)


@dataclass(frozen=True)
class TaskRef:
    """One listed task: what both list implementations must agree on."""

    table: str
    pk: int
    client_id: int
    device_id: int
    era: str
    group_id: int
    adding_user_id: int | None
    when_created_iso: str | None
    when_created_utc: datetime | None
    when_added_batch_utc: datetime | None
    patient_pk: int | None
    forename: str | None
    surname: str | None
    dob: str | None
    sex: str | None
    #: None for tasks without completeness logic; always computed for the
    #: rows of a returned page.
    complete: bool | None = None


@dataclass(frozen=True)
class TaskPage:
    rows: tuple[TaskRef, ...]
    #: Matching tasks; if ``total_capped``, only a lower bound (there are more).
    total: int
    page: int
    per_page: int
    total_capped: bool = False

    @property
    def n_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def count_limit(page: int, per_page: int) -> int:
    """How many matching tasks a listing counts at most before saying "more than".

    At least :data:`COUNT_CAP`, and always one page past the requested page,
    so every page that exists is reachable; counting costs at most as much as
    skipping to the page does.
    """
    return max(COUNT_CAP, (max(1, page) + 1) * per_page)


def capped_total(matching: int, page: int, per_page: int) -> tuple[int, bool]:
    """(total, capped) reported for ``matching`` tasks: the one rule for both listings."""
    limit = count_limit(page, per_page)
    return (limit, True) if matching > limit else (matching, False)


def _key_text(value: str | None) -> bytes:
    """One field of the patient sort key: its flag, then order-preserving bytes.

    UTF-8 bytes order strings by code point, as Python does; 0x00 and 0x01
    are escaped so that the terminator 0x00 sorts below every character:
    a name sorts before every longer name it begins.
    """
    if value is None:
        return b"1\x00"
    raw = value.lower().encode("utf-8", "surrogatepass")
    return b"0" + raw.replace(b"\x01", b"\x01\x02").replace(b"\x00", b"\x01\x01") + b"\x00"


def patient_sort_key(surname: str | None, forename: str | None, dob: str | None) -> bytes:
    """The order of "sort by patient": surname, forename (lower-cased, missing last), DOB.

    Comparing these bytes (first :data:`PATIENT_SORT_KEY_MAX` of them) gives
    the order of the tuple (surname is None, surname.lower(), forename is
    None, forename.lower(), dob) by code point; names that agree on the whole
    kept prefix (hundreds of characters) tie and fall back to creation time.
    Why bytes: every backend compares them byte by byte with no collation or
    trailing-space rules, so an index in the database can serve this order.
    """
    dob_key = b"" if dob is None else dob.encode("utf-8", "surrogatepass")
    dob_key = dob_key.replace(b"\x01", b"\x01\x02").replace(b"\x00", b"\x01\x01")
    key = _key_text(surname) + _key_text(forename) + dob_key
    return key[:PATIENT_SORT_KEY_MAX]


def created_utc(when_created: str | None) -> datetime | None:
    """``when_created`` as naive UTC (offset-less text is UTC), or None if unparseable.

    The index's ``when_created_utc`` must be computed with this function.
    """
    if not when_created:
        return None
    try:
        return parse_datetime(when_created.strip()).astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None


def _task_select(name: str, f: TaskFilter, groups: frozenset[int] | None) -> sa.Select[Any] | None:
    """The candidate rows of one task table, or None if the filter excludes the table."""
    t = CLIENT_TABLES[name]
    info = TABLES[name]
    cond: list[sa.ColumnElement[bool]] = [t.c._current == sa.true()]
    if groups is not None:
        cond.append(t.c._group_id.in_(sorted(groups)))
    if f.group_id is not None:
        cond.append(t.c._group_id == f.group_id)
    if f.device_id is not None:
        cond.append(t.c._device_id == f.device_id)
    if f.adding_user_id is not None:
        cond.append(t.c._adding_user_id == f.adding_user_id)
    if f.era == "live":
        cond.append(t.c._era == ERA_NOW)
    elif f.era == "finalized":
        cond.append(t.c._era != ERA_NOW)
    if f.created_from is not None:  # coarse: offsets move the UTC date by < 1 day
        cond.append(t.c.when_created >= (f.created_from - timedelta(days=1)).isoformat())
    if f.created_to is not None:
        cond.append(t.c.when_created < (f.created_to + timedelta(days=2)).isoformat())
    base = [
        sa.literal_column(f"'{name}'", sa.String(128)).label("tablename"),
        t.c._pk,
        t.c.id,
        t.c._device_id,
        t.c._era,
        t.c._group_id,
        t.c._adding_user_id,
        t.c.when_created,
        t.c._when_added_batch_utc,
    ]
    if not info.has_patient:
        if f.has_patient_filter:
            return None
        nulls = [
            sa.cast(sa.null(), sa.Integer).label("patient_pk"),
            *(sa.cast(sa.null(), sa.Text).label(c) for c in ("forename", "surname", "dob", "sex")),
        ]
        return sa.select(*base, *nulls).where(*cond)
    p = CLIENT_TABLES["patient"].alias("p")
    on = sa.and_(
        p.c.id == t.c.patient_id,
        p.c._device_id == t.c._device_id,
        p.c._era == t.c._era,
        p.c._current == sa.true(),
    )
    cond.extend(_patient_conditions(p, f))
    cols = [p.c._pk.label("patient_pk"), p.c.forename, p.c.surname, p.c.dob, p.c.sex]
    return sa.select(*base, *cols).select_from(t.outerjoin(p, on)).where(*cond)


def _patient_conditions(p: sa.FromClause, f: TaskFilter) -> list[sa.ColumnElement[bool]]:
    cond = field_conditions(p, f)
    if f.patient_pk is not None:
        cond.append(p.c._pk == f.patient_pk)
    if f.which_idnum is not None and f.idnum_value is not None:
        cond.append(has_idnum(p, f.which_idnum, f.idnum_value))
    return cond


def _selected_tables(f: TaskFilter) -> list[str]:
    if not f.task_types:
        return list(TASK_TABLES)
    return [t for t in TASK_TABLES if t in set(f.task_types)]


def tables_with_current_rows(conn: sa.Connection, names: Sequence[str]) -> list[str]:
    """The tables among ``names`` holding at least one current row, in the same order.

    Why: most of the ~150 task tables are empty on a typical server, and
    building, compiling and running a filtered SELECT for each of them was
    most of the cost of a direct listing.
    """
    found = tables_with_rows(
        conn, [CLIENT_TABLES[n] for n in names], lambda t: t.c._current == sa.true()
    )
    return [n for n in names if n in found]


def _candidates(conn: sa.Connection, f: TaskFilter, groups: frozenset[int] | None) -> list[TaskRef]:
    names = tables_with_current_rows(conn, _selected_tables(f))
    selects = [s for s in (_task_select(n, f, groups) for n in names) if s is not None]
    out: list[TaskRef] = []
    for i in range(0, len(selects), _CHUNK):
        chunk = selects[i : i + _CHUNK]
        query = chunk[0] if len(chunk) == 1 else sa.union_all(*chunk)
        for r in conn.execute(query).mappings():
            utc = created_utc(r["when_created"])
            if f.created_from is not None and (utc is None or utc.date() < f.created_from):
                continue
            if f.created_to is not None and (utc is None or utc.date() > f.created_to):
                continue
            out.append(
                TaskRef(
                    table=r["tablename"],
                    pk=int(r["_pk"]),
                    client_id=int(r["id"]),
                    device_id=int(r["_device_id"]),
                    era=r["_era"],
                    group_id=int(r["_group_id"]),
                    adding_user_id=r["_adding_user_id"],
                    when_created_iso=r["when_created"],
                    when_created_utc=utc,
                    when_added_batch_utc=r["_when_added_batch_utc"],
                    patient_pk=r["patient_pk"],
                    forename=r["forename"],
                    surname=r["surname"],
                    dob=r["dob"],
                    sex=r["sex"],
                )
            )
    return out


def sort_refs(refs: Sequence[TaskRef], sort: SortKey, descending: bool) -> list[TaskRef]:
    """The canonical total order; stable multi-pass sorting keeps ties predictable."""
    out = sorted(refs, key=lambda r: (r.table, r.pk))
    lowest = datetime.min
    created_desc = descending if sort == "created" else True
    out.sort(
        key=lambda r: (r.when_created_utc or lowest, r.when_added_batch_utc or lowest),
        reverse=created_desc,
    )
    if sort == "task":
        out.sort(key=lambda r: r.table, reverse=descending)
    elif sort == "patient":
        out.sort(key=lambda r: patient_sort_key(r.surname, r.forename, r.dob), reverse=descending)
    return out


def with_completeness(conn: sa.Connection, ref: TaskRef) -> TaskRef:
    return replace(ref, complete=records.task_is_complete(conn, ref.table, ref.pk))


def list_tasks(
    conn: sa.Connection,
    f: TaskFilter,
    groups: frozenset[int] | None,
    *,
    page: int = 1,
    per_page: int = 25,
) -> TaskPage:
    """One page of the task list.  ``groups`` None means every group (superuser)."""
    per_page = max(1, min(per_page, 500))
    if groups is not None and not groups:
        return TaskPage((), 0, 1, per_page)
    refs = sort_refs(_candidates(conn, f, groups), f.sort, f.descending)
    if f.complete_only:
        refs = [r for r in (with_completeness(conn, r) for r in refs) if r.complete]
    total, capped = capped_total(len(refs), page, per_page)
    n_pages = max(1, -(-total // per_page))
    page = max(1, min(page, n_pages))
    rows = refs[(page - 1) * per_page : page * per_page]
    if not f.complete_only:
        rows = [with_completeness(conn, r) for r in rows]
    return TaskPage(tuple(rows), total, page, per_page, capped)
