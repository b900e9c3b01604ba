"""``/health/live`` and ``/health/ready``, and ``copse db check``, on every backend.

A load balancer sends tablets only to instances that answer ready: the
database reachable and its schema at the revision this code expects, within
a time limit. ``copse db check`` is what an operator runs after restoring a
backup.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from copse.db import migrate
from tests.conftest import Cli
from tests.support.databases import Backend, create_backend, drop_backend
from tests.support.server import ServerProcess

from .conftest import ServerFactory

pytestmark = pytest.mark.e2e


def test_live_and_ready(server: ServerProcess, http: httpx.Client) -> None:
    live = http.get(f"{server.base_url}/health/live")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = http.get(f"{server.base_url}/health/ready")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["schema_revision"] == body["expected_revision"] == migrate.head_revision()


def test_not_ready_when_schema_is_behind(
    server: ServerProcess, http: httpx.Client, db: Backend
) -> None:
    head = migrate.head_revision()
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE _alembic_version SET version_num = '0002'"))
    try:
        ready = http.get(f"{server.base_url}/health/ready")
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "unavailable" and body["schema_revision"] == "0002"
        assert "copse db upgrade" in body["detail"]
        assert http.get(f"{server.base_url}/health/live").status_code == 200
    finally:
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE _alembic_version SET version_num = :h"), {"h": head})


@pytest.mark.server_db_only
def test_not_ready_when_the_database_is_gone(db: Backend, tmp_path: Path) -> None:
    own = create_backend(db.name, tmp_path / "own")
    s = ServerProcess(own.url, tmp_path / "server.log")
    s.start()
    try:
        with httpx.Client(timeout=30) as http:
            assert http.get(f"{s.base_url}/health/ready").status_code == 200
            drop_backend(own)
            ready = http.get(f"{s.base_url}/health/ready")
            assert ready.status_code == 503, ready.text
            body = ready.json()
            # PostgreSQL ends the connections to a dropped database; MariaDB keeps
            # them open with no tables behind them: either way, not ready.
            assert body["database"] == "unreachable" or body["schema_revision"] is None
            assert "password" not in ready.text and own.url not in ready.text
    finally:
        s.stop()


@pytest.mark.server_db_only
def test_not_ready_when_the_database_does_not_answer_in_time(
    db: Backend, ops_server: ServerFactory
) -> None:
    s = ops_server(COPSE_HEALTH_TIMEOUT_SECONDS="1")
    locked = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        with db.engine.connect() as conn:
            if db.name == "postgresql":
                conn.execute(sa.text("BEGIN"))
                conn.execute(sa.text("LOCK TABLE _alembic_version IN ACCESS EXCLUSIVE MODE"))
            else:
                conn.execute(sa.text("LOCK TABLES _alembic_version WRITE"))
            locked.set()
            release.wait(timeout=60)
            if db.name == "postgresql":
                conn.execute(sa.text("ROLLBACK"))
            else:
                conn.execute(sa.text("UNLOCK TABLES"))

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with httpx.Client(timeout=30) as http:
            ready = http.get(f"{s.base_url}/health/ready")
        assert ready.status_code == 503
        assert ready.json()["database"] == "timeout"
    finally:
        release.set()
        holder.join(timeout=60)
    with httpx.Client(timeout=30) as http:
        assert http.get(f"{s.base_url}/health/ready").status_code == 200


def test_db_check_clean_then_finds_problems(db: Backend, tmp_path: Path) -> None:
    # A database of its own: the test alters the schema, and a shared one could
    # carry another test's leftovers into the check.
    own = create_backend(db.name, tmp_path / "own")
    try:
        db_check_scenario(Cli(own), own)
    finally:
        drop_backend(own)


def db_check_scenario(cli: Any, db: Backend) -> None:
    out = cli("db", "check")
    assert "Database OK" in out
    with db.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE phq9 ADD COLUMN restored_junk INTEGER"))
    try:
        out = cli("db", "check", ok=False)
        assert "restored_junk" in out and "problem" in out
    finally:
        with db.engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE phq9 DROP COLUMN restored_junk"))
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE _alembic_version SET version_num = '0001'"))
    try:
        out = cli("db", "check", ok=False)
        assert "copse db upgrade" in out
    finally:
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE _alembic_version SET version_num = :h"),
                {"h": migrate.head_revision()},
            )
    assert "Database OK" in cli("db", "check")
