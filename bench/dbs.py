"""Fresh databases for the benchmarks: created, migrated and dropped by the bench.

SQLite: a file in the run's work folder.  PostgreSQL / MariaDB: a database
``copse_bench_<random>`` on the server named by the URL (option or
``COPSE_BENCH_PG_URL`` / ``COPSE_BENCH_MYSQL_URL``), dropped afterwards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from copse.db import migrate
from copse.db.engine import make_engine, normalise_url
from copse.schema.tables import idnum_definitions

DEFAULT_URLS = {
    "postgresql": "postgresql://postgres@127.0.0.1:5432/postgres",
    "mysql": "mysql://root@127.0.0.1:3306/mysql",
}


@dataclass
class BenchDb:
    backend: str
    url: str
    engine: sa.Engine

    def dispose(self) -> None:
        self.engine.dispose()


def _admin_engine(backend: str, server_url: str) -> sa.Engine:
    u = normalise_url(server_url)
    u = u._replace(database="postgres" if backend == "postgresql" else None)
    return sa.create_engine(u, isolation_level="AUTOCOMMIT")


def available(backend: str, server_url: str) -> str | None:
    """None if the server answers, else why not."""
    if backend == "sqlite":
        return None
    try:
        eng = _admin_engine(backend, server_url)
        with eng.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        eng.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 -- reported, and the backend is skipped
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"


def create(backend: str, server_url: str, work_dir: Path) -> BenchDb:
    """A new, migrated database with ID number 1 = NHS number (validated)."""
    name = f"copse_bench_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        url = f"sqlite:///{work_dir / (name + '.sqlite')}"
    else:
        admin = _admin_engine(backend, server_url)
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            else:
                conn.exec_driver_sql(
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                )
        admin.dispose()
        url = normalise_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(idnum_definitions).values(
                which_idnum=1,
                description="NHS number",
                short_description="NHS#",
                validation_method="uk_nhs_number",
            )
        )
    return BenchDb(backend, url, engine)


def drop(db: BenchDb) -> None:
    db.engine.dispose()
    if db.backend == "sqlite":
        path = Path(make_url(db.url).database or "")
        for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
            p.unlink(missing_ok=True)
        return
    name = make_url(db.url).database
    admin = _admin_engine(db.backend, db.url)
    with admin.connect() as conn:
        if db.backend == "postgresql":
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    admin.dispose()
