"""All 152 client tables, every column filled, downloaded in every format and compared.

The rows are linked as a tablet links them (tasks to patient 1, ancillary
rows to their task, BLOB references to BLOB 1), so patient columns, the
ancillary ``_task_pk`` and the BLOB files are all exercised; summaries are
recomputed here from the database rows with the task definitions.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from copse.schema.registry import TABLES, TASK_TABLES
from copse.services.export import ExportOptions
from copse.services.export.xlsx_out import sheet_names
from copse.tasks import get_task
from copse.tasks.base import ANCILLARY_ORDER_BY, TaskData
from tests.export.conftest import (
    csv_value,
    current_rows,
    export,
    read_csv_zip,
    read_sqlite,
    read_xlsx,
    sqlite_value,
    xlsx_value,
)
from tests.sync.conftest import Harness
from tests.sync.test_every_table import value_for


def linked_row(table: str) -> tuple[list[str], list[Any]]:
    info = TABLES[table]
    names, values = [], []
    for i, c in enumerate(info.columns):
        v = value_for(table, i, c)
        if c.name == "patient_id" or c.name == info.fk_to_parent or c.name in info.blob_id_columns:
            v = 1
        names.append(c.name)
        values.append(v)
    return names, values


def upload_everything(h: Harness) -> None:
    h.onestep({t: (lambda nv: (nv[0], [nv[1]]))(linked_row(t)) for t in TABLES})


def expected_summaries(h: Harness, table: str, row: Any, patient: Any) -> dict[str, Any]:
    """What the task definition computes for the stored row (first value of each name)."""
    client = {c.name: row._mapping[c.name] for c in TABLES[table].columns}
    children: dict[str, list[dict[str, Any]]] = {}
    for child in TABLES[table].ancillary_tables:
        rows = [
            {c.name: r._mapping[c.name] for c in TABLES[child].columns}
            for r in current_rows(h, child)
        ]
        col = ANCILLARY_ORDER_BY.get(child, "id")
        children[child] = sorted(rows, key=lambda r: (r[col] is None, r[col] or 0))
    pdict = {c.name: patient._mapping[c.name] for c in TABLES["patient"].columns}
    data = TaskData(row=client, ancillary=children, patient=pdict)
    d = get_task(table)
    out: dict[str, Any] = {}
    for s in [*d.standard_summaries(data), *d.summaries(data)]:
        out.setdefault("summary_" + s.name, s.value)
    return out


def expected_tables(h: Harness) -> dict[str, dict[str, Any]]:
    """table → expected values of its one exported row, by column (database values)."""
    (patient,) = current_rows(h, "patient")
    (idnum,) = current_rows(h, "patient_idnum")
    out: dict[str, dict[str, Any]] = {}
    for table, info in TABLES.items():
        (row,) = current_rows(h, table)
        exp = {c: row._mapping[c] for c in ("_pk", "_device_id", "_era", "_group_id")}
        exp.update({c.name: row._mapping[c.name] for c in info.columns})
        if info.kind == "ancillary":
            assert info.parent is not None
            (parent,) = current_rows(h, info.parent)
            exp["_task_pk"] = parent._pk
        if info.is_task:
            if info.has_patient:
                exp["patient_pk"] = patient._pk
                for f in ("forename", "surname", "dob", "sex"):
                    exp["patient_" + f] = patient._mapping[f]
                exp["patient_idnum1"] = idnum.idnum_value
            exp.update(expected_summaries(h, table, row, patient))
        out[table] = exp
    return out


def same(got: Any, want: Any, approx: bool) -> bool:
    """Equal; with ``approx``, floats to Excel's 15 significant digits (others are exact)."""
    if approx and isinstance(got, float) and isinstance(want, float):
        return math.isclose(got, want, rel_tol=1e-14)
    return bool(got == want)


def compare(
    got: dict[str, list[dict[str, Any]]], expected: dict[str, dict[str, Any]], conv: Any
) -> list[str]:
    problems: list[str] = []
    for table, exp in expected.items():
        rows = got.get(table)
        if rows is None or len(rows) != 1:
            problems.append(f"{table}: {0 if rows is None else len(rows)} rows")
            continue
        (row,) = rows
        for col, value in exp.items():
            if col not in row:
                problems.append(f"{table}.{col}: missing")
            elif not same(row[col], conv(value), conv is xlsx_value):
                problems.append(f"{table}.{col}: {row[col]!r} != {conv(value)!r}")
    return problems


def test_sqlite_every_table(h: Harness, tmp_path: Path) -> None:
    upload_everything(h)
    out = tmp_path / "all.sqlite"
    result = export(h, ExportOptions("sqlite", blobs=True), out)
    assert result.task_rows == len(TASK_TABLES)
    got = read_sqlite(out)
    assert compare(got, expected_tables(h), sqlite_value) == []
    assert "data_dictionary" in got


def test_csv_every_table(h: Harness, tmp_path: Path) -> None:
    upload_everything(h)
    out = tmp_path / "all.zip"
    export(h, ExportOptions("csv", blobs=True), out)
    got, files = read_csv_zip(out)
    expected = expected_tables(h)
    (blob,) = current_rows(h, "blobs")
    member = f"blobs/blobs_{blob._pk}.bin"
    expected["blobs"]["theblob"] = member  # the cell names the file ...
    assert files == {member: bytes(blob.theblob)}  # ... which holds the bytes
    assert compare(got, expected, csv_value) == []


def test_xlsx_every_table(h: Harness, tmp_path: Path) -> None:
    upload_everything(h)
    out = tmp_path / "all.xlsx"
    export(h, ExportOptions("xlsx"), out)
    raw = read_xlsx(out)
    titles = sheet_names([*TABLES, "data_dictionary"])
    back = {v: k for k, v in titles.items()}
    got = {back[k]: v for k, v in raw.items()}
    expected = expected_tables(h)
    del expected["blobs"]  # not requested: BLOBs are optional
    assert "blobs" not in got
    assert compare(got, expected, xlsx_value) == []


def test_layout_column_names_unique() -> None:
    from copse.services.export import layout

    for t in TASK_TABLES:
        for deid in (False, True):
            names = layout.task_table(
                t, all_versions=True, deidentify=deid, idnum_types=(1, 2)
            ).names
            assert len(names) == len(set(names)), t


@pytest.mark.parametrize("fmt", ["sqlite", "csv", "xlsx"])
def test_data_dictionary_describes_summaries(h: Harness, tmp_path: Path, fmt: str) -> None:
    upload_everything(h)
    out = tmp_path / f"d.{fmt}"
    export(h, ExportOptions(fmt, filter=_only("phq9")), out)  # type: ignore[arg-type]
    if fmt == "sqlite":
        rows = read_sqlite(out)["data_dictionary"]
    elif fmt == "csv":
        rows = read_csv_zip(out)[0]["data_dictionary"]
    else:
        rows = read_xlsx(out)["data_dictionary"]
    by_col = {(r["table_name"], r["column_name"]): r for r in rows}
    for s in get_task("phq9").summary_columns():
        entry = by_col[("phq9", "summary_" + s.name)]
        assert entry["is_summary"] in (1, "1")  # an Excel number may read back as 1.0
        assert s.description in str(entry["meaning"])
    assert ("phq9", "q1") in by_col


def _only(task: str) -> Any:
    from copse.services.export import ExportFilter

    return ExportFilter(task_types=(task,))
