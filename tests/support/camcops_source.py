"""CamCOPS source databases for import tests, on the test MariaDB.

The fixture dump is loaded with the MariaDB command-line client, as its
README says (its first line is a client directive that only that client
understands).  The server is the test MariaDB of ``COPSE_TEST_MYSQL_URL``
(default: root on 127.0.0.1:3306); each database gets a unique name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from copse.db.engine import make_engine, normalise_url

FIXTURE_DIR = Path(os.environ.get("COPSE_CAMCOPS_FIXTURE", "/work/shared/fixtures/camcops-2.4.24"))
DUMP = FIXTURE_DIR / "camcops_fixture.sql"
DEFAULT_MYSQL_URL = "mysql://root@127.0.0.1:3306/copse_test"


def mysql_server_url() -> URL:
    return normalise_url(os.environ.get("COPSE_TEST_MYSQL_URL", DEFAULT_MYSQL_URL))


def create_mysql_db(prefix: str) -> str:
    """A new empty utf8mb4 database on the test MariaDB; returns its URL (plain mysql://)."""
    server = mysql_server_url()
    name = f"{server.database or 'copse_test'}_{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server._replace(database=None), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    admin.dispose()
    return server.set(drivername="mysql", database=name).render_as_string(hide_password=False)


def drop_mysql_db(url: str) -> None:
    u = make_url(url)
    admin = sa.create_engine(
        normalise_url(url)._replace(database=None), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{u.database}`")
    admin.dispose()


def load_dump(url: str, dump: Path) -> None:
    """Load a mariadb-dump file with the mariadb client (or mysql, without line 1)."""
    u = make_url(url)
    client = shutil.which("mariadb")
    args = [client or shutil.which("mysql") or "mysql"]
    args += ["-h", u.host or "127.0.0.1", "-P", str(u.port or 3306), "-u", u.username or "root"]
    env = dict(os.environ)
    if u.password:
        env["MYSQL_PWD"] = str(u.password)
    args.append(str(u.database))
    data = dump.read_bytes()
    if client is None:
        data = data.split(b"\n", 1)[1]
    subprocess.run(args, input=data, env=env, check=True, capture_output=True)


def load_empty_schema(url: str) -> None:
    """The fixture's CamCOPS schema (from its manifest) with no rows: a CamCOPS
    2.4.24 database as ``camcops_server upgrade_db`` leaves it, cheap to make."""
    schema = json.loads((FIXTURE_DIR / "MANIFEST.json").read_text("utf-8"))["schema"]
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for name, info in schema.items():
                cols = ", ".join(f"`{c}` {t}" for c, t in info["columns"].items())
                conn.exec_driver_sql(f"CREATE TABLE `{name}` ({cols})")
            conn.exec_driver_sql("INSERT INTO _alembic_version VALUES ('0087')")
    finally:
        engine.dispose()
