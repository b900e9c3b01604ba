"""Secondary indexes built after a bulk fill instead of entry by entry.

perf: a table's B-trees are kept up to date row by row as rows arrive; the
task index's entries arrive in random order of patient, date and group, so
each of its secondary B-trees pays a page visit (and, once the index outgrows
the cache, a read) per entry.  Building an index over rows already there
sorts once.  Measured with the rest of that rebuild's changes on a million
entries (PostgreSQL, the rebuild alone on fresh copies of one imported
database): bench/NOTES.md, issue 19, "2026-12-05, evening".

Only where DDL is transactional (PostgreSQL, SQLite): the drop and the
re-creation are part of the caller's transaction, so no reader ever sees the
table without its indexes (on PostgreSQL a reader of the table waits for the
commit instead of reading the old rows; hence this is for bulk operations
such as an import, not for a rebuild under a live server).  MariaDB commits
at every DDL statement, which would split the caller's transaction, so there
the indexes stay and are kept up to date as usual.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from copse.schema.only_on import exists_on

#: Backends whose DDL statements belong to the surrounding transaction.
TRANSACTIONAL_DDL = ("postgresql", "sqlite")


@contextmanager
def indexes_built_after(conn: sa.Connection, tables: Sequence[sa.Table]) -> Iterator[None]:
    """Drop the tables' secondary indexes, run the block, then create them again.

    Primary keys and unique constraints stay (a bulk fill may look rows up by
    them).  If the block raises, the indexes are not re-created: the caller's
    transaction must be rolled back, which brings them back.
    """
    dialect = conn.dialect.name
    if dialect not in TRANSACTIONAL_DDL:
        yield
        return
    dropped = [
        index
        for table in tables
        for index in sorted(table.indexes, key=lambda i: str(i.name))
        if exists_on(index, dialect)
    ]
    for index in dropped:
        index.drop(conn)
    yield
    for index in dropped:
        index.create(conn)
