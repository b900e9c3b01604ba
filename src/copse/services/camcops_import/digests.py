"""Each source row's key and a hash of its values, kept from the copy for the verification.

perf: the verification compares every copse row with its source row.  Reading
the source a second time for that doubled the import's load on the CamCOPS
server and the parsing of every source row, then the largest part of the
verification.  The copy reads every row of the same consistent snapshot
anyway, so while it copies a table from its first row it keeps each row's key
and hash here, and the verification compares copse's rows with those.  A
table this run did not read from its start (one finished before an
interrupted run was resumed, or ``--verify-only``) is compared with the
source itself.

The hashes stay on disk (a temporary file, gone when the import ends), so
memory does not grow with the database; they are only compared within the
process that made them (Python's own hash of the values and of their types,
64 bits, which is seeded per process).  Two rows whose hashes differ are not
yet different: the source row is read again by its key and compared value by
value (``rows.same_values``), so a hash never reports a difference that is
not there.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from copse.services.camcops_import.rows import Row

Key = tuple[Any, ...]


def row_hash(row: Row) -> int:
    """A hash of a row's values and their types (1 and 1.0 and True hash alike in Python)."""
    return hash((tuple(row), tuple(map(type, row))))


@dataclass
class _Spool:
    """One table's (keys, hashes) chunks in the shared file: where each starts, and
    whether the table was recorded to its end."""

    offsets: list[int] = field(default_factory=list)
    complete: bool = False


class SourceDigests:
    """Keys and row hashes of source tables, recorded in key order while they are copied.

    Use as a context manager; the file goes with it.
    """

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="copse-import-")
        self._tables: dict[str, _Spool] = {}

    def __enter__(self) -> SourceDigests:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def start(self, table: str) -> None:
        """A table is about to be read from its first row (forgets an earlier start)."""
        self._tables[table] = _Spool()

    def add(self, table: str, keys: list[Key], rows: list[Row]) -> None:
        """The next rows of ``table`` (in key order) and their keys."""
        spool = self._tables.get(table)
        if spool is None or spool.complete:
            raise ValueError(f"{table}: rows recorded before start() or after finish()")
        self._file.seek(0, 2)
        spool.offsets.append(self._file.tell())
        pickle.dump((keys, [row_hash(r) for r in rows]), self._file, pickle.HIGHEST_PROTOCOL)

    def finish(self, table: str) -> None:
        """Every row of ``table`` has been recorded."""
        self._tables[table].complete = True

    def has(self, table: str) -> bool:
        """Whether every source row of ``table`` was recorded in this run."""
        spool = self._tables.get(table)
        return spool is not None and spool.complete

    def read(self, table: str) -> Iterator[tuple[Key, int]]:
        """(key, hash) of every recorded row of ``table``, in key order."""
        for offset in self._tables[table].offsets:
            self._file.seek(offset)
            keys, hashes = pickle.load(self._file)
            yield from zip(keys, hashes, strict=True)
