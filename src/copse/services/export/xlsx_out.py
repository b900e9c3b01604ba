"""The Excel download: one sheet per table, streamed row by row with XlsxWriter.

XlsxWriter's constant-memory mode writes each row to the sheet's file as soon
as the next one starts, so memory does not grow with the number of rows.
Excel's limits are checked before the file is started.  BLOB bytes are not
put in cells (Excel cannot hold them); their columns say how many bytes the
SQLite and CSV downloads carry.
"""

from __future__ import annotations

import math
import re
import sqlite3
from pathlib import Path

import xlsxwriter

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


#: Characters XML 1.0 cannot hold, which Excel refuses in a cell; shown as U+FFFD.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Text is always text (never a formula, a number or a link, whatever it looks like).
_WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def cell_text(v: str) -> str:
    """A text value as a cell holds it: XML-safe, within Excel's length limit."""
    return _ILLEGAL_XML.sub("\ufffd", v)[:CELL_TEXT_MAX]


def write_xlsx(stage: sqlite3.Connection, target: Path) -> None:
    """Every staged table as a sheet, header row first.

    perf: one type test per value and XlsxWriter's typed writers (a
    ``write_row`` dispatches on each value itself), since a download of
    100,000 tasks is millions of cells.
    """
    tables = sqlite_out.table_names(stage)
    for t in tables:
        check_rows(t, sqlite_out.count(stage, t))
    names = sheet_names(tables)
    # On failure the workbook is dropped unclosed: its sheets' temporary files
    # are anonymous, and the caller removes the half-written target.
    wb = xlsxwriter.Workbook(str(target), _WORKBOOK_OPTIONS)
    for t in tables:
        ws = wb.add_worksheet(names[t])
        for c, name in enumerate(sqlite_out.columns(stage, t)):
            ws.write_string(0, c, cell_text(name))
        text, number = ws.write_string, ws.write_number
        for r, row in enumerate(sqlite_out.rows(stage, t), start=1):
            for c, v in enumerate(row):
                kind = type(v)
                if kind is str:
                    if v:
                        text(r, c, cell_text(v))
                elif kind is int or kind is float:
                    if kind is float and not math.isfinite(v):
                        text(r, c, repr(v))
                    else:
                        number(r, c, v)
                elif kind is bytes:
                    text(r, c, f"({len(v)} bytes)")
    wb.close()
