"""``copse.db.inlist``: integer IN lists written as constants, on every backend."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from copse.db.inlist import int_list, ints_or_bound
from copse.schema.tables import groups
from tests.support.databases import Backend


def _add_groups(db: Backend, ids: list[int]) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.insert(groups), [{"id": i, "name": f"g{i}"} for i in ids])


def test_selects_exactly_the_listed_rows(db: Backend) -> None:
    _add_groups(db, [1, 2, 3, 5, 8, 13])
    with db.engine.connect() as conn:
        q = (
            sa.select(groups.c.id)
            .where(groups.c.id.in_(int_list([13, 2, 2, 4, 1])))
            .order_by(groups.c.id)
        )
        assert conn.execute(q).scalars().all() == [1, 2, 13]


def test_the_values_are_in_the_sql_text_not_bound(db: Backend) -> None:
    q = sa.select(groups.c.id).where(groups.c.id.in_(int_list([7, 3])))
    with db.engine.connect() as conn:
        seen: list[tuple[str, object]] = []

        def record(*args: object) -> None:
            seen.append((str(args[2]), args[3]))

        sa.event.listen(conn, "before_cursor_execute", record)
        conn.execute(q).all()
    [(statement, params)] = [(s, p) for s, p in seen if s.startswith("SELECT")]
    assert "3, 7" in statement
    assert not params


def test_two_lists_in_one_statement_keep_their_own_values(db: Backend) -> None:
    _add_groups(db, [1, 2, 3, 4])
    with db.engine.connect() as conn:
        q = sa.select(groups.c.id).where(
            groups.c.id.in_(int_list([1, 2, 3])), groups.c.id.in_(int_list([2, 3, 4]))
        )
        assert sorted(conn.execute(q).scalars()) == [2, 3]


def test_an_empty_list_matches_nothing(db: Backend) -> None:
    _add_groups(db, [1])
    with db.engine.connect() as conn:
        q = sa.select(groups.c.id).where(groups.c.id.in_(int_list([])))
        assert conn.execute(q).all() == []


def test_anything_but_an_integer_is_refused_before_it_reaches_sql() -> None:
    with pytest.raises(ValueError):
        int_list(["1) OR (1=1"])  # type: ignore[list-item]


def test_client_keys_that_are_not_all_integers_stay_bound(db: Backend) -> None:
    assert isinstance(ints_or_bound([1, 2]), sa.BindParameter)
    assert ints_or_bound([1, "2"]) == [1, "2"]
    assert ints_or_bound([1, True]) == [1, True]
