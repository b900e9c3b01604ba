"""Database faults.

* The database is unreachable, or dies in the middle of an upload: the
  request fails with a clear error, nothing half-written remains, the server
  keeps running, and the next attempt succeeds once the database is back.
  These run against a PRIVATE PostgreSQL / MariaDB instance started by the
  test on its own port (never the shared servers).
* Deadlocks and serialization failures are retried a bounded number of times
  (``copse.db.tx.run_in_transaction``).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, OperationalError

from copse.db import migrate
from copse.db.engine import make_engine
from copse.db.tx import is_transient, run_in_transaction
from tests.reliability import private_db
from tests.support import upload_checks as uc
from tests.support.databases import Backend
from tests.support.server import ServerProcess, free_port
from tests.support.tablet import Tablet, nhs_number

# -- bounded retries (unit level, every backend's error shape) ------------------


class _Orig(Exception):
    def __init__(self, *args: Any, sqlstate: str | None = None) -> None:
        super().__init__(*args)
        self.sqlstate = sqlstate


def _dbapi(orig: Exception) -> DBAPIError:
    return OperationalError("UPDATE x", {}, orig)


@pytest.mark.parametrize(
    "orig",
    [
        _Orig(1213, "Deadlock found"),
        _Orig(1205, "Lock wait timeout"),
        _Orig("x", sqlstate="40001"),
        _Orig("x", sqlstate="40P01"),
        _Orig("database is locked"),
    ],
    ids=["mysql-deadlock", "mysql-lockwait", "pg-serialization", "pg-deadlock", "sqlite-locked"],
)
def test_transient_errors_are_retried_a_bounded_number_of_times(orig: Exception) -> None:
    assert is_transient(_dbapi(orig))
    engine = make_engine("sqlite://")
    calls: list[int] = []

    def flaky(conn: sa.Connection) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _dbapi(orig)
        return "done"

    assert run_in_transaction(engine, flaky) == "done" and len(calls) == 3
    calls.clear()

    def always(conn: sa.Connection) -> str:
        calls.append(1)
        raise _dbapi(orig)

    with pytest.raises(DBAPIError):
        run_in_transaction(engine, always, attempts=4)
    assert len(calls) == 4


def test_other_errors_are_not_retried() -> None:
    engine = make_engine("sqlite://")
    calls: list[int] = []

    def bad(conn: sa.Connection) -> None:
        calls.append(1)
        raise _dbapi(_Orig(1062, "Duplicate entry"))

    with pytest.raises(DBAPIError):
        run_in_transaction(engine, bad)
    assert len(calls) == 1


def test_real_deadlock_is_retried(db: Backend) -> None:
    """Two transactions lock two rows in opposite orders; the loser is retried and both succeed."""
    if db.name == "sqlite":
        pytest.skip("SQLite serializes writers (BEGIN IMMEDIATE): no deadlock is possible")
    from copse.schema.tables import groups

    with db.engine.begin() as conn:
        ids = [
            int(
                conn.execute(
                    sa.insert(groups).values(name=f"dl{i}", description="")
                ).inserted_primary_key[0]
            )
            for i in range(2)
        ]
    barrier = threading.Barrier(2, timeout=30)
    attempts = [0, 0]
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        first, second = (ids[0], ids[1]) if i == 0 else (ids[1], ids[0])

        def work(conn: sa.Connection) -> None:
            attempts[i] += 1
            conn.execute(sa.update(groups).where(groups.c.id == first).values(description=f"w{i}"))
            if attempts[i] == 1:
                barrier.wait()
            conn.execute(sa.update(groups).where(groups.c.id == second).values(description=f"w{i}"))

        try:
            run_in_transaction(db.engine, work)
        except BaseException as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert not errors, errors
    assert sorted(attempts) == [1, 2], attempts  # exactly one deadlock victim, retried once


# -- the database goes away --------------------------------------------------------


@pytest.fixture(params=["postgresql", "mysql"])
def private(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[private_db.PrivateDb]:
    why = private_db.available(request.param)
    if why:
        pytest.skip(f"private {request.param} server: {why}")
    root = Path("/tmp") / f"copse-faults-{uuid.uuid4().hex[:8]}"
    pdb = private_db.PrivateDb(request.param, root, free_port())
    try:
        pdb.init()
        pdb.start()
        yield pdb
    finally:
        pdb.kill()
        import shutil

        shutil.rmtree(root, ignore_errors=True)


def _site(url: str) -> None:
    from click.testing import CliRunner

    from copse.cli import cli

    runner = CliRunner()
    env = {"COPSE_BCRYPT_ROUNDS": "4"}
    for args in (
        [
            "idnum",
            "add",
            "1",
            "--description",
            "NHS number",
            "--short-description",
            "NHS#",
            "--validation-method",
            "uk_nhs_number",
        ],
        [
            "group",
            "add",
            "ward1",
            "--upload-policy",
            "sex AND idnum1",
            "--finalize-policy",
            "sex AND idnum1",
        ],
        [
            "user",
            "add",
            "alice",
            "--password",
            "alice-password-1",
            "--group",
            "ward1",
            "--may-upload",
            "--may-register-devices",
        ],
    ):
        r = runner.invoke(cli, ["--db-url", url, *args], env=env, catch_exceptions=False)
        assert r.exit_code == 0, r.output


def _fill(tab: Tablet, seed: int, n: int) -> None:
    pid = tab.add_patient(nhs=nhs_number(seed), forename=f"P{seed}")
    for i in range(n):
        tab.create("phq9", patient_id=pid, q1=i % 4, q2=1, q3=2)
    tab.create("photosequence", patient_id=pid, sequence_description="x" * 2000)


def _now_rows(engine: sa.Engine, dev: int) -> dict[str, dict[int, Any]]:
    return uc.current_by_era(
        engine, dev, ("patient", "patient_idnum", "phq9", "photosequence")
    ).get("NOW", {})


def test_database_restart_during_uploads(private: private_db.PrivateDb, tmp_path: Path) -> None:
    url = private.create_database("copse")
    engine = make_engine(url)
    migrate.upgrade(engine)
    _site(url)
    server = ServerProcess(url, tmp_path / "server.log")
    server.start()
    try:
        tab = Tablet(server.api_url, "alice", "alice-password-1")
        tab.register()
        dev = uc.device_id(engine, tab.device)
        _fill(tab, 1, 20)
        assert tab.upload("copy", onestep=True).ok

        # 1. Database down: a clear error, the server stays up, nothing wiped on the tablet.
        private.kill()
        engine.dispose()
        out = tab.upload("copy", onestep=True)
        assert not out.ok and "database" in (out.error or "").lower(), out.error
        assert "Traceback" not in (out.error or "")
        assert server.proc is not None and server.proc.poll() is None
        private.start()

        # 2. The next attempt succeeds once the database is back.
        _fill(tab, 2, 5)
        out = tab.upload("copy", onestep=False)
        assert out.ok, out.error
        want = {
            t: {r["id"]: uc.instant(r["when_last_modified"]) for r in tab.rows(t)}
            for t in ("patient", "patient_idnum", "phq9", "photosequence")
            if tab.db[t]
        }
        assert _now_rows(engine, dev) == want

        # 3. The database dies in the middle of big uploads (one-step and stepwise),
        #    at several moments: all or nothing, then a successful retry.
        for attempt, (onestep, delay) in enumerate(
            [(True, 0.05), (True, 0.3), (False, 0.2), (False, 0.6)]
        ):
            _fill(tab, 10 + attempt, 400)
            before = _now_rows(engine, dev)
            result: dict[str, Any] = {}
            th = threading.Thread(
                target=lambda out=result, one=onestep: out.update(
                    out=tab.upload("copy", onestep=one)
                )
            )
            th.start()
            time.sleep(delay)
            private.kill()
            th.join(timeout=120)
            assert not th.is_alive()
            private.start()
            engine.dispose()
            outcome = result["out"]
            after = _now_rows(engine, dev)
            problems = uc.check_invariants(
                engine, ("patient", "patient_idnum", "phq9", "photosequence"), completed=False
            )
            assert not problems, problems
            if outcome.ok:
                assert after == {
                    t: {r["id"]: uc.instant(r["when_last_modified"]) for r in tab.rows(t)}
                    for t in after
                }
            elif onestep:
                assert after == before, "a failed one-step upload left something behind"
            assert server.proc is not None and server.proc.poll() is None
            out = tab.upload("copy", onestep=onestep)
            assert out.ok, out.error
            want = {
                t: {r["id"]: uc.instant(r["when_last_modified"]) for r in tab.rows(t)}
                for t in ("patient", "patient_idnum", "phq9", "photosequence")
                if tab.db[t]
            }
            assert _now_rows(engine, dev) == want
            assert not uc.check_invariants(
                engine, ("patient", "patient_idnum", "phq9", "photosequence")
            )
        tab.http.close()
    finally:
        server.stop()
        engine.dispose()
