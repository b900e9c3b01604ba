"""A real ``copse import-camcops`` process killed mid-copy, then resumed.

The import commits batch by batch.  The test waits (polling copse's
``_import_state``) until batches are committed, then takes a lock that the
importer needs for its next commit, so the importer is stopped mid-copy
whatever the machine's speed; it checks under that lock that the import is
not complete, SIGKILLs the process, releases the lock, and runs the import
again: it must continue after the last committed batch (inserting exactly
the rows not yet committed), and verify clean.  Meanwhile ``copse serve``
refuses to start.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlalchemy.engine import make_url

from copse.cli import cli
from copse.schema.tables import import_state
from tests.support.databases import Backend

SRC = Path(__file__).resolve().parents[2] / "src"


def run(db: Backend, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db-url", db.url, *args])


def committed(db: Backend) -> int:
    """Rows the import has committed so far, by its own record."""
    t = import_state
    with db.engine.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(t.c.rows_written), 0)).where(
                t.c.table_name != "*"
            )
        ).scalar_one()
    return int(n)


@contextmanager
def commits_blocked(db: Backend) -> Iterator[Any]:
    """Hold a lock that stops the importer's next commit; yields a way to read state."""
    if db.name == "sqlite":
        raw = sqlite3.connect(str(make_url(db.url).database), timeout=60, isolation_level=None)
        try:
            raw.execute("BEGIN IMMEDIATE")  # the one write lock: no other commit can happen
            yield lambda q: raw.execute(q).fetchall()
        finally:
            raw.execute("ROLLBACK")
            raw.close()
        return
    with db.engine.connect() as conn:
        if db.name == "postgresql":
            conn.exec_driver_sql("LOCK TABLE _import_state IN ACCESS EXCLUSIVE MODE")
        else:
            conn.exec_driver_sql("LOCK TABLES _import_state WRITE")
        try:
            yield lambda q: conn.exec_driver_sql(q).all()
        finally:
            if db.name == "postgresql":
                conn.rollback()
            else:
                conn.exec_driver_sql("UNLOCK TABLES")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def import_in_progress(db: Backend, source: str) -> subprocess.Popen[bytes]:
    """A real ``copse import-camcops`` process (a row per batch), once it has
    committed a few batches (polled, no sleep)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "copse", "--db-url", db.url, "import-camcops"]
        + ["--batch-rows", "1", source],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, PYTHONPATH=str(SRC)),
    )
    try:
        while committed(db) < 5:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else b""
                raise AssertionError(f"the import ended early: {out.decode()}")
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc


def test_killed_import_resumes_without_duplicates(db: Backend, camcops_source: str) -> None:
    proc = import_in_progress(db, camcops_source)
    try:
        with commits_blocked(db) as query:
            phase = query("SELECT phase FROM _import_state WHERE table_name = '*'")
            assert phase == [("copying",)]
            proc.kill()
            proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
    done = committed(db)
    assert done >= 5

    # Half an import is never served to tablets.
    r = run(db, "serve", "--port", str(free_port()), "--no-migrate")
    assert r.exit_code == 1
    assert "copse will not serve: an import of the CamCOPS database" in r.output

    r = run(db, "import-camcops", camcops_source)
    assert r.exit_code == 0, r.output
    total = int(re.search(r"CamCOPS holds (\d+) rows", r.output).group(1))  # type: ignore[union-attr]
    assert done < total
    # Continued after the last committed batch: every row written exactly once.
    assert f"Resumed the interrupted import: {total - done} rows inserted, 0 updated" in r.output
    assert "Verification OK" in r.output
    assert committed(db) == total
    with db.engine.connect() as conn:
        details = (
            conn.execute(
                sa.text("SELECT details FROM _security_audit WHERE source = 'console' ORDER BY id")
            )
            .scalars()
            .all()
        )
    assert [d.split("; ", 1)[1].split(":")[0] for d in details] == [
        "new import started",
        "resumed import started",
        "resumed import finished",
    ]


def test_ctrl_c_stops_cleanly_and_the_import_resumes(db: Backend, camcops_source: str) -> None:
    """Ctrl-C mid-copy: "Aborted!" and exit 1, no traceback or driver noise (the
    source is read through an asyncio driver, which must be unwound while it can
    still be reached); the next run resumes and verifies clean."""
    proc = import_in_progress(db, camcops_source)
    try:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = out.decode()
    assert proc.returncode == 1, text
    assert text.rstrip().endswith("Aborted!"), text
    for noise in ("Traceback", "Error closing", "never retrieved", "destroyed", "Warning"):
        assert noise not in text, text
    r = run(db, "import-camcops", camcops_source)
    assert r.exit_code == 0, r.output
    assert "Resumed the interrupted import" in r.output
    assert "Verification OK" in r.output
