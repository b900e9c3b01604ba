"""The CSV download: one RFC 4180 file per table in a ZIP, BLOBs as files beside them.

A BLOB cell holds the name of its ZIP member (``blobs/<table>_<pk>.bin``),
so rows reference their files and the CSV stays text.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from copse.services.export import sqlite_out

BLOB_FOLDER = "blobs"


def blob_member(table: str, pk: Any, column: str) -> str:
    suffix = "" if column == "theblob" else f"_{column}"
    return f"{BLOB_FOLDER}/{table}_{pk}{suffix}.bin"


def csv_text(v: Any) -> str:
    """A cell's text; what :mod:`csv` writes by itself for the values SQLite returns.

    (None as empty, floats by ``repr``, the rest by ``str``), so rows without
    BLOBs are handed to the writer as they come from the staging file.
    """
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def write_zip(stage: sqlite3.Connection, target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for table in sqlite_out.table_names(stage):
            cols = sqlite_out.columns(stage, table)
            types = {
                r[1]: r[2] for r in stage.execute(f"PRAGMA table_info({sqlite_out.quote(table)})")
            }
            blob_cols = [i for i, c in enumerate(cols) if types[c] == "BLOB"]
            pk_index = cols.index("_pk") if "_pk" in cols else None
            with zf.open(f"{table}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                w = csv.writer(text)  # excel dialect: RFC 4180 quoting, CRLF
                w.writerow(cols)
                if not blob_cols or pk_index is None:
                    w.writerows(sqlite_out.rows(stage, table))
                else:
                    for row in sqlite_out.rows(stage, table):
                        out = [csv_text(v) for v in row]
                        for i in blob_cols:
                            if row[i] is not None:
                                out[i] = blob_member(table, row[pk_index], cols[i])
                        w.writerow(out)
                text.flush()
                text.detach()
            if blob_cols and pk_index is not None:
                for row in sqlite_out.rows(stage, table):
                    for i in blob_cols:
                        if row[i] is not None:
                            zf.writestr(blob_member(table, row[pk_index], cols[i]), row[i])
