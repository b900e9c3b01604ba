"""The download's file from its staged rows, and the writer that stages them in-process.

Every download stages its rows in a SQLite file (which is the SQLite
download itself; a CSV download writes its ZIP as the rows come, see
:class:`~copse.services.export.csv_out.CsvZipWriter`); :func:`finish_file`
then completes the file and counts each table's rows.  A small download does
this in the process that reads the database (:class:`LocalWriter`); a large
one in a process of its own (:mod:`copse.services.export.writer_process`),
with the same code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from copse.services.export import csv_out, sqlite_out, xlsx_out
from copse.services.export.shapes import Format, OutTable, Rows


class FileWriter(Protocol):
    """What :func:`copse.services.export.run.run_export` writes its rows to."""

    #: Peak resident size (MB) of a second process that wrote the file, if one did.
    peak_mb: float | None

    def ensure(self, table: OutTable) -> None: ...

    def insert(self, table: OutTable, rows: Rows) -> None: ...

    def create_indexes(self) -> None: ...

    def finish(self) -> dict[str, int]:
        """Complete the file; rows per table.  Raises FileRefused."""
        ...

    def abort(self) -> None:
        """Stop without a file (nothing once finished); the caller removes the paths."""
        ...


def staging_writer(stage_path: Path, fmt: Format, target: Path) -> sqlite_out.SqliteWriter:
    """The writer staging a download of this format (``target``: the final file)."""
    if fmt == "csv":
        return csv_out.CsvZipWriter(stage_path, target)
    return sqlite_out.SqliteWriter(stage_path)


def finish_file(writer: sqlite_out.SqliteWriter, fmt: Format, target: Path) -> dict[str, int]:
    """Rows per staged table, after completing ``target`` (and closing ``writer``)."""
    db = writer.db
    counts = {n: sqlite_out.count(db, n) for n in sqlite_out.table_names(db)}
    if isinstance(writer, csv_out.CsvZipWriter):
        counts.update(writer.streamed)  # task rows that went straight to the ZIP
        writer.finish()
    elif fmt == "xlsx":
        xlsx_out.write_xlsx(db, target)
    writer.close()
    return counts


class LocalWriter:
    """Stages the rows in this process (downloads too small to pay for a second one)."""

    def __init__(self, stage_path: Path, fmt: Format, target: Path) -> None:
        self.fmt, self.target = fmt, target
        self.peak_mb: float | None = None  # this process wrote it
        self.writer = staging_writer(stage_path, fmt, target)

    def ensure(self, table: OutTable) -> None:
        self.writer.ensure(table)

    def insert(self, table: OutTable, rows: Rows) -> None:
        self.writer.insert(table, rows)

    def create_indexes(self) -> None:
        self.writer.create_indexes()

    def finish(self) -> dict[str, int]:
        return finish_file(self.writer, self.fmt, self.target)

    def abort(self) -> None:
        self.writer.close()
