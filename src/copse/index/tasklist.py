"""The task list answered from `_task_index` + `_idnum_index` (the "via index" mode).

It takes the web's :class:`~copse.records.tasklist.TaskFilter` and returns the
web's :class:`~copse.records.tasklist.TaskPage`, and must return *exactly* what
the direct query (:func:`copse.records.tasklist.list_tasks`) returns for every
filter: that is the seed's "the two versions of the view should never be
different" (data-model.md §9.7), and the tests assert it.

How each filter maps onto the index (same semantics as the direct query):

* groups, group, device, adding user, era, task types → the entry's cached
  columns (kept exact by :mod:`copse.index.maintain`);
* patient name/DOB/sex/server PK → the patient row the entry's
  ``patient_pk`` points at (the current patient, since the index is exact;
  in the reference it can be an old version, §9.7), compared with the same
  SQL expressions as the direct query; any patient filter excludes entries
  without a patient;
* ID number → an `_idnum_index` entry of that patient with that type and
  value;
* created dates → ``when_created_utc`` (the sentinel for unparseable dates
  never matches, as the direct query's unparseable dates never match);
* complete only → the cached ``task_is_complete``.

Sorting and paging happen in the database, on indexes: a ``COUNT`` of at
most :func:`~copse.records.tasklist.count_limit` entries for the total, and
one ``ORDER BY ... LIMIT/OFFSET`` over the index table alone for the page's
entry keys, joined to the patient rows only for those entries; so neither
time nor memory grows with the number of matching tasks (bench/RESULTS.md:
a million index entries).  The ORDER BY spells out the direct list's total
order (:func:`~copse.records.tasklist.sort_refs`) key by key, each order led
by an indexed column: creation time (``ix__task_index_when_created_utc``,
``ix__task_index_group_created`` for one group), the stored patient sort key
(``ix__task_index_patient_created``, ``ix__task_index_group_patient_created``;
bytes, compared alike everywhere), or the table name; unknown dates (the
index's sentinel) lowest, text compared by code point (``COLLATE "C"`` on
PostgreSQL; the binary collation of copse's MySQL tables), ties broken by
table name then server PK.  MariaDB reads an order off an index only if the
index holds every key in the same direction, so there the newest-first and
patient orders have their own descending indexes (``ix__task_index_newest``
and the others declared MariaDB-only in :mod:`copse.schema.index_tables`).
The client id and full ``when_created`` text are read from the task rows of
the returned page only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from copse.index.compute import MISSING_UTC, chunked, from_stored_utc, naive
from copse.records.patient_match import field_conditions
from copse.records.tasklist import TaskFilter, TaskPage, TaskRef, capped_total, count_limit
from copse.schema.columns import ERA_NOW
from copse.schema.only_on import MYSQL_DIALECTS
from copse.schema.registry import TASK_TABLES
from copse.schema.tables import CLIENT_TABLES, idnum_index, task_index

__all__ = ["TaskFilter", "TaskPage", "TaskRef", "list_tasks_via_index"]


def _conditions(
    f: TaskFilter, groups: frozenset[int] | None, p: sa.FromClause
) -> list[sa.ColumnElement[bool]]:
    ti = task_index
    cond: list[sa.ColumnElement[bool]] = []
    if f.task_types:
        # Without a type filter there is no condition: the index holds task tables only.
        cond.append(ti.c.task_table_name.in_([t for t in TASK_TABLES if t in set(f.task_types)]))
    if groups is not None and len(groups) == 1:
        # "=" rather than a one-item IN: the group-led indexes then serve the order.
        cond.append(ti.c.group_id == next(iter(groups)))
    elif groups is not None:
        cond.append(ti.c.group_id.in_(sorted(groups)))
    if f.group_id is not None:
        cond.append(ti.c.group_id == f.group_id)
    if f.device_id is not None:
        cond.append(ti.c.device_id == f.device_id)
    if f.adding_user_id is not None:
        cond.append(ti.c.adding_user_id == f.adding_user_id)
    if f.era == "live":
        cond.append(ti.c.era == ERA_NOW)
    elif f.era == "finalized":
        cond.append(ti.c.era != ERA_NOW)
    if f.created_from is not None or f.created_to is not None:
        cond.append(ti.c.when_created_utc != MISSING_UTC)
    if f.created_from is not None:
        cond.append(ti.c.when_created_utc >= datetime.combine(f.created_from, time()))
    if f.created_to is not None:
        cond.append(
            ti.c.when_created_utc < datetime.combine(f.created_to + timedelta(days=1), time())
        )
    if f.complete_only:
        cond.append(ti.c.task_is_complete == sa.true())
    if f.has_patient_filter:
        cond.append(ti.c.patient_pk.is_not(None))
    if f.patient_pk is not None:
        cond.append(ti.c.patient_pk == f.patient_pk)
    cond.extend(field_conditions(p, f))
    if f.which_idnum is not None and f.idnum_value is not None:
        ii = idnum_index
        cond.append(
            sa.exists().where(
                ii.c.patient_pk == ti.c.patient_pk,
                ii.c.which_idnum == f.which_idnum,
                ii.c.idnum_value == f.idnum_value,
            )
        )
    return cond


_COLUMNS = (
    "task_table_name",
    "task_pk",
    "patient_pk",
    "device_id",
    "era",
    "group_id",
    "adding_user_id",
    "when_created_utc",
    "when_added_batch_utc",
    "task_is_complete",
)


def _raw_text_key(col: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """The table name as a sort key: NULL with the empty text, compared by code point.

    MariaDB/MySQL get the bare column: NULL sorts lowest there as the empty
    text does (and no table name is empty), so the order is the same, and an
    expression would keep MariaDB from reading the order off
    ``ix__task_index_newest`` (bench/NOTES.md, task list at scale).
    """
    if dialect in MYSQL_DIALECTS:
        return col
    text = sa.func.coalesce(col, "")
    return text.collate("C") if dialect == "postgresql" else text


def _order_by(conn: sa.Connection, f: TaskFilter) -> list[sa.UnaryExpression[Any]]:
    """:func:`~copse.records.tasklist.sort_refs` as ORDER BY keys on ``_task_index`` alone."""
    ti = task_index
    dialect = conn.dialect.name

    def direction(e: sa.ColumnElement[Any], desc: bool) -> sa.UnaryExpression[Any]:
        return e.desc() if desc else e.asc()

    created: list[sa.ColumnElement[Any]] = []
    # The sentinel for "no date" must sort lowest, as None does in the direct list.
    # It is below every date after the year 1000; only if earlier dates exist does
    # the order need the explicit (index-defeating) test.  MIN() is one index
    # lookup with no parameter: a "< :sentinel" test, once PostgreSQL turned the
    # prepared statement into a generic plan, scanned the whole table (~80 ms).
    lowest = from_stored_utc(conn.execute(sa.select(sa.func.min(ti.c.when_created_utc))).scalar())
    if lowest is not None and lowest < MISSING_UTC:
        created.append(sa.case((ti.c.when_created_utc == MISSING_UTC, 0), else_=1))
    created += [ti.c.when_created_utc, ti.c.when_added_batch_utc]
    created_desc = f.descending if f.sort == "created" else True
    keys = [direction(e, created_desc) for e in created]
    table_key = _raw_text_key(ti.c.task_table_name, dialect)
    tie = [table_key.asc(), ti.c.task_pk.asc()]
    if f.sort == "task":
        return [direction(table_key, f.descending), *keys, *tie]
    if f.sort == "patient":
        return [direction(ti.c.patient_sort_key, f.descending), *keys, *tie]
    return [*keys, *tie]


def _ref(r: sa.RowMapping) -> TaskRef:
    done = r["task_is_complete"]
    return TaskRef(
        table=r["task_table_name"],
        pk=int(r["task_pk"]),
        client_id=0,
        device_id=int(r["device_id"]),
        era=r["era"],
        group_id=int(r["group_id"]),
        adding_user_id=r["adding_user_id"],
        when_created_iso=None,
        when_created_utc=from_stored_utc(r["when_created_utc"]),
        when_added_batch_utc=from_stored_utc(r["when_added_batch_utc"]),
        patient_pk=r["patient_pk"],
        forename=r["forename"],
        surname=r["surname"],
        dob=r["dob"],
        sex=r["sex"],
        complete=None if done is None else bool(done),
    )


def _fill_from_tasks(conn: sa.Connection, refs: list[TaskRef]) -> list[TaskRef]:
    """Client id and the full ``when_created`` text, one query per table of the page."""
    by_table: dict[str, list[int]] = {}
    for r in refs:
        by_table.setdefault(r.table, []).append(r.pk)
    found: dict[tuple[str, int], tuple[Any, Any]] = {}
    for table, pks in by_table.items():
        t = CLIENT_TABLES[table]
        for chunk in chunked(pks):
            for pk, cid, when in conn.execute(
                sa.select(t.c._pk, t.c.id, t.c.when_created).where(t.c._pk.in_(chunk))
            ):
                found[(table, pk)] = (cid, when)
    out = []
    for r in refs:
        cid, when = found.get((r.table, r.pk), (0, None))
        out.append(replace(r, client_id=int(cid), when_created_iso=when))
    return out


def list_tasks_via_index(
    conn: sa.Connection,
    f: TaskFilter,
    groups: frozenset[int] | None,
    *,
    page: int = 1,
    per_page: int = 25,
) -> TaskPage:
    """One page of the task list from the index; ``groups`` None = every group.

    Same signature and result as :func:`copse.records.tasklist.list_tasks`.
    """
    per_page = max(1, min(per_page, 500))
    if groups is not None and not groups:
        return TaskPage((), 0, 1, per_page)
    ti = task_index
    p = CLIENT_TABLES["patient"].alias("p")
    where = _conditions(f, groups, p)
    # The patient join only where a condition needs it (the order never does).
    names = any((f.forename, f.surname, f.dob, f.sex))
    matching = ti.outerjoin(p, p.c._pk == ti.c.patient_pk) if names else ti
    limit = count_limit(page, per_page)
    first = sa.select(sa.literal(1)).select_from(matching).where(*where).limit(limit + 1)
    counted = int(
        conn.execute(sa.select(sa.func.count()).select_from(first.subquery())).scalar_one()
    )
    total, capped = capped_total(counted, page, per_page)
    n_pages = max(1, -(-total // per_page))
    page = max(1, min(page, n_pages))
    order = _order_by(conn, f)
    # The page's entries from the index table alone (an index scan in order),
    # then their columns and patients for those entries only.
    keys = (
        sa.select(ti.c.index_entry_pk)
        .select_from(matching)
        .where(*where)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery("page_keys")
    )
    shown = CLIENT_TABLES["patient"].alias("shown")
    q = (
        sa.select(
            *(ti.c[c] for c in _COLUMNS),
            shown.c.forename,
            shown.c.surname,
            shown.c.dob,
            shown.c.sex,
        )
        .select_from(
            keys.join(ti, ti.c.index_entry_pk == keys.c.index_entry_pk).outerjoin(
                shown, shown.c._pk == ti.c.patient_pk
            )
        )
        .order_by(*order)
    )
    refs = [_ref(r) for r in conn.execute(q).mappings()]
    return TaskPage(tuple(_fill_from_tasks(conn, refs)), total, page, per_page, capped)


#: A position in the keyset order of :func:`list_tasks_after`: the stored
#: ``when_created_utc`` and ``when_added_batch_utc``, the table name and the PK.
Keyset = tuple[datetime, datetime, str, int]


def list_tasks_after(
    conn: sa.Connection,
    f: TaskFilter,
    groups: frozenset[int] | None,
    *,
    after: Keyset | None,
    limit: int,
) -> list[tuple[TaskRef, Keyset]]:
    """Up to ``limit`` tasks following ``after`` in a fixed order, for cursor paging.

    The order is creation time (then batch time) as ``f.descending`` says,
    ties broken by table name and server PK ascending: a total order on
    columns of the index, so a cursor (the keyset of the last row seen) picks
    up exactly where the previous page stopped, even when rows are added or
    removed in between (unlike page numbers).  ``f.sort`` is ignored.  Tasks
    with unreadable creation times carry the index's sentinel and sort lowest.
    """
    if groups is not None and not groups:
        return []
    ti = task_index
    p = CLIENT_TABLES["patient"].alias("p")
    where = _conditions(f, groups, p)
    table_key = _raw_text_key(ti.c.task_table_name, conn.dialect.name)
    wc, wab = ti.c.when_created_utc, ti.c.when_added_batch_utc
    if after is not None:
        a_wc, a_wab, a_table, a_pk = after
        later_wc = wc < a_wc if f.descending else wc > a_wc
        later_wab = wab < a_wab if f.descending else wab > a_wab
        where.append(
            sa.or_(
                later_wc,
                sa.and_(
                    wc == a_wc,
                    sa.or_(
                        later_wab,
                        sa.and_(
                            wab == a_wab,
                            sa.or_(
                                table_key > a_table,
                                sa.and_(ti.c.task_table_name == a_table, ti.c.task_pk > a_pk),
                            ),
                        ),
                    ),
                ),
            )
        )
    order = [wc.desc(), wab.desc()] if f.descending else [wc.asc(), wab.asc()]
    q = (
        sa.select(*(ti.c[c] for c in _COLUMNS), p.c.forename, p.c.surname, p.c.dob, p.c.sex)
        .select_from(ti.outerjoin(p, p.c._pk == ti.c.patient_pk))
        .where(*where)
        .order_by(*order, table_key.asc(), ti.c.task_pk.asc())
        .limit(limit)
    )
    rows = list(conn.execute(q).mappings())
    refs = _fill_from_tasks(conn, [_ref(r) for r in rows])
    keys: list[Keyset] = [
        (
            naive(r["when_created_utc"]) or MISSING_UTC,
            naive(r["when_added_batch_utc"]) or MISSING_UTC,
            str(r["task_table_name"]),
            int(r["task_pk"]),
        )
        for r in rows
    ]
    return list(zip(refs, keys, strict=True))
