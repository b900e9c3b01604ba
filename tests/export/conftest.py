"""Downloads are tested on data uploaded through the real upload operations.

``tests.sync.conftest.Harness`` runs the tablet API's operation handlers on a
real database (every configured backend); the files are read back with the
csv module, openpyxl and sqlite3 and compared with the database.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from copse.accounts.users import get_user_by_name, set_membership
from copse.services.export import ExportOptions, ExportResult, atomic_output, run_export
from tests.support.databases import Backend
from tests.sync.conftest import Harness

NOW = datetime(2025, 1, 1, 12, 0, 0)
Tables = dict[str, list[dict[str, Any]]]


@pytest.fixture
def h(db: Backend) -> Iterator[Harness]:
    harness = Harness(db)
    with harness.engine.begin() as conn:
        set_membership(conn, harness.user_id, harness.group_id, may_dump_data=True)
    yield harness


def export(h: Harness, opts: ExportOptions, out: Path, username: str = "alice") -> ExportResult:
    """One download as the CLI does it: one transaction, file renamed after commit."""
    with atomic_output(out) as tmp, h.engine.begin() as conn:
        user = get_user_by_name(conn, username)
        assert user is not None
        return run_export(conn, user, opts, tmp, now=NOW, source="console")


def read_sqlite(path: Path) -> Tables:
    db = sqlite3.connect(path)
    try:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out: Tables = {}
        for n in names:
            cur = db.execute(f'SELECT * FROM "{n}" ORDER BY rowid')
            cols = [d[0] for d in cur.description]
            out[n] = [dict(zip(cols, r, strict=True)) for r in cur]
        return out
    finally:
        db.close()


def read_csv_zip(path: Path) -> tuple[Tables, dict[str, bytes]]:
    tables: Tables = {}
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name.endswith(".csv") and "/" not in name:
                reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
                tables[name[:-4]] = list(reader)
            else:
                files[name] = data
    return tables, files


def read_xlsx(path: Path) -> Tables:
    wb = load_workbook(path, read_only=True)
    out: Tables = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = [str(c) for c in rows[0]]
        # Read-only mode drops a row's trailing empty cells.
        out[ws.title] = [
            dict(zip(header, (*r, *([None] * (len(header) - len(r)))), strict=True))
            for r in rows[1:]
        ]
    wb.close()
    return out


def sqlite_value(v: Any) -> Any:
    """A database value as the SQLite download must hold it."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, memoryview):
        return bytes(v)
    return v


def csv_value(v: Any) -> str:
    v = sqlite_value(v)
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def xlsx_value(v: Any) -> Any:
    v = sqlite_value(v)
    return None if v == "" else v


def current_rows(h: Harness, table: str) -> list[Any]:
    return [r for r in h.rows(table) if r._current]


def db_rows(engine: sa.Engine, table: sa.Table) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(table).order_by(table.c._pk)))
