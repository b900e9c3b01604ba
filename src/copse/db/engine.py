"""Engines with per-dialect set-up, chosen only by the URL.

SQLite: WAL journal, foreign keys on, and ``BEGIN IMMEDIATE`` for every
writing transaction so that writers queue on SQLite's own lock instead of
failing half-way with "database is locked" (this is also how per-device
serialization works there).  A connection with the execution option
:data:`READ_ONLY` begins a plain deferred ``BEGIN`` with ``PRAGMA
query_only`` on: with WAL it reads a snapshot beside the one writer, never
waits for it, and any write in it fails loudly.  PostgreSQL and MariaDB
readers never wait for writers anyway (MVCC); ``SET TRANSACTION READ ONLY``
makes a write there fail loudly too.

MariaDB/MySQL: utf8mb4 and READ COMMITTED, which avoids the gap locks that
REPEATABLE READ takes on inserts.  PostgreSQL: psycopg 3.

Server backends: a pooled connection that has been idle for
:data:`PING_AFTER_IDLE_S` or more is pinged before it is handed out, and
replaced if the server has gone away meanwhile (restarted, idle time-out).
One handed back less than that ago (the next request of a tablet's
conversation, a busy server) is used without the ping: SQLAlchemy's
``pool_pre_ping`` would spend a round trip on every request.  If the server
went away within that second, the first statement fails, SQLAlchemy
invalidates the whole pool, and the next checkouts all get fresh connections.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

#: Execution option of a connection whose transactions only read (web pages).
READ_ONLY = "copse_read_only"

#: A pooled connection idle at least this long (seconds) is pinged before use.
PING_AFTER_IDLE_S = 1.0
#: Where a pooled connection's record keeps when it was last handed back.
_IDLE_SINCE = "copse_idle_since"


def is_read_only(conn: sa.Connection) -> bool:
    return bool(conn.get_execution_options().get(READ_ONLY, False))


def normalise_url(url: str) -> URL:
    """Pick the drivers copse ships with when the URL names only a dialect."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    elif u.drivername in ("mysql", "mariadb"):
        u = u.set(drivername=f"{u.drivername}+pymysql")
    if u.get_backend_name() in ("mysql", "mariadb") and "charset" not in u.query:
        u = u.update_query_dict({"charset": "utf8mb4"})
    return u


def make_engine(url: str, *, ping_after_idle_s: float = PING_AFTER_IDLE_S, **kwargs: Any) -> Engine:
    u = normalise_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            u, connect_args={"timeout": 60, "check_same_thread": False}, **kwargs
        )
        _setup_sqlite(engine)
        return engine
    opts: dict[str, Any] = {"pool_recycle": 3600}
    if backend in ("mysql", "mariadb"):
        opts["isolation_level"] = "READ COMMITTED"
    opts.update(kwargs)
    engine = sa.create_engine(u, **opts)
    _ping_when_idle(engine, ping_after_idle_s)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if is_read_only(conn):
            # Before the transaction's first statement (MariaDB: for the next one).
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Ping a pooled connection before use only if it has been idle ``idle_s`` or more."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < idle_s:
            return  # new (just connected), or handed back a moment ago
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_conn, None):
                # The pool discards this connection and checks out another.
                raise sa.exc.DisconnectionError(str(exc)) from exc
            raise


def _py_lower(value: str | None) -> str | None:
    return None if value is None else str(value).lower()


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (see below).
        dbapi_conn.isolation_level = None
        # Lower-casing as Python does (SQLite's lower() folds ASCII only), for the
        # task list's name order, which must equal the order Python computes.
        dbapi_conn.create_function("copse_lower", 1, _py_lower, deterministic=True)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if is_read_only(conn):
            conn.exec_driver_sql("PRAGMA query_only=1")
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("PRAGMA query_only=0")
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def backend_name(engine: Engine | sa.Connection) -> str:
    return engine.dialect.name
