"""Full rebuild of both indexes, and the check that compares them with the data.

``check_index`` is stricter than the reference's (data-model.md §9.6), which
only checks that entries and current tasks correspond: copse also compares
every cached field (completeness, patient, device, era, group, creation
times, batch time, adding user) with what :mod:`copse.index.compute`
computes now, since the index task list relies on all of them (§9.7).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from copse.index.compute import iter_idnum_entries, iter_task_entries, naive
from copse.index.names import rebuild_name_keys
from copse.schema.registry import TABLES, TASK_TABLES
from copse.schema.tables import idnum_index, task_index

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
)
IDNUM_FIELDS: tuple[tuple[str, str], ...] = (
    ("patient_pk", "patient"),
    ("which_idnum", "ID type"),
    ("idnum_value", "ID value"),
)


def reindex_all(
    conn: sa.Connection, now: datetime, progress: Progress | None = None
) -> tuple[int, int]:
    """Delete and rebuild both indexes; return (ID-number entries, task entries).

    The patients' folded search names (:mod:`copse.index.names`) are rebuilt too.

    Runs in the caller's transaction, so readers never see a half-built index.
    """
    conn.execute(sa.delete(idnum_index))
    n_idnums = 0
    batch: list[dict[str, Any]] = []
    for entry in iter_idnum_entries(conn, None, now):
        batch.append(entry)
        if len(batch) >= 1000:
            conn.execute(sa.insert(idnum_index), batch)
            n_idnums += len(batch)
            batch = []
    if batch:
        conn.execute(sa.insert(idnum_index), batch)
        n_idnums += len(batch)
    rebuild_name_keys(conn)
    conn.execute(sa.delete(task_index))
    n_tasks = 0
    for i, table in enumerate(TASK_TABLES):
        batch = []
        for entry in iter_task_entries(conn, table, None, now):
            batch.append(entry)
            if len(batch) >= 1000:
                conn.execute(sa.insert(task_index), batch)
                n_tasks += len(batch)
                batch = []
        if batch:
            conn.execute(sa.insert(task_index), batch)
            n_tasks += len(batch)
        if progress is not None:
            progress(i + 1, len(TASK_TABLES), table)
    return n_idnums, n_tasks


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


def _differences(
    label: str, want: dict[str, Any], got: Any, fields: tuple[tuple[str, str], ...]
) -> Iterator[str]:
    for field, name in fields:
        w, g = _norm(field, want[field]), _norm(field, got[field])
        if w != g:
            yield f"{label}: wrong {name}: index has {g!r}, data says {w!r}"


def check_task_index(conn: sa.Connection) -> list[str]:
    """Differences between `_task_index` and the current task rows."""
    now = datetime.now(UTC).replace(tzinfo=None)
    problems: list[str] = []
    ti = task_index
    actual: dict[tuple[Any, Any], list[Any]] = {}
    for r in conn.execute(sa.select(ti).order_by(ti.c.index_entry_pk)).mappings():
        actual.setdefault((r["task_table_name"], r["task_pk"]), []).append(r)
    for table in TASK_TABLES:
        for want in iter_task_entries(conn, table, None, now):
            label = f"task {table} _pk={want['task_pk']}"
            got = actual.pop((table, want["task_pk"]), None)
            if got is None:
                problems.append(f"{label}: current task has no index entry")
                continue
            if len(got) > 1:
                problems.append(f"{label}: {len(got)} index entries")
            problems.extend(_differences(label, want, got[0], TASK_FIELDS))
    for (table, pk), rows in sorted(actual.items(), key=lambda kv: (str(kv[0][0]), kv[0][1] or 0)):
        why = (
            "no such task table"
            if table not in TABLES or not TABLES[table].is_task
            else "no current task with this _pk"
        )
        for r in rows:
            problems.append(
                f"index entry {r['index_entry_pk']} (task {table} _pk={pk}): extra entry, {why}"
            )
    return problems


def check_idnum_index(conn: sa.Connection) -> list[str]:
    """Differences between `_idnum_index` and the current ID numbers."""
    now = datetime.now(UTC).replace(tzinfo=None)
    problems: list[str] = []
    ii = idnum_index
    actual = {r["idnum_pk"]: r for r in conn.execute(sa.select(ii)).mappings()}
    for want in iter_idnum_entries(conn, None, now):
        label = f"ID number patient_idnum _pk={want['idnum_pk']}"
        got = actual.pop(want["idnum_pk"], None)
        if got is None:
            problems.append(f"{label}: current ID number has no index entry")
            continue
        problems.extend(_differences(label, want, got, IDNUM_FIELDS))
    for pk in sorted(actual):
        problems.append(
            f"ID number index entry {pk}: extra entry, no current ID number with a value "
            "and a current patient has this _pk"
        )
    return problems


def check_index(conn: sa.Connection) -> list[str]:
    """Every difference between both indexes and the data; empty = exact."""
    return check_idnum_index(conn) + check_task_index(conn)
