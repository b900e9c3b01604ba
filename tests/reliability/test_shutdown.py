"""Graceful shutdown: on SIGTERM in-flight requests finish, new ones are refused,
and the server exits within a bounded time (uvicorn's graceful timeout, 30 s in ``copse serve``)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.support import upload_checks as uc
from tests.support.databases import Backend
from tests.support.inflight import mysql_audit_waiter
from tests.support.server import ServerProcess
from tests.support.tablet import Tablet, nhs_number


def wait_for(cond: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``cond`` until it holds: each poll asks the database or the network, so the
    wait ends on the event itself, not after a guessed delay."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def server_is_writing(db: Backend) -> bool:
    """Another connection holds a write transaction on this test's database."""
    if db.name == "sqlite":
        path = db.engine.url.database
        assert path is not None
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return True
            raise
        else:
            probe.execute("ROLLBACK")
            return False
        finally:
            probe.close()
    if db.name == "mysql":
        return mysql_audit_waiter(db) is not None
    with db.engine.connect() as conn:
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        )
        return bool(conn.exec_driver_sql(sql).scalar())


def new_request_refused(url: str) -> Callable[[], bool]:
    def refused() -> bool:
        try:
            r = httpx.post(url, content=b"operation=check_device_registered", timeout=5)
        except httpx.TimeoutException:
            return False  # served but slow is not refused
        except httpx.HTTPError:
            return True
        return r.status_code >= 500 or r.headers.get("connection", "").lower() == "close"

    return refused


def test_sigterm_finishes_in_flight_upload_and_refuses_new(
    db: Backend, site: dict[str, str], tmp_path: Path
) -> None:
    server = ServerProcess(db.url, tmp_path / "server.log")
    server.start()
    lock_conn: Any = None
    try:
        tab = Tablet(server.api_url, site["user"], site["password"])
        tab.register()
        pid = tab.add_patient(nhs=nhs_number(5))
        for i in range(3000):
            tab.create("phq9", patient_id=pid, q1=i % 4, q2=1, q3=2)
        # Time a request's arrival: SIGTERM as soon as the one-step upload is on the wire.
        sent = threading.Event()

        def on_send(op: str, _fields: dict[str, str]) -> None:
            nonlocal lock_conn
            if op != "upload_entire_database":
                return
            if db.name == "mysql":
                # Hold the audit table (see tests.support.inflight): the upload then waits,
                # everything written and uncommitted, on its audit INSERT until released.
                lock_conn = db.engine.connect()
                lock_conn.exec_driver_sql("LOCK TABLES _security_audit WRITE")
            sent.set()

        tab.before_request.append(on_send)
        result: dict[str, Any] = {}
        th = threading.Thread(target=lambda: result.update(out=tab.upload("move", onestep=True)))
        th.start()
        assert sent.wait(60)
        # In flight for certain: the server is inside a write transaction for it (nothing
        # else writes to this database now).
        wait_for(lambda: server_is_writing(db), "the server to be writing the upload")
        assert server.proc is not None
        server.proc.terminate()
        t0 = time.monotonic()
        # New requests are refused (the listening socket closes) while the in-flight one
        # finishes.
        wait_for(new_request_refused(server.api_url), "new requests to be refused")
        if lock_conn is not None:
            lock_conn.exec_driver_sql("UNLOCK TABLES")
            lock_conn.close()
            lock_conn = None
        th.join(timeout=60)
        assert not th.is_alive()
        out = result["out"]
        assert out.ok, out.error  # the in-flight upload completed
        server.proc.wait(timeout=40)
        assert time.monotonic() - t0 < 40
        dev = uc.device_id(db.engine, tab.device)
        eras = uc.current_by_era(db.engine, dev, ("phq9",))
        assert "NOW" not in eras and sum(len(v.get("phq9", {})) for v in eras.values()) == 3000
        assert not any(tab.db.values())  # the tablet got its acknowledgement and wiped
        tab.http.close()
    finally:
        if lock_conn is not None:
            lock_conn.close()
        server.proc = server.proc if server.proc and server.proc.poll() is None else server.proc
        try:
            server.stop()
        except Exception:  # noqa: BLE001 -- already gone
            pass
