"""``xlsx_out.write_xlsx``: each staged value becomes the cell a spreadsheet user expects."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from openpyxl import load_workbook

from copse.services.export import xlsx_out


def test_values_become_typed_cells(tmp_path: Path) -> None:
    stage = sqlite3.connect(":memory:")
    stage.execute("CREATE TABLE t (a, b, c, d, e, f, g)")
    rows = [
        (1, 2.5, "text", None, b"\x00\x01\x02", "", 2**40),
        (math.inf, -math.inf, "=1+1", "0042", b"", "x\x0by", -7),
    ]
    stage.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    out = tmp_path / "t.xlsx"
    xlsx_out.write_xlsx(stage, out)
    ws = load_workbook(out)["t"]
    got = [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()]
    assert [v for v, _ in got[0]] == ["a", "b", "c", "d", "e", "f", "g"]
    assert got[1] == [
        (1, "n"),
        (2.5, "n"),
        ("text", "s"),
        (None, "n"),  # NULL: an empty cell
        ("(3 bytes)", "s"),  # BLOB bytes are in the CSV and SQLite downloads
        (None, "n"),  # empty text: an empty cell
        (2**40, "n"),
    ]
    # A spreadsheet has no infinities: they are shown as text, not written as broken numbers.
    assert got[2] == [
        ("inf", "s"),
        ("-inf", "s"),
        ("=1+1", "s"),
        ("0042", "s"),
        ("(0 bytes)", "s"),
        ("x\ufffdy", "s"),
        (-7, "n"),
    ]


def test_long_text_is_cut_and_an_empty_table_keeps_its_header(tmp_path: Path) -> None:
    stage = sqlite3.connect(":memory:")
    stage.execute("CREATE TABLE long (a, b)")
    stage.execute("CREATE TABLE empty (x, y, z)")
    stage.execute("INSERT INTO long VALUES (?, ?)", ("y" * 40_000, "\x00" + "z" * 40_000))
    out = tmp_path / "t.xlsx"
    xlsx_out.write_xlsx(stage, out)
    wb = load_workbook(out)
    rows = [[c.value for c in row] for row in wb["long"].iter_rows()]
    assert rows == [["a", "b"], ["y" * xlsx_out.CELL_TEXT_MAX, "\ufffd" + "z" * 32_766]]
    assert [[c.value for c in row] for row in wb["empty"].iter_rows()] == [["x", "y", "z"]]
