"""The Excel download: one sheet per table, streamed row by row by rust_xlsxwriter.

rust_xlsxwriter (through the ``rustpy-xlsxwriter`` binding) writes each sheet
in its constant-memory mode, so memory does not grow with the number of rows,
and builds the sheet XML in Rust: ~0.4 us a cell against XlsxWriter's ~3.7 us,
and an Excel download is millions of cells.  Excel's limits are checked before
the file is started.  BLOB bytes are not put in cells (Excel cannot hold
them); their columns say how many bytes the SQLite and CSV downloads carry.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import rustpy_xlsxwriter

from copse.services.export import sqlite_out
from copse.services.export.shapes import FileRefused

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


def fits(n_rows: int) -> bool:
    """Whether a table of ``n_rows`` rows (header not counted) fits on a sheet."""
    return n_rows <= EXCEL_MAX_ROWS - 1


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
#: Values handed to the writer as they come from the staging file: numbers
#: become number cells, NULL an empty cell (infinities: see ``inf_value``).
_AS_IS: frozenset[type] = frozenset({int, float, type(None)})


def cell_text(v: str) -> str:
    """A text value as a cell holds it: XML-safe, within Excel's length limit."""
    return _ILLEGAL_XML.sub("\ufffd", v)[:CELL_TEXT_MAX]


def _cell(v: Any) -> Any:
    """A staged text or BLOB value as its cell (text is always a text cell, never
    a formula, number or link, whatever it looks like: the writer's own rule)."""
    if type(v) is str:
        return cell_text(v) if len(v) > CELL_TEXT_MAX or _ILLEGAL_XML.search(v) else v
    if type(v) is bytes:
        return f"({len(v)} bytes)"
    return v


def _records(stage: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """A staged table's rows as the writer's records (column -> cell value).

    The first record's keys are the header row; an empty table yields one
    record of empty cells, so its sheet still has its header.
    """
    cols = sqlite_out.columns(stage, table)
    empty = True
    for row in sqlite_out.rows(stage, table):
        empty = False
        yield dict(zip(cols, [v if type(v) in _AS_IS else _cell(v) for v in row], strict=True))
    if empty:
        yield dict.fromkeys(cols)


def write_xlsx(stage: sqlite3.Connection, target: Path) -> None:
    """Every staged table as a sheet, header row first.

    Infinities (which SQLite keeps and a sheet cannot hold as numbers) are
    written as the text ``inf`` / ``-inf``; empty text is an empty cell.
    """
    tables = sqlite_out.table_names(stage)
    for t in tables:
        n = sqlite_out.count(stage, t)
        if not fits(n):
            raise FileRefused(too_big_message(t, n))
    names = sheet_names(tables)
    # On failure the caller removes the half-written target.
    rustpy_xlsxwriter.write_worksheets(
        [(names[t], _records(stage, t)) for t in tables], str(target), inf_value="inf"
    )
