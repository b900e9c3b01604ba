"""The README's backup and restore recipe, run for real on each backend.

A tablet uploads while the server runs; the backup is taken with the exact
tool and options the README gives (``sqlite3 .backup``, ``pg_dump
--format=custom`` / ``pg_restore --no-owner``, ``mariadb-dump
--single-transaction --routines --hex-blob`` / ``mariadb``), restored into a
fresh database, and then ``copse db check`` must call it clean and every
table must hold exactly what the original holds (BLOBs, times and all).
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import IO

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from copse.db.engine import make_engine
from tests.conftest import Cli
from tests.support.databases import Backend, drop_backend
from tests.support.server import ServerProcess
from tests.support.snapshot import diff, snapshot
from tests.support.tablet import Tablet, nhs_number

pytestmark = pytest.mark.e2e


def _libpq(u: URL, database: str) -> str:
    """A plain ``postgresql://`` URI that the PostgreSQL tools understand."""
    port = f":{u.port}" if u.port else ""
    return f"postgresql://{u.username or 'postgres'}@{u.host or '127.0.0.1'}{port}/{database}"


def _mariadb_args(u: URL) -> list[str]:
    args = ["-h", u.host or "127.0.0.1", "-P", str(u.port or 3306), "-u", u.username or "root"]
    if u.password:
        args.append(f"-p{u.password}")
    return args


def _run(cmd: list[str], stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> None:
    done = subprocess.run(
        cmd,
        stdin=stdin,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{cmd[0]} failed: {done.stderr}"


def backup_and_restore(db: Backend, work: Path) -> Backend:
    """Back ``db`` up as the README says and restore it into a new database."""
    u = make_url(db.url)
    if db.name == "sqlite":
        copy = work / "copse-backup.sqlite"
        _run(["sqlite3", str(u.database), f".backup '{copy}'"])
        url = f"sqlite:///{copy}"
    elif db.name == "postgresql":
        dump = work / "copse.dump"
        restored = f"{u.database}_restored_{uuid.uuid4().hex[:6]}"
        _run(["pg_dump", "--format=custom", f"--file={dump}", _libpq(u, str(u.database))])
        _run(["createdb", "--maintenance-db", _libpq(u, "postgres"), restored])
        _run(["pg_restore", "--no-owner", f"--dbname={_libpq(u, restored)}", str(dump)])
        url = u.set(database=restored).render_as_string(hide_password=False)
    else:
        dump = work / "copse.sql"
        restored = f"{u.database}_restored_{uuid.uuid4().hex[:6]}"
        with dump.open("w") as out:
            _run(
                [
                    "mariadb-dump",
                    *_mariadb_args(u),
                    "--single-transaction",
                    "--routines",
                    "--hex-blob",
                    str(u.database),
                ],
                stdout=out,
            )
        create = f"CREATE DATABASE `{restored}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        _run(["mariadb", *_mariadb_args(u), "-e", create])
        with dump.open() as source:
            _run(["mariadb", *_mariadb_args(u), restored], stdin=source)
        url = u.set(database=restored).render_as_string(hide_password=False)
    return Backend(db.name, url, make_engine(url))


def test_backup_taken_while_serving_restores_clean(
    server: ServerProcess, db: Backend, site: dict[str, str], tmp_path: Path
) -> None:
    tab = Tablet(
        server.api_url,
        site["user"],
        site["password"],
        tables=("patient", "patient_idnum", "phq9", "photo", "blobs"),
    )
    try:
        tab.register()
        pid = tab.add_patient(nhs=nhs_number(11))
        for i in range(4):
            tab.create("phq9", patient_id=pid, q1=i % 4, q9=1)
        photo = tab.create("photo", patient_id=pid, description="wound")
        tab.add_blob("photo", photo, "photo_blobid", bytes(range(256)) * 40)
        assert tab.upload("copy", onestep=True).ok
    finally:
        tab.http.close()
    restored = backup_and_restore(db, tmp_path)
    try:
        assert "Database OK" in Cli(restored)("db", "check")
        original = snapshot(db.engine, include_bookkeeping=True)
        copy = snapshot(restored.engine, include_bookkeeping=True)
        assert diff(original, copy) == []
        with restored.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM phq9")).scalar_one() == 4
    finally:
        drop_backend(restored)
