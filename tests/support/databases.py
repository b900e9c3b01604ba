"""Test databases on each configured backend.

SQLite always; PostgreSQL and MariaDB/MySQL when ``COPSE_TEST_PG_URL`` /
``COPSE_TEST_MYSQL_URL`` name a server.  Each backend gets one freshly
created database per test run, migrated once; tests then start from empty
tables (``wipe``), which is far quicker than re-creating 168 tables.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from copse.db import migrate
from copse.db.engine import make_engine, normalise_url
from copse.db.probe import tables_with_rows
from copse.schema.tables import metadata


@dataclass
class Backend:
    name: str
    url: str
    engine: sa.Engine
    #: PostgreSQL: rows deleted by wipes per table since it was last vacuumed.
    _dead_rows: dict[str, int] = field(default_factory=dict)

    def wipe(self) -> None:
        """Delete every row of every table (children first).

        PostgreSQL too empties its tables with DELETE, then restarts their
        sequences, rather than ``TRUNCATE ... RESTART IDENTITY CASCADE``: a
        TRUNCATE gives each table and index a new file, and CASCADE takes in
        every table with a foreign key to one truncated (all ~150 client
        tables reference the device table), so a wipe cost ~0.5 s a test and
        left hundreds of thousands of new files for the next checkpoint to
        sync (each test's DROP DATABASE forces one: ~50 s under a full run).
        Tables left with many dead rows are vacuumed (the test server runs
        without autovacuum), so they do not grow along the run.
        """
        with self.engine.begin() as conn:
            sequences = _sequences_in_use(conn) if self.name == "postgresql" else []
            used = nonempty_tables(conn) | _with_sequences(sequences)
            deleted: dict[str, int] = {}
            for t in reversed(metadata.sorted_tables):
                if t.name in used:
                    deleted[t.name] = conn.execute(t.delete()).rowcount
            if self.name == "postgresql":
                for seq in sorted({seq for _, seq in sequences}):
                    conn.exec_driver_sql(f'ALTER SEQUENCE "{seq}" RESTART')
            if self.name == "sqlite":
                conn.exec_driver_sql("DELETE FROM sqlite_sequence") if _has_sqlite_sequence(
                    conn
                ) else None
        if self.name == "postgresql":
            self._dead_rows.update(
                {n: self._dead_rows.get(n, 0) + k for n, k in deleted.items() if k > 0}
            )
            bloated = sorted(n for n, k in self._dead_rows.items() if k >= _VACUUM_AFTER_ROWS)
            if bloated:
                with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.exec_driver_sql("VACUUM " + ", ".join(f'"{n}"' for n in bloated))
                for n in bloated:
                    del self._dead_rows[n]


#: Dead rows a PostgreSQL table may gather from wipes before it is vacuumed.
_VACUUM_AFTER_ROWS = 2000


def nonempty_tables(conn: sa.Connection) -> set[str]:
    """Names of the schema's tables that hold at least one row (3 queries, not 170)."""
    return tables_with_rows(conn, list(metadata.sorted_tables))


def _with_sequences(sequences: list[tuple[str, str]]) -> set[str]:
    """The schema's tables among those whose sequences have handed out a value.

    Emptying only the tables that hold rows, or whose sequences have moved,
    keeps a per-test wipe cheap: a test touches a handful of the ~170 tables.
    """
    known = {t.name for t in metadata.sorted_tables}
    return {table for table, _ in sequences if table in known}


_SEQUENCES_IN_USE = (
    "SELECT DISTINCT t.relname, s.relname FROM pg_sequences ps "
    "JOIN pg_class s ON s.relname = ps.sequencename AND s.relkind = 'S' "
    "JOIN pg_namespace n ON n.oid = s.relnamespace AND n.nspname = ps.schemaname "
    "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
    "JOIN pg_class t ON t.oid = d.refobjid "
    "WHERE ps.last_value IS NOT NULL AND ps.schemaname = current_schema()"
)


def _sequences_in_use(conn: sa.Connection) -> list[tuple[str, str]]:
    """PostgreSQL: (table, sequence) of every sequence that has handed out a value."""
    return [(str(t), str(s)) for t, s in conn.exec_driver_sql(_SEQUENCES_IN_USE)]


def _has_sqlite_sequence(conn: sa.Connection) -> bool:
    return bool(
        conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'").first()
    )


def configured_backends() -> list[str]:
    names = ["sqlite"]
    if os.environ.get("COPSE_TEST_PG_URL"):
        names.append("postgresql")
    if os.environ.get("COPSE_TEST_MYSQL_URL"):
        names.append("mysql")
    only = os.environ.get("COPSE_TEST_BACKENDS")
    if only:
        names = [n for n in names if n in only.split(",")]
    return names


def create_backend(name: str, tmp_dir: Path) -> Backend:
    suffix = uuid.uuid4().hex[:8]
    if name == "sqlite":
        url = f"sqlite:///{tmp_dir / f'copse-test-{suffix}.sqlite'}"
    else:
        base = os.environ["COPSE_TEST_PG_URL" if name == "postgresql" else "COPSE_TEST_MYSQL_URL"]
        server_url = normalise_url(base)
        dbname = f"{server_url.database or 'copse_test'}_{suffix}"
        maintenance = server_url._replace(database="postgres" if name == "postgresql" else None)
        admin = sa.create_engine(maintenance, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if name == "postgresql":
                conn.exec_driver_sql(f'CREATE DATABASE "{dbname}"')
            else:
                conn.exec_driver_sql(
                    f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                )
        admin.dispose()
        test_url = server_url.set(database=dbname)
        if name == "mysql" and not any(k.startswith("ssl") for k in test_url.query):
            # The test server offers no TLS; without this PyMySQL builds an SSL
            # context for every new connection (~20 ms of CPU) only to find that
            # out, and the suite's in-process CLI runs open thousands.
            test_url = test_url.update_query_dict({"ssl_disabled": "true"})
        url = test_url.render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    return Backend(name, url, engine)


def drop_backend(backend: Backend) -> None:
    backend.engine.dispose()
    if backend.name == "sqlite":
        return
    u = make_url(backend.url)
    dbname = u.database
    admin_db = "postgres" if backend.name == "postgresql" else None
    admin = sa.create_engine(u._replace(database=admin_db), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        q = (
            f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'
            if backend.name == "postgresql"
            else f"DROP DATABASE IF EXISTS `{dbname}`"
        )
        conn.exec_driver_sql(q)
    admin.dispose()
