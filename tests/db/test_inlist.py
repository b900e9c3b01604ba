"""``copse.db.inlist``: integer IN lists written as constants, on every backend."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from copse.db.inlist import int_list, ints_or_bound
from copse.schema.tables import groups
from tests.support.databases import Backend


def _add_groups(db: Backend, n: int) -> list[int]:
    """``n`` groups with ids the database assigns (explicit ids would leave a
    PostgreSQL sequence behind, and a later insert on this database would collide)."""
    with db.engine.begin() as conn:
        conn.execute(sa.insert(groups), [{"name": f"inlist-{i}"} for i in range(n)])
        return sorted(conn.execute(sa.select(groups.c.id)).scalars())


def test_selects_exactly_the_listed_rows(db: Backend) -> None:
    ids = _add_groups(db, 6)
    wanted = [ids[5], ids[1], ids[1], max(ids) + 100, ids[0]]
    with db.engine.connect() as conn:
        q = sa.select(groups.c.id).where(groups.c.id.in_(int_list(wanted))).order_by(groups.c.id)
        assert conn.execute(q).scalars().all() == [ids[0], ids[1], ids[5]]


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
    a, b, c, d = _add_groups(db, 4)
    with db.engine.connect() as conn:
        q = sa.select(groups.c.id).where(
            groups.c.id.in_(int_list([a, b, c])), groups.c.id.in_(int_list([b, c, d]))
        )
        assert sorted(conn.execute(q).scalars()) == [b, c]


def test_an_empty_list_matches_nothing(db: Backend) -> None:
    _add_groups(db, 1)
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
