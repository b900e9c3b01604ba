"""``copse.db.probe``: which tables hold matching rows, on every backend."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from copse.db.engine import make_engine
from copse.db.probe import (
    PROBE_CHUNK,
    Binds,
    TableProbe,
    tables_holding_rows,
    tables_with_rows,
)
from copse.schema.tables import CLIENT_TABLES, CLIENT_TABLES_BY_NAME, groups
from tests.support.databases import Backend
from tests.web.factories import make_device, make_row

TABLES = [CLIENT_TABLES[n] for n in sorted(CLIENT_TABLES)]


def _device_in_era(t: sa.Table, bind: Binds) -> sa.ColumnElement[bool]:
    return sa.and_(
        t.c._device_id == bind("device_id", sa.Integer()),
        t.c._era == bind("era", sa.String()),
    )


@pytest.fixture
def devices(db: Backend) -> tuple[int, int, int]:
    """Three devices: one with rows in bmi (NOW) and phq9 (an old era), one with
    rows in gad7 only, one with none."""
    with db.engine.begin() as conn:
        group = conn.execute(sa.insert(groups).values(name="probe")).inserted_primary_key[0]
        a, b, c = (make_device(conn, f"probe-{x}") for x in "abc")
        make_row(conn, "bmi", device_id=a, group_id=group, id=1)
        make_row(conn, "phq9", device_id=a, group_id=group, id=1, era="2024-01-01T00:00:00Z")
        make_row(conn, "gad7", device_id=b, group_id=group, id=1)
    return a, b, c


def test_finds_exactly_the_tables_with_matching_rows(
    db: Backend, devices: tuple[int, int, int]
) -> None:
    a, b, c = devices
    probe = TableProbe(TABLES, _device_in_era)
    with db.engine.connect() as conn:
        assert tables_holding_rows(conn, TABLES) == {"bmi", "phq9", "gad7"}
        assert probe.run(conn, {"device_id": a, "era": "NOW"}) == {"bmi"}
        assert probe.run(conn, {"device_id": a, "era": "2024-01-01T00:00:00Z"}) == {"phq9"}
        assert probe.run(conn, {"device_id": b, "era": "NOW"}) == {"gad7"}
        assert probe.run(conn, {"device_id": c, "era": "NOW"}) == set()
        # Run often enough for psycopg to prepare it (5): still the right answers.
        for _ in range(8):
            assert probe.run(conn, {"device_id": a, "era": "NOW"}) == {"bmi"}
            assert probe.run(conn, {"device_id": c, "era": "NOW"}) == set()


def test_a_table_filled_later_in_the_same_transaction_is_seen(
    db: Backend, devices: tuple[int, int, int]
) -> None:
    a, _, _ = devices
    probe = TableProbe(TABLES, _device_in_era)
    with db.engine.begin() as conn:
        assert probe.run(conn, {"device_id": a, "era": "NOW"}) == {"bmi"}
        group = conn.execute(sa.select(groups.c.id)).scalar_one()
        make_row(conn, "ace3", device_id=a, group_id=group, id=5)
        assert probe.run(conn, {"device_id": a, "era": "NOW"}) == {"bmi", "ace3"}
        conn.rollback()


def test_tables_with_rows_and_a_plain_condition(db: Backend, devices: tuple[int, int, int]) -> None:
    a, b, _ = devices
    with db.engine.connect() as conn:
        assert tables_with_rows(conn, TABLES) == {"bmi", "phq9", "gad7"}
        assert tables_with_rows(conn, TABLES, lambda t: t.c._device_id == b) == {"gad7"}
        assert tables_with_rows(conn, TABLES, lambda t: t.c._device_id == a) == {"bmi", "phq9"}


def _statements_seen(conn: sa.Connection) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        seen.append((str(args[2]), args[3]))

    sa.event.listen(conn, "before_cursor_execute", record)
    return seen


def test_postgresql_probes_carry_no_parameters_and_are_prepared_at_once(
    db: Backend, devices: tuple[int, int, int]
) -> None:
    """PostgreSQL: the condition's values are constants in the SQL text (a generic
    plan for ``_device_id = $1`` may scan a whole table), and the which-tables-hold-rows
    statements are prepared at their first run. Elsewhere the values stay parameters."""
    a, _, _ = devices
    probe = TableProbe(TABLES, _device_in_era)
    with db.engine.connect() as conn:
        seen = _statements_seen(conn)
        assert probe.run(conn, {"device_id": a, "era": "NOW"}) == {"bmi"}
        step2 = [(s, p) for s, p in seen if "_device_id" in s]
        assert len(step2) == 1
        statement, params = step2[0]
        if db.name == "postgresql":
            assert f"_device_id = {a}" in statement and "'NOW'" in statement
            assert not params
            prepared = conn.exec_driver_sql(
                "SELECT statement, parameter_types FROM pg_prepared_statements"
            ).all()
            probes = [
                (s, types)
                for s, types in prepared
                if "EXISTS (SELECT 1 FROM bmi)" in " ".join(s.split())
            ]
            assert probes, prepared
            assert all(types == [] for _, types in probes)
        else:
            assert params and f"_device_id = {a}" not in statement


def test_preparing_turned_off_is_respected(db: Backend, devices: tuple[int, int, int]) -> None:
    """A PostgreSQL server behind a pooler in transaction mode turns psycopg's preparing
    off (``prepare_threshold=None``): the probes then prepare nothing either.  Other
    drivers have no such setting and are left alone."""
    a, _, _ = devices
    args = {"connect_args": {"prepare_threshold": None}} if db.name == "postgresql" else {}
    engine = make_engine(db.url, **args)
    try:
        with engine.connect() as conn:
            for _ in range(6):
                found = TableProbe(TABLES, _device_in_era).run(conn, {"device_id": a, "era": "NOW"})
                assert found == {"bmi"}
            dbapi = conn.connection.dbapi_connection
            if db.name == "postgresql":
                assert dbapi.prepare_threshold is None  # type: ignore[union-attr]
                prepared = conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements")
                assert prepared.scalar() == 0
            else:
                assert not hasattr(dbapi, "prepare_threshold")
    finally:
        engine.dispose()


def test_which_tables_hold_rows_is_one_statement_for_every_client_table(
    db: Backend, devices: tuple[int, int, int]
) -> None:
    """Step 1 over all ~150 client tables (four bit masks) is one round trip, and
    reads each mask's bits for its own tables (rows sit in tables of different masks)."""
    every = list(CLIENT_TABLES_BY_NAME)
    assert len(every) > 3 * PROBE_CHUNK
    with db.engine.connect() as conn:
        seen = _statements_seen(conn)
        assert tables_holding_rows(conn, every) == {"bmi", "phq9", "gad7"}
        assert tables_holding_rows(conn, []) == set()
    probes = [statement for statement, _ in seen if "EXISTS" in statement]
    assert len(probes) == 1 and probes[0].count("EXISTS") == len(every)
