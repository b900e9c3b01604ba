"""Every client table a CamCOPS 2.4.24 tablet can upload is accepted, stored exactly and shown.

One row per table (all 152 of ``client_tables.json``), every client column
filled with a value of its kind that differs from column to column, so a
mix-up of columns or a lossy type would show.  Uploaded with either method,
read back from the database unchanged, then rendered by the task catalogue
(task tables) and by the generic field table (every table).
"""

from __future__ import annotations

from typing import Any

import pytest

from copse.schema.registry import TABLES, ColumnInfo
from copse.tasks import html as task_html
from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task, is_task_table
from tests.sync.conftest import NHS_OK, Harness

SPECIAL: dict[tuple[str, str], Any] = {
    ("patient_idnum", "which_idnum"): 1,  # a defined ID type ...
    ("patient_idnum", "idnum_value"): NHS_OK,  # ... and a valid NHS number
}


def value_for(table: str, i: int, col: ColumnInfo) -> Any:
    """A value of the column's kind, distinct per column position."""
    if (table, col.name) in SPECIAL:
        return SPECIAL[(table, col.name)]
    if col.name == "id":
        return 1
    if col.name == "_move_off_tablet":
        return 0
    if col.kind == "int":
        return 1000 + i
    if col.kind == "bigint":
        return 9_000_000_000 + i
    if col.kind == "bool":
        return i % 2
    if col.kind == "float":
        return i + 0.25
    if col.kind == "text":
        return f"text {i}: 'quoted', comma, back\\slash\nnew line, ünïcode ✓"
    if col.kind == "string":
        s = f"s{i}'x"
        return s[: col.length] if col.length else s
    if col.kind == "datetime":
        return f"2024-05-06T07:{i % 60:02d}:09.123+01:00"
    if col.kind == "date":
        return f"2024-05-{1 + i % 28:02d}"
    if col.kind == "time":
        return f"07:08:{i % 60:02d}"
    assert col.kind == "blob"
    return bytes([i % 256, 0, 255, 39, 92]) * 3


def full_row(table: str) -> tuple[list[str], list[Any]]:
    cols = TABLES[table].columns
    return [c.name for c in cols], [value_for(table, i, c) for i, c in enumerate(cols)]


def same(kind: str, sent: Any, stored: Any) -> bool:
    if kind == "bool":
        return stored is not None and bool(stored) == bool(sent)
    if kind == "blob":
        return bytes(stored) == sent
    return bool(stored == sent)


@pytest.mark.parametrize("method", ["stepwise", "onestep"])
def test_every_client_table_uploads_reads_back_and_shows(h: Harness, method: str) -> None:
    assert len(TABLES) == 152
    upload = {t: (lambda f_r: (f_r[0], [f_r[1]]))(full_row(t)) for t in TABLES}
    if method == "stepwise":
        h.stepwise(upload)
    else:
        h.onestep(upload)
    problems: list[str] = []
    for table, info in TABLES.items():
        current = h.current(table)
        if list(current) != [1]:
            problems.append(f"{table}: current client PKs {list(current)}")
            continue
        row = current[1]._mapping
        _, sent = full_row(table)
        for col, value in zip(info.columns, sent, strict=True):
            if not same(col.kind, value, row[col.name]):
                problems.append(
                    f"{table}.{col.name} ({col.kind}): sent {value!r}, stored {row[col.name]!r}"
                )
        client_row = {c.name: row[c.name] for c in info.columns}
        shown = str(task_html.record_html(table, client_row))
        for col in info.columns:
            if f"<td>{col.name}</td>" not in shown:
                problems.append(f"{table}: field table lacks {col.name}")
        if is_task_table(table):
            html = str(get_task(table).render_html(TaskData(row=client_row)))
            if not html.strip():
                problems.append(f"{table}: empty task HTML")
    assert problems == []
    assert h.invariants() == []
