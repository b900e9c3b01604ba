"""The SQLite download, which is also the staging file of the CSV and Excel ones.

Tables are named as in copse, columns typed, ``_pk`` the primary key,
``_task_pk`` of ancillary rows a foreign key to their task, and indexes on
patient and date columns, so the file opens ready to query.  Rows are
inserted with ``INSERT OR IGNORE``: a patient (or BLOB) shared by tasks of
several batches is stored once without the writer remembering what it saw.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from copse.services.export.shapes import DICTIONARY_TABLE, TASK_PK, OutTable, TaskRows


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqliteWriter:
    """Creates tables on first use and appends rows to them.

    The layout's indexes are made by :meth:`create_indexes` once every row is
    in (building an index at the end is cheaper than keeping it up to date
    row by row); the staging file of a CSV or Excel download needs none.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.created: dict[str, OutTable] = {}
        self.order: list[str] = []
        self.closed = False

    def ensure(self, table: OutTable) -> None:
        if table.name in self.created:
            return
        cols = [f"{quote(c.name)} {c.type}" for c in table.columns]
        if table.primary_key:
            cols.append(f"PRIMARY KEY ({quote(table.primary_key)})")
        else:
            cols.append("PRIMARY KEY (table_name, column_name)")
        if table.parent is not None:
            cols.append(f'FOREIGN KEY ({quote(TASK_PK)}) REFERENCES {quote(table.parent)} ("_pk")')
        self.db.execute(f"CREATE TABLE {quote(table.name)} ({', '.join(cols)})")
        self.created[table.name] = table
        self.order.append(table.name)

    def insert(self, table: OutTable, rows: Iterable[tuple[Any, ...]] | TaskRows) -> None:
        if isinstance(rows, TaskRows):
            rows = rows.complete(table)
        self.ensure(table)
        marks = ", ".join("?" for _ in table.columns)
        self.db.executemany(f"INSERT OR IGNORE INTO {quote(table.name)} VALUES ({marks})", rows)

    def create_indexes(self) -> None:
        for name in self.order:
            table = self.created[name]
            for col in table.indexed:
                self.db.execute(
                    f"CREATE INDEX {quote(f'ix_{table.name}_{col}')} "
                    f"ON {quote(table.name)} ({quote(col)})"
                )

    def close(self) -> None:
        """Commit and close (again: nothing)."""
        if self.closed:
            return
        self.closed = True
        self.db.commit()
        self.db.close()


def table_names(db: sqlite3.Connection) -> list[str]:
    """Tables of a staged file: data dictionary first, then in creation order."""
    names = [
        n
        for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
    ]
    return sorted(names, key=lambda n: n != DICTIONARY_TABLE)


def columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({quote(table)})")]


def count(db: sqlite3.Connection, table: str) -> int:
    return int(db.execute(f"SELECT COUNT(*) FROM {quote(table)}").fetchone()[0])


def rows(db: sqlite3.Connection, table: str, batch: int = 1000) -> Iterator[tuple[Any, ...]]:
    """Every row of a staged table in primary-key order, fetched in batches."""
    cur = db.execute(f"SELECT * FROM {quote(table)} ORDER BY rowid")
    while True:
        chunk = cur.fetchmany(batch)
        if not chunk:
            return
        yield from chunk
