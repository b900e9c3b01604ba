"""Index tables' secondary indexes built after a bulk fill (``copse.index.deferred_indexes``)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from copse.index import rebuild
from copse.index.deferred_indexes import TRANSACTIONAL_DDL, indexes_built_after
from copse.schema.health import schema_differences
from copse.schema.tables import task_index
from tests.index.conftest import IndexHarness, idnum_entries, task_entries
from tests.index.test_maintain import base_state


def _index_names(conn: sa.Connection) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(conn).get_indexes(task_index.name)}


def test_indexes_are_dropped_for_the_fill_and_made_again(h: IndexHarness) -> None:
    with h.engine.connect() as conn:
        before = _index_names(conn)
        with indexes_built_after(conn, [task_index]):
            during = _index_names(conn)
        after = _index_names(conn)
        conn.commit()
    assert len(before) >= 5
    if h.engine.dialect.name in TRANSACTIONAL_DDL:
        # Only what backs the unique constraint (reported by some backends) is left.
        assert during == before - {str(i.name) for i in task_index.indexes}
        assert not any(name.startswith("ix_") for name in during)
    else:  # MariaDB: DDL would commit the caller's transaction, so nothing is dropped
        assert during == before
    assert after == before
    assert schema_differences(h.engine) == []


class Boom(Exception):
    pass


def test_a_failed_fill_rolls_back_to_the_indexes(h: IndexHarness) -> None:
    with h.engine.connect() as conn:
        before = _index_names(conn)
    with pytest.raises(Boom), h.engine.begin() as conn:
        with indexes_built_after(conn, [task_index]):
            raise Boom
    with h.engine.connect() as conn:
        assert _index_names(conn) == before
    assert schema_differences(h.engine) == []


def test_the_checked_rebuild_leaves_the_schema_as_it_was(h: IndexHarness) -> None:
    h.onestep(base_state())
    with h.engine.connect() as conn:
        entries = (task_entries(conn), idnum_entries(conn))
    with h.engine.begin() as conn:
        assert rebuild.reindex_all_checked(conn, h.tick()).problems == []
    with h.engine.connect() as conn:
        assert (task_entries(conn), idnum_entries(conn)) == entries
    assert schema_differences(h.engine) == []
    h.assert_exact()
