"""Tables are streamed in chunks of about ``CHUNK_BYTES``, not a fixed number of rows.

Several chunks are in memory at once (read ahead on both sides of a
verification), so a table of wide rows read 2,000 rows at a time held
hundreds of MB (a clerking note is ~17 KB a row).  Run on every backend: the
same function streams CamCOPS's rows and copse's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from copse.services.camcops_import.plan import TablePlan
from copse.services.camcops_import.source import (
    CHUNK_BYTES,
    FIRST_CHUNK_ROWS,
    STREAM_ROWS,
    VALUE_OVERHEAD,
    chunk_rows,
    row_bytes,
    stream_chunks,
)
from tests.support.databases import Backend

meta = sa.MetaData()
notes = sa.Table(
    "test_chunk_notes",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("note", sa.Text),
    sa.Column("n", sa.Integer),
)
PLAN = TablePlan(table=notes, source_columns=("id", "note", "n"), key=("id",), is_client=False)


@pytest.fixture
def table(db: Backend) -> Iterator[sa.Engine]:
    meta.drop_all(db.engine)
    meta.create_all(db.engine)
    try:
        yield db.engine
    finally:
        meta.drop_all(db.engine)


def _fill(engine: sa.Engine, rows: int, width: int) -> list[tuple[int, str, int]]:
    # Rows inserted in a shuffled order: the stream must give them in key order.
    want = [(i, f"{i:08d}" + "x" * width, i % 7) for i in range(1, rows + 1)]
    with engine.begin() as conn:
        conn.execute(
            notes.insert(),
            [{"id": i, "note": t, "n": n} for i, t, n in want[1::2] + want[::2]],
        )
    return want


def _estimate(chunk: list[tuple[object, ...]]) -> float:
    return sum(row_bytes(r) + VALUE_OVERHEAD * len(r) for r in chunk)


def test_wide_rows_come_in_chunks_of_about_chunk_bytes(table: sa.Engine) -> None:
    want = _fill(table, 700, 20_000)  # ~14 MB of text
    with table.connect() as conn:
        chunks = list(stream_chunks(conn, PLAN, PLAN.source_columns, source=False))
    assert [r for c in chunks for r in c] == want
    assert len(chunks[0]) == FIRST_CHUNK_ROWS
    per_chunk = chunk_rows(chunks[0])
    assert FIRST_CHUNK_ROWS <= per_chunk < 300
    assert all(len(c) == per_chunk for c in chunks[1:-1])
    assert max(_estimate(c) for c in chunks) <= CHUNK_BYTES
    assert len(chunks) >= 4


def test_narrow_rows_come_in_chunks_of_stream_rows(table: sa.Engine) -> None:
    want = _fill(table, 4_500, 10)
    with table.connect() as conn:
        chunks = list(stream_chunks(conn, PLAN, PLAN.source_columns, source=False))
    assert [r for c in chunks for r in c] == want
    assert [len(c) for c in chunks] == [FIRST_CHUNK_ROWS, STREAM_ROWS, STREAM_ROWS, 400]


def test_chunk_rows_bounds() -> None:
    assert chunk_rows([]) == STREAM_ROWS
    assert chunk_rows([(1, "x")]) == STREAM_ROWS
    assert chunk_rows([(1, "x" * (CHUNK_BYTES // 10))]) == FIRST_CHUNK_ROWS
    huge = [(1, b"y" * CHUNK_BYTES)]
    assert chunk_rows(huge) == FIRST_CHUNK_ROWS
