"""A connection with its own compiled-statement cache (bulk work, table by table)."""

from __future__ import annotations

import sqlalchemy as sa

from copse.db.engine import own_statement_cache
from copse.schema.tables import groups
from tests.support.databases import Backend


def test_own_statement_cache_keeps_statements_apart_and_starts_afresh(db: Backend) -> None:
    with db.engine.connect() as conn:
        own_statement_cache(conn)
        first = conn.get_execution_options()["compiled_cache"]
        conn.execute(sa.select(groups.c.id).where(groups.c.name == "x")).all()
        assert len(first) == 1
        own_statement_cache(conn)
        second = conn.get_execution_options()["compiled_cache"]
        assert second is not first and len(second) == 0
        conn.execute(sa.select(groups.c.id).where(groups.c.name == "y")).all()
        assert len(second) == 1 and len(first) == 1
