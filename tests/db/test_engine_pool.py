"""Pooled connections: pinged when checked out; rolled back on return only if needed.

A connection the server has dropped (restart, idle time-out: here killed by
another session) is found by the ping and replaced before it is used.

A connection handed back inside a transaction is rolled back (its locks
released) on every backend; on MariaDB one whose transaction committed is
not rolled back again (a round trip per request).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from copse.db.engine import make_engine, normalise_url
from copse.schema.tables import groups
from tests.support.databases import Backend, configured_backends

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


def test_a_connection_the_server_dropped_is_replaced(server_url: str, admin: sa.Engine) -> None:
    engine = make_engine(server_url, pool_size=1, max_overflow=0)
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


def _lock_is_free(db: Backend, group_id: int) -> bool:
    """Whether another session can take the write lock at once (it is released)."""
    if db.name == "sqlite":
        path = sa.make_url(db.url).database
        assert path
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()
    try:
        with db.engine.connect() as conn, conn.begin():
            conn.execute(
                sa.select(groups.c.id).where(groups.c.id == group_id).with_for_update(nowait=True)
            ).all()
        return True
    except sa.exc.OperationalError:
        return False


def test_a_connection_handed_back_inside_a_transaction_is_rolled_back(db: Backend) -> None:
    with db.engine.begin() as conn:
        gid = int(conn.execute(sa.insert(groups).values(name="locked")).inserted_primary_key[0])
    engine = make_engine(db.url, pool_size=1, max_overflow=0)
    try:
        with engine.begin() as conn:  # a transaction that commits, first
            conn.execute(sa.select(groups.c.id)).all()
        raw = engine.raw_connection()  # then one that does not say when it ends
        cur = raw.cursor()
        if db.name == "sqlite":
            cur.execute("BEGIN IMMEDIATE")
            cur.execute("UPDATE _security_groups SET description = 'held' WHERE id = ?", (gid,))
        else:
            cur.execute(f"SELECT id FROM _security_groups WHERE id = {gid} FOR UPDATE")
            cur.fetchall()
        cur.close()
        assert not _lock_is_free(db, gid)
        raw.close()  # back to the pool
        assert _lock_is_free(db, gid)
    finally:
        engine.dispose()


def _rollbacks(conn: sa.Connection) -> int:
    row = conn.exec_driver_sql("SHOW SESSION STATUS LIKE 'Com_rollback'").one()
    return int(row[1])


@pytest.mark.parametrize("name", [n for n in SERVER_BACKENDS if n == "mysql"])
def test_mariadb_a_committed_connection_comes_back_without_a_rollback(name: str) -> None:
    engine = make_engine(_server_url(name), pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:  # SQLAlchemy rolls this one back itself on close
            before, session = _rollbacks(conn), _session_id(conn)
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT 1").all()
        with engine.connect() as conn:
            assert _session_id(conn) == session
            assert _rollbacks(conn) == before + 1  # the first one's, not the committed one's
    finally:
        engine.dispose()
