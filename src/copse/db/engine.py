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

Every engine keeps up to :data:`QUERY_CACHE_SIZE` compiled statements.

MariaDB/MySQL: utf8mb4 and READ COMMITTED, which avoids the gap locks that
REPEATABLE READ takes on inserts.  PostgreSQL: psycopg 3.

Server backends: every connection is pinged when it is checked out of the
pool (``pool_pre_ping``), so one the server dropped (a restart, an idle
time-out) is replaced before a request uses it.  MariaDB/MySQL: a connection
is rolled back on its return only if it may still be in a transaction
(:func:`_reset_only_when_needed`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

#: Execution option of a connection whose transactions only read (web pages).
READ_ONLY = "copse_read_only"

#: Where a pooled connection's record keeps whether SQLAlchemy ended its last
#: transaction (MariaDB/MySQL).
_ENDED = "copse_transaction_ended"
#: The MySQL protocol's "in transaction" server status flag (SERVER_STATUS_IN_TRANS).
_SERVER_IN_TRANSACTION = 0x0001


#: Compiled statements an engine keeps (SQLAlchemy's default is 500).
#: perf: the upload engine's statements are per table (live rows, commit,
#: index entries...), about ten shapes a table; a tablet using every task
#: table made 1,688 cache entries with both upload methods (in-process,
#: SQLite).  Past the cache's size every statement is compiled again on each
#: use: with the default, a new tablet using ~100 task tables took 805-827 ms
#: for its first (stepwise) upload to a warm server instead of 453-462, and
#: 269-271 ms for its move instead of 166-178 (bench/NOTES.md, round
#: fourteen).  ~12 KB an entry.
QUERY_CACHE_SIZE = 3000


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


def make_engine(url: str, **kwargs: Any) -> Engine:
    u = normalise_url(url)
    kwargs.setdefault("query_cache_size", QUERY_CACHE_SIZE)
    backend = u.get_backend_name()
    if backend == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            u, connect_args={"timeout": 60, "check_same_thread": False}, **kwargs
        )
        _setup_sqlite(engine)
        return engine
    opts: dict[str, Any] = {"pool_pre_ping": True, "pool_recycle": 3600}
    mysql = backend in ("mysql", "mariadb")
    if mysql:
        opts["isolation_level"] = "READ COMMITTED"
        opts["pool_reset_on_return"] = None  # see _reset_only_when_needed
    opts.update(kwargs)
    engine = sa.create_engine(u, **opts)
    if mysql and opts["pool_reset_on_return"] is None:
        _reset_only_when_needed(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if is_read_only(conn):
            # Before the transaction's first statement (MariaDB: for the next one).
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


def _reset_only_when_needed(engine: Engine) -> None:
    """MariaDB/MySQL: roll a connection back on its return to the pool only if it may
    still be inside a transaction.

    perf: SQLAlchemy's reset-on-return rolls back every returned connection,
    including one whose transaction has just committed; PyMySQL then sends a
    ``ROLLBACK`` (a round trip on every request; psycopg and sqlite3 skip it
    themselves when no transaction is open).  Here the rollback is skipped
    only when, since the connection was checked out, SQLAlchemy committed or
    rolled back its last transaction, nothing has begun since, and the
    server's last status said no transaction was open.  (A connection taken
    with ``engine.raw_connection()`` is always rolled back; code that uses the
    DBAPI connection of a SQLAlchemy ``Connection`` must do so inside one of
    its transactions, as ``copse.db.bulk`` does.)
    """

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        record.info[_ENDED] = False  # a raw DBAPI user never says it ended anything

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.info[_ENDED] = False

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: sa.Connection) -> None:
        if not conn.invalidated:  # an invalidated one is discarded, not reset
            conn.info[_ENDED] = True

    @event.listens_for(engine, "reset")
    def _on_reset(dbapi_conn: Any, record: Any, state: Any) -> None:
        if state.transaction_was_reset:
            return  # SQLAlchemy rolled it back itself
        status = getattr(dbapi_conn, "server_status", None)
        in_transaction = status is None or bool(status & _SERVER_IN_TRANSACTION)
        if not record.info.get(_ENDED) or in_transaction:
            dbapi_conn.rollback()


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


def own_statement_cache(conn: sa.Connection) -> sa.Connection:
    """Give ``conn`` a new compiled-statement cache of its own (in place; returns ``conn``).

    For bulk work that goes table by table (an import, a full index rebuild),
    called at each table: the engine's shared cache (:data:`QUERY_CACHE_SIZE`)
    would keep every table's statements for the life of the process, and
    the memory they hold, spread among the rows' memory, stays with the
    process even once they are dropped (~17 MB at the import of 150 tables).
    """
    return conn.execution_options(compiled_cache={})


def backend_name(engine: Engine | sa.Connection) -> str:
    return engine.dialect.name
