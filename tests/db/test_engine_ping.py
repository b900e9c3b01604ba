"""Pooled connections on the server backends: pinged only after being idle.

A connection the server has dropped (restart, idle time-out: here killed by
another session) is found by the ping and replaced when it has been idle
long enough; one handed back a moment ago is used without a ping, so the
drop shows on its first statement, and the pool then starts afresh.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from copse.db.engine import make_engine, normalise_url
from tests.support.databases import configured_backends

SERVER_BACKENDS = [n for n in configured_backends() if n != "sqlite"]
#: How long a killed session may take to leave the server's session list.
GONE_WITHIN_S = 10.0


def _server_url(name: str) -> str:
    """The test server's maintenance database: no copse schema is needed here."""
    url = normalise_url(os.environ[f"COPSE_TEST_{'PG' if name == 'postgresql' else 'MYSQL'}_URL"])
    return url._replace(database="postgres" if name == "postgresql" else None).render_as_string(
        hide_password=False
    )


def _session_id(conn: sa.Connection) -> int:
    sql = (
        "SELECT pg_backend_pid()" if conn.dialect.name == "postgresql" else "SELECT CONNECTION_ID()"
    )
    return int(conn.exec_driver_sql(sql).scalar_one())


def _kill(admin: sa.Engine, session_id: int) -> None:
    """End another session from the server's side, and wait until it is gone."""
    pg = admin.dialect.name == "postgresql"
    with admin.connect() as conn:
        if pg:
            conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": session_id})
            alive = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p")
        else:
            conn.exec_driver_sql(f"KILL {int(session_id)}")
            alive = sa.text("SELECT count(*) FROM information_schema.processlist WHERE id = :p")
        deadline = time.monotonic() + GONE_WITHIN_S
        while conn.execute(alive, {"p": session_id}).scalar_one():
            assert time.monotonic() < deadline, f"session {session_id} still there"


@pytest.fixture(params=SERVER_BACKENDS)
def server_url(request: pytest.FixtureRequest) -> str:
    return _server_url(str(request.param))


@pytest.fixture
def admin(server_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def test_an_idle_connection_the_server_dropped_is_replaced(
    server_url: str, admin: sa.Engine
) -> None:
    engine = make_engine(server_url, ping_after_idle_s=0.0, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            first = _session_id(conn)
        _kill(admin, first)
        with engine.connect() as conn:  # pinged: the dead one is discarded
            second = _session_id(conn)
            assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_just_handed_back_is_not_pinged(server_url: str, admin: sa.Engine) -> None:
    engine = make_engine(server_url, ping_after_idle_s=3600.0, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            first = _session_id(conn)
        _kill(admin, first)
        with engine.connect() as conn:
            # No ping found the drop: the first statement does, and the pool is invalidated.
            with pytest.raises(sa.exc.DBAPIError) as caught:
                conn.exec_driver_sql("SELECT 1")
            assert caught.value.connection_invalidated
        with engine.connect() as conn:
            assert _session_id(conn) != first
    finally:
        engine.dispose()
