"""The CSV download: one RFC 4180 file per table in a ZIP, BLOBs as files beside them.

A BLOB cell holds the name of its ZIP member (``blobs/<table>_<pk>.bin``),
so rows reference their files and the CSV stays text.  Every value is
written as the staging SQLite file holds it (:class:`CsvZipWriter`), so the
CSV, Excel and SQLite downloads hold the same values.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from copse.services.export import sqlite_out
from copse.services.export.affinity import Affinity, RowTyper
from copse.services.export.shapes import DICTIONARY_TABLE, OutTable, TaskRows

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


def _write_member(zf: zipfile.ZipFile, stage: sqlite3.Connection, table: str) -> None:
    """One staged table as its CSV member (and its BLOBs as files)."""
    cols = sqlite_out.columns(stage, table)
    types = {r[1]: r[2] for r in stage.execute(f"PRAGMA table_info({sqlite_out.quote(table)})")}
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
                    # Stored, not deflated: photos and drawings are compressed
                    # images already (deflating 200 photos took ~0.1 s for nothing).
                    zf.writestr(
                        blob_member(table, row[pk_index], cols[i]),
                        row[i],
                        compress_type=zipfile.ZIP_STORED,
                    )


class _Member:
    """One task table's CSV member, open for writing."""

    def __init__(self, zf: zipfile.ZipFile, table: OutTable, affinity: Affinity) -> None:
        self.table = table.name
        self.raw: IO[bytes] = zf.open(f"{table.name}.csv", "w")
        self.text = io.TextIOWrapper(self.raw, encoding="utf-8", newline="")
        self.writer = csv.writer(self.text)  # excel dialect: RFC 4180 quoting, CRLF
        self.writer.writerow(table.names)
        n = len(table.columns)
        summaries = range(n - table.summary_columns, n)
        self.typer = RowTyper([c.type for c in table.columns], summaries, affinity)
        self.i_pk = table.names.index("_pk")
        self.last_pk = 0
        self.rows = 0

    def close(self) -> None:
        self.text.flush()
        self.text.detach()
        self.raw.close()


class CsvZipWriter(sqlite_out.SqliteWriter):
    """Stages the rows like the SQLite download, except the task tables' rows,
    which it writes to the ZIP as they come.

    perf: staging every row and writing the ZIP from the staging file after
    the last one took ~1.9 s of a 100,000-task download.  A task table's rows
    come in ``_pk`` order (keyset-paged batches) and are never repeated, so
    they need neither the staging table's key nor its order: each batch is
    appended to the table's member at once, every value converted as the
    SQLite download's column stores it (:mod:`copse.services.export.affinity`).
    Ancillary tables (whose rows come in any ``_pk`` order) are written from
    the staging file when the next task table starts; patients, ID numbers
    and BLOBs (met in any order, each kept once by its key) at the end.
    Members: the data dictionary, each task table followed by its ancillary
    tables, then ``patient``, ``patient_idnum``, ``blobs`` and the BLOB files.
    """

    def __init__(self, path: Path, target: Path) -> None:
        super().__init__(path)
        self.zf = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.written: set[str] = set()
        self.member: _Member | None = None
        self.affinity = Affinity()
        #: Rows of the task tables written straight to the ZIP.
        self.streamed: dict[str, int] = {}

    def insert(self, table: OutTable, rows: Iterable[tuple[Any, ...]] | TaskRows) -> None:
        if not table.is_task:
            super().insert(table, rows)
            if table.name == DICTIONARY_TABLE:
                self._write_table(table.name)
            return
        rows = rows.complete(table) if isinstance(rows, TaskRows) else list(rows)
        if self.member is None or self.member.table != table.name:
            self._close_member()
            self.ensure(table)  # the table exists (empty) in the staging file
            self.member = _Member(self.zf, table, self.affinity)
        member = self.member
        if not rows:
            return
        pks = [r[member.i_pk] for r in rows]
        if pks[0] <= member.last_pk or sorted(set(pks)) != pks:
            raise RuntimeError(f"{table.name}: task rows out of _pk order")  # a bug, not input
        member.writer.writerows(member.typer.rows(rows))
        member.last_pk = pks[-1]
        member.rows += len(rows)
        self.streamed[table.name] = member.rows

    def _close_member(self) -> None:
        """Finish the task table being written, then write its ancillary tables."""
        if self.member is None:
            return
        task = self.member.table
        self.member.close()
        self.member = None
        self.written.add(task)
        for name in self.order:
            if self.created[name].parent == task:
                self._write_table(name)

    def _write_table(self, table: str) -> None:
        _write_member(self.zf, self.db, table)
        self.written.add(table)

    def finish(self) -> None:
        """Write what is left (the last task table's ancillary rows, patients, BLOBs)."""
        self._close_member()
        for name in sqlite_out.table_names(self.db):
            if name not in self.written:
                self._write_table(name)
        self.zf.close()

    def close(self) -> None:
        if self.member is not None:  # stopped early: the caller removes the file
            self.member.close()
            self.member = None
        self.zf.close()
        self.affinity.db.close()
        super().close()
