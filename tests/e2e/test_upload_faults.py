"""Crash faults: the server process SIGKILLed during and between uploads.

Each test runs its own second ``ServerProcess`` on the same database, so the
session-wide server is never killed.

How "in the middle of a one-step upload" is made deterministic (no sleeps
covering races): the test sends a large one-step upload (thousands of rows
and a multi-megabyte BLOB) from a thread and polls the *database* for proof
that the server is inside the upload's transaction and has not committed it:

* PostgreSQL: another backend holds ``RowExclusiveLock`` on one of our client
  tables (taken by its first INSERT/UPDATE, held until commit or abort);
* MariaDB/MySQL: the test holds ``LOCK TABLES _security_audit WRITE`` while
  the request runs, so the server's transaction, having written every client
  table, waits on its audit INSERT (its last write before COMMIT); the test
  sees that connection waiting with thousands of uncommitted row changes;
* SQLite: after the one-step request was sent, the write lock is held
  (``BEGIN IMMEDIATE`` with no wait fails) and megabytes of uncommitted pages
  have spilled into the WAL (emptied before the request): only the upload
  transaction, with its 4 MB BLOB, does that.

Then the server is frozen with SIGSTOP, the proof is re-checked while it
cannot make progress (still uncommitted: no upload audit, client tables as
before, lock still held, and on PostgreSQL/MySQL the backend is not running
COMMIT), and only then SIGKILLed.  After the database has noticed (the
server's backend/transaction is gone), every non-bookkeeping table must equal
its snapshot from before the request.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import upload_checks as uc
from tests.support.databases import Backend
from tests.support.inflight import mysql_audit_waiter
from tests.support.server import ServerProcess
from tests.support.tablet import Tablet, nhs_number
from tests.support.upload_fixtures import (
    TabletFactory,
    assert_now_matches_tablet,
    checked_upload,
)

CLIENT_TABLE_NAMES = ("patient", "patient_idnum", "blobs", "phq9", "progressnote")


@pytest.fixture
def second_server(db: Backend, tmp_path: Path) -> Any:
    s = ServerProcess(db.url, tmp_path / "victim.log")
    s.start()
    yield s
    if s.proc is not None and s.proc.poll() is None:
        os.kill(s.proc.pid, signal.SIGCONT)
    s.stop()


def wait_for(cond: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll for an event (not a sleep covering a race): fail clearly if it never comes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def read_scalar(db: Backend, sql: str) -> Any:
    """A plain read that never waits for the server's write lock.

    The test engine begins every SQLite transaction with BEGIN IMMEDIATE (as
    the server does), which would queue behind the very transaction we are
    watching; a raw autocommit sqlite3 connection reads the last committed
    state instead (WAL).
    """
    if db.name == "sqlite":
        con = sqlite3.connect(sa.engine.make_url(db.url).database, timeout=0, isolation_level=None)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    with db.engine.connect() as c:
        return c.execute(sa.text(sql)).scalar()


def upload_audit_count(db: Backend) -> int:
    return int(
        read_scalar(
            db, "SELECT COUNT(*) FROM _security_audit WHERE details LIKE 'Upload from device%'"
        )
    )


def client_rows_count(db: Backend) -> int:
    return sum(int(read_scalar(db, f"SELECT COUNT(*) FROM {t}")) for t in CLIENT_TABLE_NAMES)


def sqlite_write_locked(db: Backend) -> bool:
    path = sa.engine.make_url(db.url).database
    con = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
        raise
    finally:
        con.close()


def sqlite_truncate_wal(db: Backend) -> None:
    """Checkpoint and empty the WAL, so that its growth shows new uncommitted writes."""
    con = sqlite3.connect(sa.engine.make_url(db.url).database, timeout=10, isolation_level=None)
    try:
        busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "could not empty the WAL (a writer or reader is active)"
    finally:
        con.close()


def sqlite_wal_bytes(db: Backend) -> int:
    try:
        return os.path.getsize(sa.engine.make_url(db.url).database + "-wal")
    except FileNotFoundError:
        return 0


def server_txn(db: Backend) -> dict[str, Any] | None:
    """The server's open, uncommitted upload transaction (PostgreSQL), if any."""
    with db.engine.connect() as c:
        r = c.execute(
            sa.text(
                "SELECT a.pid, a.state, a.query FROM pg_locks l "
                "JOIN pg_class k ON k.oid = l.relation "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.mode = 'RowExclusiveLock' AND l.granted AND k.relname = ANY(:names) "
                "AND l.pid <> pg_backend_pid() LIMIT 1"
            ),
            {"names": list(CLIENT_TABLE_NAMES)},
        ).first()
        return None if r is None else {"id": r[0], "state": r[1], "query": r[2] or ""}


def mysql_rows_modified(db: Backend, conn_id: int) -> int:
    """How many rows the connection's open InnoDB transaction has changed (read once)."""
    with db.engine.connect() as c:
        n = c.execute(
            sa.text(
                "SELECT trx_rows_modified FROM information_schema.innodb_trx "
                "WHERE trx_mysql_thread_id = :i"
            ),
            {"i": conn_id},
        ).scalar()
        return int(n or 0)


def mysql_connection_alive(db: Backend, conn_id: int) -> bool:
    with db.engine.connect() as c:
        return (
            c.execute(
                sa.text("SELECT COUNT(*) FROM information_schema.processlist WHERE id = :i"),
                {"i": conn_id},
            ).scalar()
            == 1
        )


def big_change(tab: Tablet, pid: int) -> None:
    """Enough work that the upload transaction runs for a while: many rows, a big BLOB."""
    for i in range(4000):
        tab.create("phq9", patient_id=pid, q1=i % 4, q2=i % 3)
    note = tab.create("progressnote", patient_id=pid, note="big")
    tab.add_blob("progressnote", note, "note", os.urandom(4 * 1024 * 1024))
    tab.edit("patient", pid, forename="EDITED")


def test_sigkill_in_the_middle_of_onestep_upload(
    db: Backend,
    server: ServerProcess,
    uploader: TabletFactory,  # noqa: F811
    second_server: ServerProcess,
) -> None:
    tab = uploader()
    pid = tab.add_patient(nhs=nhs_number(11))
    for _ in range(3):
        tab.create("phq9", patient_id=pid, q1=1)
    assert tab.upload("copy", onestep=True).ok
    big_change(tab, pid)
    tab.api_url = second_server.api_url
    before = uc.full_snapshot(db.engine)
    audits_before = uc.upload_audits(db.engine)
    rows_before = client_rows_count(db)
    local_before = tab.snapshot()

    sent = threading.Event()
    lock_conn: Any = None
    if db.name == "sqlite":
        sqlite_truncate_wal(db)

    def on_send(op: str, _fields: dict[str, str]) -> None:
        nonlocal lock_conn
        if op != "upload_entire_database":
            return
        tab.before_request.remove(on_send)  # once: the retry after the crash must run freely
        if db.name == "mysql":
            # Take the audit table just before the one-step request is sent
            # (earlier requests write audit entries too): the server's
            # transaction, once it has written every client table, waits on
            # its audit INSERT (its last write before COMMIT) until killed.
            lock_conn = db.engine.connect()
            lock_conn.exec_driver_sql("LOCK TABLES _security_audit WRITE")
        sent.set()

    tab.before_request.append(on_send)
    result: list[Any] = []
    th = threading.Thread(target=lambda: result.append(_upload_catching(tab)), daemon=True)

    def unlock() -> None:
        nonlocal lock_conn
        if lock_conn is not None:
            lock_conn.exec_driver_sql("UNLOCK TABLES")
            lock_conn.close()
            lock_conn = None

    def in_upload_txn() -> bool:
        if not sent.is_set():
            return False
        if db.name == "sqlite":
            # Megabytes of uncommitted pages spilled to the WAL (the BLOB) and
            # the write lock held: only the upload transaction does that.
            return sqlite_wal_bytes(db) > 2 * 1024 * 1024 and sqlite_write_locked(db)
        if db.name == "postgresql":
            return server_txn(db) is not None
        return mysql_audit_waiter(db) is not None

    assert second_server.proc is not None
    victim = second_server.proc.pid
    th.start()
    try:
        try:
            wait_for(in_upload_txn, "the server to be inside the upload transaction")
        except AssertionError:
            unlock()
            th.join(timeout=60)
            raise AssertionError(
                f"never saw the upload transaction; upload result: {result}"
            ) from None
        os.kill(victim, signal.SIGSTOP)
        # Re-check while frozen: still inside, still uncommitted.
        assert client_rows_count(db) == rows_before
        if db.name == "sqlite":
            assert upload_audit_count(db) == len(audits_before), (
                "upload committed before we could freeze the server"
            )
            assert sqlite_write_locked(db)
        elif db.name == "postgresql":
            assert upload_audit_count(db) == len(audits_before), (
                "upload committed before we could freeze the server"
            )
            txn = server_txn(db)
            assert txn is not None and txn["query"].strip().upper() != "COMMIT", txn
            txn_id = txn["id"]
        else:
            # The audit table is ours while locked: count through our own lock.
            n = lock_conn.execute(
                sa.text("SELECT COUNT(*) FROM _security_audit WHERE details LIKE :p"),
                {"p": "Upload from device%"},
            ).scalar()
            assert n == len(audits_before), "upload committed before we could freeze the server"
            # Proof that the waiting connection is the upload transaction with
            # its writes made and uncommitted: thousands of changed rows.
            waiter = mysql_audit_waiter(db)
            assert waiter is not None
            assert mysql_rows_modified(db, waiter) > 4000
            txn_id = waiter
        second_server.kill()  # SIGKILL (works on a stopped process)
    finally:
        # MariaDB notices the dead client only once its thread runs again.
        unlock()
        if second_server.proc is not None:
            os.kill(victim, signal.SIGCONT)
    th.join(timeout=60)
    assert result and isinstance(result[0], BaseException), (
        f"the killed request cannot have succeeded: {result}"
    )
    if db.name == "postgresql":
        wait_for(
            # One look per poll: the transaction may end between two calls.
            lambda: (live := server_txn(db)) is None or live["id"] != txn_id,
            "the database to abort the dead server's transaction",
        )
    elif db.name == "mysql":
        wait_for(
            lambda: not mysql_connection_alive(db, txn_id),
            "the database to drop the dead server's connection (and roll back its transaction)",
        )
    assert uc.snapshot_diff(before, uc.full_snapshot(db.engine)) == []
    assert uc.upload_audits(db.engine) == audits_before
    assert tab.snapshot() == local_before, "a failed upload wipes nothing on the tablet"
    # The next upload (on the surviving server) is complete and correct.
    tab.api_url = server.api_url
    c = checked_upload(db, tab, "copy", True)
    assert c.counts["phq9"] == {"added": 4000} and c.counts["patient"] == {
        "added": 1,
        "modified out": 1,
    }
    assert_now_matches_tablet(db, tab)


def _upload_catching(tab: Tablet) -> Any:
    try:
        return tab.upload("move", onestep=True)
    except BaseException as exc:  # noqa: BLE001 -- a dropped connection is the expected outcome
        return exc


@pytest.mark.parametrize("then_onestep", [False, True], ids=["then-stepwise", "then-onestep"])
@pytest.mark.parametrize("abandon_after", ["upload_table:progressnote", "upload_record"])
def test_sigkill_between_stepwise_requests(
    db: Backend,
    server: ServerProcess,
    uploader: TabletFactory,  # noqa: F811
    second_server: ServerProcess,
    then_onestep: bool,
    abandon_after: str,
) -> None:
    tab = uploader()
    pid = tab.add_patient(nhs=nhs_number(12))
    notes = [tab.create("progressnote", patient_id=pid, note=f"n{i}") for i in range(3)]
    b = tab.add_blob("progressnote", notes[0], "note", b"one")
    assert tab.upload("copy", onestep=False).ok
    tab.api_url = second_server.api_url
    tab.edit("progressnote", notes[1], note="changed")
    tab.create("progressnote", patient_id=pid, note="new")  # before the delete: no client-PK reuse
    tab.delete("progressnote", notes[2])
    tab.replace_blob(b, b"two")  # also touches its source, notes[0]
    out = tab.upload("move", onestep=False, abandon_after=abandon_after)
    assert out.abandoned, out
    dev = uc.device_id(db.engine, tab.device)
    pending = [
        r
        for t in ("progressnote", "blobs")
        for r in uc.rows(db.engine, t, device=dev)
        if r["_addition_pending"] or r["_removal_pending"]
    ]
    assert pending, "the abandoned batch left pending rows (the premise of this test)"
    second_server.kill()
    tab.api_url = server.api_url
    c = checked_upload(db, tab, "copy", then_onestep)
    assert c.counts["progressnote"] == {"added": 3, "modified out": 2, "deleted": 1}
    assert c.counts["blobs"] == {"added": 1, "modified out": 1}
    assert_now_matches_tablet(db, tab)
    assert uc.device_row(db.engine, dev)["ongoing_upload_batch_utc"] is None
