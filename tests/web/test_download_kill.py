"""A background download whose server process is killed half-way ends failed, with no
file left, once a server starts again; started again, it succeeds.

The job is held half-way deterministically: the test holds an exclusive lock on
the ``patient`` table, which the export reads after it has claimed the job and
begun writing its file (the request and the claim never touch it).  The test
waits until the server's query is seen waiting for that lock, then SIGKILLs
the server.  PostgreSQL and MariaDB only: SQLite readers (WAL) never wait for
a lock, so nothing can hold an SQLite export half-way without a timing guess.
"""

from __future__ import annotations

import io
import secrets
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from copse.services.downloads import jobs
from tests.support.server import ServerProcess
from tests.web.conftest import PASSWORD, World, csrf_of

pytestmark = [pytest.mark.e2e, pytest.mark.server_db_only]


def wait_for(cond: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
    """Poll the database until ``cond`` holds: the wait ends on the event itself."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def server(world: World, tmp_path: Path, name: str) -> ServerProcess:
    s = ServerProcess(
        world.db.url,
        tmp_path / f"{name}.log",
        extra_env={
            "COPSE_SECRET_KEY": secrets.token_urlsafe(48),
            "COPSE_ALLOW_INSECURE_COOKIES": "1",
            "COPSE_DATA_DIR": str(tmp_path / "data"),
            "COPSE_DOWNLOAD_BACKGROUND_ROWS": "0",
            "COPSE_DOWNLOAD_POLL_SECONDS": "0.05",
        },
    )
    s.start()
    return s


def logged_in(s: ServerProcess) -> httpx.Client:
    c = httpx.Client(base_url=s.base_url, timeout=60)
    page = c.get("/login")
    r = c.post(
        "/login",
        data={
            "username": "root",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "/tasks",
        },
    )
    assert r.status_code == 303, r.text
    return c


def job(world: World, job_id: int) -> jobs.Job:
    with world.db.engine.connect() as conn:
        j = jobs.get(conn, job_id)
    assert j is not None
    return j


def lock_patient_table(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE patient IN ACCESS EXCLUSIVE MODE")
    else:
        conn.exec_driver_sql("LOCK TABLES patient WRITE")


def someone_waits_for_the_lock(world: World) -> bool:
    with world.db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            sql = (
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'patient'::regclass"
            )
        else:
            sql = (
                "SELECT count(*) FROM information_schema.PROCESSLIST "
                "WHERE DB = DATABASE() AND STATE LIKE :waiting"
            )
        return bool(conn.execute(sa.text(sql), {"waiting": "Waiting for table%"}).scalar())


def test_killed_job_fails_after_restart_and_runs_again(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "data" / "downloads"
    first = server(world, tmp_path, "first")
    locker = world.db.engine.connect()
    try:
        client = logged_in(first)
        token = csrf_of(client.get("/downloads/new").text)
        trans = locker.begin()
        lock_patient_table(locker)
        r = client.post("/downloads/new", data={"csrf_token": token, "format": "csv"})
        assert r.status_code == 303, r.text
        job_id = int(r.headers["location"].rsplit("=", 1)[1])
        wait_for(lambda: job(world, job_id).state == jobs.RUNNING, "the job to start")
        wait_for(lambda: someone_waits_for_the_lock(world), "the export to reach the lock")
        partial = jobs.partial_paths(folder, job_id)
        assert any(p.exists() for p in partial)  # a half-written file
        client.close()
        first.kill()
    finally:
        if locker.in_transaction():
            if locker.dialect.name != "postgresql":
                locker.exec_driver_sql("UNLOCK TABLES")
            trans.rollback()
        locker.close()
        first.stop()
    assert job(world, job_id).state == jobs.RUNNING  # nobody has noticed yet

    second = server(world, tmp_path, "second")
    try:
        # Start-up housekeeping: the owning process is gone.
        wait_for(lambda: job(world, job_id).state == jobs.FAILED, "the job to be marked failed")
        failed = job(world, job_id)
        assert failed.reason == jobs.INTERRUPTED
        assert list(folder.iterdir()) == []  # the half-written file is gone
        client = logged_in(second)
        page = client.get("/downloads")
        assert "Start again" in page.text
        r = client.post(f"/downloads/{job_id}/restart", data={"csrf_token": csrf_of(page.text)})
        assert r.status_code == 303
        wait_for(lambda: job(world, job_id).state == jobs.DONE, "the rerun to finish")
        got = client.get(f"/downloads/{job_id}/file")
        assert got.status_code == 200
        with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
            phq9 = zf.read("phq9.csv").decode("utf-8").strip().splitlines()
            assert len(phq9) == 3  # header and both groups' tasks (root is a superuser)
            assert "Alpha" in zf.read("patient.csv").decode("utf-8")
        client.close()
    finally:
        second.stop()
