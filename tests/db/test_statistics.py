"""``copse.db.statistics.analyze``: the planner has statistics of a table afterwards."""

from __future__ import annotations

import sqlalchemy as sa

from copse.db.statistics import analyze
from copse.schema.tables import groups
from tests.support.databases import Backend

ROWS = 37


def _statistics(db: Backend) -> object:
    """What the backend's planner knows of ``groups`` (changes when it is analyzed)."""
    name = groups.name
    with db.engine.connect() as conn:
        if db.name == "postgresql":
            return conn.execute(
                sa.text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = :t"),
                {"t": name},
            ).scalar_one()
        if db.name == "mysql":
            return conn.execute(
                sa.text(
                    "SELECT n_rows FROM mysql.innodb_table_stats "
                    "WHERE database_name = DATABASE() AND table_name = :t"
                ),
                {"t": name},
            ).scalar()
        has_stat = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).first()
        if has_stat is None:
            return None
        return conn.execute(
            sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t ORDER BY idx"), {"t": name}
        ).all()


def test_analyze_gives_the_planner_statistics_of_the_table(db: Backend) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.insert(groups), [{"name": f"stats-{i}"} for i in range(ROWS)])
    before = _statistics(db)
    analyze(db.engine, [groups.name, groups.name])
    after = _statistics(db)
    if db.name == "postgresql":
        assert after == before + 1  # type: ignore[operator]  # analyzed once, though named twice
    elif db.name == "mysql":
        assert after == ROWS
    else:
        assert after, "sqlite_stat1 holds no statistics of the table"
        assert after != before
        assert all(str(s).split()[0] == str(ROWS) for (s,) in after)  # type: ignore[union-attr]


def test_analyze_of_nothing_does_nothing(db: Backend) -> None:
    before = _statistics(db)
    analyze(db.engine, [])
    assert _statistics(db) == before
