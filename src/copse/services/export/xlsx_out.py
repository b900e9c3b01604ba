"""The Excel download: one sheet per table, written in openpyxl's write-only mode.

Write-only mode streams rows to the file, so memory does not grow with the
number of rows.  Excel's limits are checked before the file is started.
BLOB bytes are not put in cells (Excel cannot hold them); their columns say
how many bytes the SQLite and CSV downloads carry.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from copse.services.export import sqlite_out
from copse.services.export.options import ExportError

#: Rows per sheet including the header row.
EXCEL_MAX_ROWS = 1_048_576
SHEET_NAME_MAX = 31
#: Excel's cell text limit.
CELL_TEXT_MAX = 32_767


def too_big_message(table: str, n_rows: int) -> str:
    return (
        f"format: table {table!r} has {n_rows} rows, more than an Excel sheet holds "
        f"({EXCEL_MAX_ROWS - 1} plus the header); download it as CSV or SQLite instead"
    )


def check_rows(table: str, n_rows: int) -> None:
    if n_rows > EXCEL_MAX_ROWS - 1:
        raise ExportError(too_big_message(table, n_rows))


def sheet_names(tables: list[str]) -> dict[str, str]:
    """Unique sheet names within Excel's 31 characters (long names get ``~N``)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for t in tables:
        name = t[:SHEET_NAME_MAX]
        n = 1
        while name.lower() in used:
            tag = f"~{n}"
            name = t[: SHEET_NAME_MAX - len(tag)] + tag
            n += 1
        used.add(name.lower())
        out[t] = name
    return out


def cell(ws: WriteOnlyWorksheet, v: Any) -> Any:
    """A value as a cell; text is always text (never a formula, whatever it starts with)."""
    if isinstance(v, bytes):
        return f"({len(v)} bytes)"
    if isinstance(v, str):
        c = WriteOnlyCell(ws, ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)[:CELL_TEXT_MAX])
        c.data_type = "s"
        return c
    return v


def write_xlsx(stage: sqlite3.Connection, target: Path) -> None:
    tables = sqlite_out.table_names(stage)
    for t in tables:
        check_rows(t, sqlite_out.count(stage, t))
    names = sheet_names(tables)
    wb = Workbook(write_only=True)
    for t in tables:
        ws = wb.create_sheet(names[t])
        ws.append(sqlite_out.columns(stage, t))
        for row in sqlite_out.rows(stage, t):
            ws.append([cell(ws, v) for v in row])
    wb.save(target)
