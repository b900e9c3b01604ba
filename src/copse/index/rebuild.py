"""Full rebuild of both indexes, and the check that compares them with the data.

``check_index`` is stricter than the reference's (data-model.md §9.6), which
only checks that entries and current tasks correspond: copse also compares
every cached field (completeness, patient, device, era, group, creation
times, batch time, adding user) with what :mod:`copse.index.compute`
computes now, since the index task list relies on all of them (§9.7).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from copse.db.bulk import insert_dicts
from copse.db.engine import own_statement_cache
from copse.db.inlist import int_list
from copse.db.probe import tables_with_rows
from copse.index.compute import batched, iter_idnum_entries, iter_task_entries, naive
from copse.index.deferred_indexes import indexes_built_after
from copse.index.entry_process import BATCH, EntryProcess, shared_batches, usable
from copse.index.names import rebuild_name_keys
from copse.schema.registry import TASK_TABLES
from copse.schema.tables import idnum_index, metadata, patient_name_index, task_index

#: Called with (tables done, tables in total, table name) during a rebuild.
Progress = Callable[[int, int, str], None]

#: Cached task-entry fields checked against the data, with readable names.
TASK_FIELDS: tuple[tuple[str, str], ...] = (
    ("device_id", "device"),
    ("era", "era"),
    ("group_id", "group"),
    ("patient_pk", "patient"),
    ("task_is_complete", "completeness"),
    ("when_created_utc", "created time (UTC)"),
    ("when_created_iso", "created time (ISO)"),
    ("when_added_batch_utc", "added batch time"),
    ("adding_user_id", "adding user"),
    ("patient_sort_key", "patient sort key"),
    ("summaries", "summaries"),
)
#: The same without the summaries: for an entry whose summaries were computed
#: by other task definitions (an older copse), which readers ignore.
TASK_FIELDS_OTHER_VERSION = TASK_FIELDS[:-1]
#: The tables a full rebuild fills.
INDEX_TABLES = (idnum_index, patient_name_index, task_index)
IDNUM_FIELDS: tuple[tuple[str, str], ...] = (
    ("patient_pk", "patient"),
    ("which_idnum", "ID type"),
    ("idnum_value", "ID value"),
)


def task_tables_holding_rows(conn: sa.Connection) -> list[str]:
    """The task tables with at least one row, in :data:`TASK_TABLES` order.

    perf: a server uses a handful of the ~140 task tables; asking which hold
    rows takes one statement per 50 tables, where computing the entries of
    an empty table took a query of its own (a full rebuild on a server with a
    few tasks spent most of its time on the empty ones).
    """
    holding = tables_with_rows(conn, [metadata.tables[t] for t in TASK_TABLES])
    return [t for t in TASK_TABLES if t in holding]


def reindex_all(
    conn: sa.Connection, now: datetime, progress: Progress | None = None
) -> tuple[int, int]:
    """Delete and rebuild both indexes; return (ID-number entries, task entries).

    The patients' folded search names (:mod:`copse.index.names`) are rebuilt too.

    Runs in the caller's transaction, so readers never see a half-built index.
    """
    n_idnums, n_tasks, _ = _rebuild(conn, now, progress, check=False)
    return n_idnums, n_tasks


class CheckedRebuild(NamedTuple):
    """What :func:`reindex_all_checked` found, and its helper's peak memory (MB) if it had one."""

    problems: list[str]
    helper_peak_mb: float | None = None


def reindex_all_checked(
    conn: sa.Connection, now: datetime, *, second_process: bool = False
) -> CheckedRebuild:
    """:func:`reindex_all`, then what :func:`check_index` would find, without computing twice.

    perf: ``check_index`` computes every entry again from the data, which
    doubles the cost of a rebuild.  Here each batch of entries just computed
    is read back as stored and compared field by field, and the index must
    hold exactly as many entries as were computed (so none is extra); in the
    same transaction, with nothing else writing, that is the same proof.  If
    the counts differ, the full ``check_index`` names the extra entries.

    ``second_process``: a helper process computes task entries too
    (:mod:`copse.index.entry_process`), where the database allows; only
    when this transaction has not changed the client tables, since the
    helper sees committed data only.

    For bulk operations (an import): the index tables' secondary indexes
    are built after their entries (:mod:`copse.index.deferred_indexes`), so on
    PostgreSQL readers of the index wait for this transaction's commit.
    """
    with ExitStack() as stack:
        helper = None
        if second_process and usable(conn.engine.url):
            url = conn.engine.url.render_as_string(hide_password=False)
            helper = stack.enter_context(EntryProcess(url, now))
        stack.enter_context(indexes_built_after(conn, INDEX_TABLES))
        n_idnums, n_tasks, problems = _rebuild(conn, now, None, check=True, helper=helper)
    peak = helper.peak_mb if helper is not None else None
    stored = (
        conn.execute(sa.select(sa.func.count()).select_from(idnum_index)).scalar_one(),
        conn.execute(sa.select(sa.func.count()).select_from(task_index)).scalar_one(),
    )
    if stored != (n_idnums, n_tasks):
        return CheckedRebuild(check_index(conn), peak)
    return CheckedRebuild(problems, peak)


def _read_back_idnums(conn: sa.Connection, batch: list[dict[str, Any]]) -> Iterator[str]:
    ii = idnum_index
    q = sa.select(ii).where(ii.c.idnum_pk.in_(int_list(e["idnum_pk"] for e in batch)))
    got = {r["idnum_pk"]: r for r in conn.execute(q).mappings()}
    return _compare(batch, got, "idnum_pk", IDNUM_FIELDS, "ID number patient_idnum", "ID number")


def _read_back_tasks(conn: sa.Connection, table: str, batch: list[dict[str, Any]]) -> Iterator[str]:
    ti = task_index
    pks = [e["task_pk"] for e in batch]
    q = sa.select(ti).where(ti.c.task_table_name == table, ti.c.task_pk.in_(int_list(pks)))
    got = {r["task_pk"]: r for r in conn.execute(q).mappings()}
    return _compare(batch, got, "task_pk", TASK_FIELDS, f"task {table}", "task")


def _task_fields(want: Mapping[str, Any], got: Any) -> tuple[tuple[str, str], ...]:
    """What to compare: summaries only where the stored ones are of this version."""
    if got["summaries_version"] == want["summaries_version"]:
        return TASK_FIELDS
    return TASK_FIELDS_OTHER_VERSION


def _compare(
    batch: list[dict[str, Any]],
    got: Mapping[Any, sa.RowMapping],
    key: str,
    fields: tuple[tuple[str, str], ...],
    label: str,
    what: str,
) -> Iterator[str]:
    """What differs between the entries just written (``batch``) and those read back."""
    for want in batch:
        where = f"{label} _pk={want[key]}"
        row = got.get(want[key])
        if row is None:
            yield f"{where}: current {what} has no index entry"
        elif not _same(want, row, fields):
            yield from _differences(where, want, row, fields)


def _rebuild(
    conn: sa.Connection,
    now: datetime,
    progress: Progress | None,
    check: bool,
    helper: EntryProcess | None = None,
) -> tuple[int, int, list[str]]:
    problems: list[str] = []
    conn.execute(sa.delete(idnum_index))
    n_idnums = 0
    for batch in batched(iter_idnum_entries(conn, None, now), BATCH):
        insert_dicts(conn, idnum_index, batch)
        n_idnums += len(batch)
        if check:
            problems.extend(_read_back_idnums(conn, batch))
    rebuild_name_keys(conn)
    conn.execute(sa.delete(task_index))
    n_tasks = 0

    def own(table: str) -> Iterator[list[dict[str, Any]]]:
        own_statement_cache(conn)
        return batched(iter_task_entries(conn, table, None, now), BATCH)

    def write(table: str, batch: list[dict[str, Any]]) -> None:
        nonlocal n_tasks
        insert_dicts(conn, task_index, batch)
        n_tasks += len(batch)
        if check:
            problems.extend(_read_back_tasks(conn, table, batch))

    tables = task_tables_holding_rows(conn)
    if helper is not None:
        for table, batch in shared_batches(tables, own, helper):
            write(table, batch)
    else:
        holding = set(tables)
        for i, table in enumerate(TASK_TABLES):
            if table in holding:
                for batch in own(table):
                    write(table, batch)
            if progress is not None:
                progress(i + 1, len(TASK_TABLES), table)
    return n_idnums, n_tasks, problems


def _norm(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field.endswith("_utc"):
        return naive(value)
    if field == "task_is_complete":
        return bool(value)
    if field == "patient_sort_key":
        return bytes(value)  # drivers return bytes, bytearray or memoryview
    return value


def _same(want: dict[str, Any], got: Any, fields: tuple[tuple[str, str], ...]) -> bool:
    """perf: equal values of the same types need no normalising (:func:`_differences`)."""
    a = [want[f] for f, _ in fields]
    b = [got[f] for f, _ in fields]
    return a == b and list(map(type, a)) == list(map(type, b))


def _differences(
    label: str, want: dict[str, Any], got: Any, fields: tuple[tuple[str, str], ...]
) -> Iterator[str]:
    for field, name in fields:
        w, g = _norm(field, want[field]), _norm(field, got[field])
        if w != g:
            yield f"{label}: wrong {name}: index has {g!r}, data says {w!r}"


#: Stored index entries read at a time by the checks.
PAGE = 5000


def _pages(conn: sa.Connection, stmt: sa.Select[Any], col: sa.Column[Any]) -> Iterator[Any]:
    """The rows of ``stmt`` in ``col`` order (unique, not NULL), one bounded query at a time.

    No result stays open between pages, so the caller may run other queries
    on the same connection meanwhile (MariaDB cannot while a result streams).
    """
    last: Any = None
    while True:
        q = stmt if last is None else stmt.where(col > last)
        rows = conn.execute(q.order_by(col).limit(PAGE)).mappings().all()
        yield from rows
        if len(rows) < PAGE:
            return
        last = rows[-1][col.name]


def _merged(
    wanted: Iterable[dict[str, Any]],
    actual: Iterable[Any],
    want_key: str,
    got_key: str,
) -> Iterator[tuple[dict[str, Any] | None, list[Any]]]:
    """Computed entries and stored ones, both in key order, paired by key.

    Yields (computed entry or None, the stored entries with its key): memory
    stays bounded whatever the size of the index.
    """
    got_iter = iter(actual)
    pending = next(got_iter, None)

    def take(upto: Any | None) -> Iterator[list[Any]]:
        """Groups of stored entries with keys below ``upto`` (None: all the rest)."""
        nonlocal pending
        while pending is not None and (upto is None or pending[got_key] < upto):
            group = [pending]
            pending = next(got_iter, None)
            while pending is not None and pending[got_key] == group[0][got_key]:
                group.append(pending)
                pending = next(got_iter, None)
            yield group

    for want in wanted:
        k = want[want_key]
        for extra in take(k):
            yield None, extra
        same: list[Any] = []
        while pending is not None and pending[got_key] == k:
            same.append(pending)
            pending = next(got_iter, None)
        yield want, same
    for extra in take(None):
        yield None, extra


def check_task_index(conn: sa.Connection) -> list[str]:
    """Differences between `_task_index` and the current task rows.

    Table by table, the stored entries (in ``task_pk`` order) are merged with
    the computed ones (in the same order), so memory stays bounded.
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    problems: list[str] = []
    ti = task_index

    def extras(rows: list[Any], why: str) -> None:
        for r in rows:
            problems.append(
                f"index entry {r['index_entry_pk']} (task {r['task_table_name']} "
                f"_pk={r['task_pk']}): extra entry, {why}"
            )

    indexed = conn.execute(sa.select(ti.c.task_table_name).distinct()).scalars()
    in_use = set(task_tables_holding_rows(conn)) | set(indexed)
    for table in (t for t in TASK_TABLES if t in in_use):
        of_table = sa.select(ti).where(ti.c.task_table_name == table)
        stored = _pages(conn, of_table.where(ti.c.task_pk.is_not(None)), ti.c.task_pk)
        wanted = iter_task_entries(conn, table, None, now)
        for want, got in _merged(wanted, stored, "task_pk", "task_pk"):
            if want is None:
                extras(got, "no current task with this _pk")
                continue
            label = f"task {table} _pk={want['task_pk']}"
            if not got:
                problems.append(f"{label}: current task has no index entry")
                continue
            if len(got) > 1:
                problems.append(f"{label}: {len(got)} index entries")
            fields = _task_fields(want, got[0])
            if not _same(want, got[0], fields):
                problems.extend(_differences(label, want, got[0], fields))
        nulls = conn.execute(of_table.where(ti.c.task_pk.is_(None))).mappings().all()
        extras(list(nulls), "no current task with this _pk")
    others = conn.execute(
        sa.select(ti)
        .where(sa.or_(ti.c.task_table_name.is_(None), ti.c.task_table_name.not_in(TASK_TABLES)))
        .order_by(ti.c.task_table_name, ti.c.task_pk, ti.c.index_entry_pk)
    ).mappings()
    extras(list(others), "no such task table")
    return problems


def check_idnum_index(conn: sa.Connection) -> list[str]:
    """Differences between `_idnum_index` and the current ID numbers (merged in key order)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    problems: list[str] = []
    ii = idnum_index
    stored = _pages(conn, sa.select(ii), ii.c.idnum_pk)
    wanted = iter_idnum_entries(conn, None, now)
    for want, got in _merged(wanted, stored, "idnum_pk", "idnum_pk"):
        if want is None:
            problems.extend(
                f"ID number index entry {r['idnum_pk']}: extra entry, no current ID number "
                "with a value and a current patient has this _pk"
                for r in got
            )
            continue
        label = f"ID number patient_idnum _pk={want['idnum_pk']}"
        if not got:
            problems.append(f"{label}: current ID number has no index entry")
            continue
        if not _same(want, got[0], IDNUM_FIELDS):
            problems.extend(_differences(label, want, got[0], IDNUM_FIELDS))
    return problems


def check_index(conn: sa.Connection) -> list[str]:
    """Every difference between both indexes and the data; empty = exact."""
    return check_idnum_index(conn) + check_task_index(conn)
