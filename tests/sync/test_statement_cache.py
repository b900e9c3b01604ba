"""A busy tablet's statements stay compiled (``copse.db.engine.QUERY_CACHE_SIZE``).

The upload engine builds its statements per table, so a tablet that uses
every table needs more compiled statements than SQLAlchemy keeps by default;
past that, every upload compiles them again.  Here a tablet with a row in
every client table uploads (stepwise) and moves (one-step) three times on a
fresh engine; by the third round every statement must come from the cache.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine.default import CACHE_MISS

from copse.db.engine import make_engine
from copse.schema.registry import TABLES
from tests.sync.conftest import Harness
from tests.sync.test_every_table import full_row

ROUNDS = 3


def _tablet(round_no: int) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """One row per table, its modification time new in each round (not a replay)."""
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    for t in TABLES:
        fields, values = full_row(t)
        values[fields.index("when_last_modified")] = f"2024-06-0{round_no + 1}T10:00:00.000+01:00"
        out[t] = (fields, [values])
    return out


def test_every_statement_of_a_tablet_using_every_table_stays_compiled(h: Harness) -> None:
    h.engine = make_engine(h.backend.url)  # a fresh statement cache
    compiled: list[list[str]] = []

    @event.listens_for(h.engine, "before_cursor_execute")
    def _seen(
        conn: sa.Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if context is not None and context.cache_hit == CACHE_MISS:
            compiled[-1].append(statement)

    try:
        for r in range(ROUNDS):
            compiled.append([])
            tablet = _tablet(r)
            h.stepwise(tablet)
            h.tick()
            h.onestep(tablet, finalizing=True)
            h.tick()
        # The first round compiles the tablet's statements (hundreds of them):
        # the check below would pass trivially if nothing were cached at all.
        assert len(compiled[0]) > 500
        assert compiled[-1] == []
    finally:
        h.engine.dispose()
