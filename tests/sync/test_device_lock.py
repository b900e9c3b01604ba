"""Administrators' actions on a device's records never interleave with an upload from it.

Each action (force-finalize, erase a task, delete a task entirely, delete a
patient, edit a patient) is started while a one-step upload from the same
device is held inside its transaction, after writing every row and before
committing (a hook in place of the upload's audit write, its last step).  On
PostgreSQL and MariaDB the test then sees the action's transaction waiting
for a lock, releases the upload, and checks that the end state is the one
"upload, then action" gives: nothing of the upload escaped the action, and
the lifecycle invariants and both indexes are exact.  On SQLite the action's
``BEGIN IMMEDIATE`` waits the same way (not observable from outside; the end
state is checked alike).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from copse.api.endpoint import ClientApi
from copse.patients.patient_edit import edit_patient
from copse.schema.columns import ERA_NOW
from copse.schema.tables import CLIENT_TABLES
from copse.services import manage
from copse.sync import onestep
from copse.sync.finalize import force_finalize
from copse.wire.reply import parse_reply
from copse.wire.values import encode_client_value
from tests.sync.conftest import NHS_OK, Harness, when

PT = ["id", "forename", "surname", "dob", "sex", "when_last_modified", "_move_off_tablet"]
IDN = ["id", "patient_id", "which_idnum", "idnum_value", "when_last_modified", "_move_off_tablet"]
BMI = ["id", "patient_id", "height_m", "mass_kg", "when_created", "when_last_modified"]
BMI += ["_move_off_tablet"]

Action = Callable[[sa.Connection, Harness], None]


def _dbdata(tables: dict[str, tuple[list[str], list[list[Any]]]]) -> str:
    return json.dumps(
        {
            t: [dict(zip(f, (encode_client_value(v) for v in r), strict=True)) for r in recs]
            for t, (f, recs) in tables.items()
        }
    )


def _upload(api: ClientApi, tables: dict[str, tuple[list[str], list[list[Any]]]]) -> None:
    """A one-step upload through the real endpoint (so it takes the device lock)."""
    fields = dict(
        operation="upload_entire_database",
        camcops_version="2.4.24",
        device="dev1",
        user="alice",
        password="pw-alice-1",
        finalizing="0",
        pknameinfo=json.dumps({t: "id" for t in tables}),
        dbdata=_dbdata(tables),
    )
    r = api.handle(urllib.parse.urlencode(fields).encode("ascii"), "", "127.0.0.1")
    reply = parse_reply(r.body)
    assert r.status == 200 and reply.get("success") == "1", reply


def _finalized_patient_with_task(h: Harness, api: ClientApi) -> None:
    """Patient 1 (NHS_OK) with BMI task 1, uploaded and force-finalized (an old era)."""
    _upload(
        api,
        {
            "patient": (PT, [[1, "JO", "BLOGGS", "1980-02-29", "F", when(0), 0]]),
            "patient_idnum": (IDN, [[1, 1, 1, NHS_OK, when(0), 0]]),
            "bmi": (BMI, [[1, 1, 1.8, 80.0, when(0), when(0), 0]]),
        },
    )
    with h.engine.begin() as conn:
        force_finalize(conn, h.device_id, h.user_id, h.tick())


#: The held upload: the same patient again (same NHS number) with two new tasks.
HELD = {
    "patient": (PT, [[1, "JO", "BLOGGS", "1980-02-29", "F", when(5), 0]]),
    "patient_idnum": (IDN, [[1, 1, 1, NHS_OK, when(5), 0]]),
    "bmi": (
        BMI,
        [[2, 1, 1.7, 70.0, when(5), when(5), 0], [3, 1, 1.6, 60.0, when(6), when(6), 0]],
    ),
}


def _old(conn: sa.Connection, table: str) -> sa.RowMapping:
    t = CLIENT_TABLES[table]
    return (
        conn.execute(sa.select(t).where(t.c._era != ERA_NOW, t.c._current == sa.true()))
        .mappings()
        .one()
    )


def _rows(conn: sa.Connection, table: str, *where: Any) -> list[sa.RowMapping]:
    t = CLIENT_TABLES[table]
    return list(conn.execute(sa.select(t).where(*where).order_by(t.c._pk)).mappings())


def act_finalize(conn: sa.Connection, h: Harness) -> None:
    force_finalize(conn, h.device_id, h.user_id, h.clock)


def check_finalize(conn: sa.Connection, h: Harness) -> None:
    bmi = CLIENT_TABLES["bmi"]
    for table in ("patient", "patient_idnum", "bmi"):
        assert not _rows(conn, table, CLIENT_TABLES[table].c._era == ERA_NOW), table
    # Both of the upload's new tasks were finalized with everything else.
    assert {r["id"] for r in _rows(conn, "bmi", bmi.c._current == sa.true())} == {1, 2, 3}


def act_erase(conn: sa.Connection, h: Harness) -> None:
    row = _old(conn, "bmi")
    manage.erase_task(conn, "bmi", row, None, h.user_id, h.clock, None)


def check_erase(conn: sa.Connection, h: Harness) -> None:
    bmi = CLIENT_TABLES["bmi"]
    old = _rows(conn, "bmi", bmi.c._era != ERA_NOW)
    assert [r["_manually_erased"] for r in old] == [True]
    assert {r["id"] for r in _rows(conn, "bmi", bmi.c._era == ERA_NOW)} == {2, 3}


def act_delete_task(conn: sa.Connection, h: Harness) -> None:
    row = _old(conn, "bmi")
    manage.delete_task_entirely(conn, "bmi", row, None, h.user_id, h.clock, None)


def check_delete_task(conn: sa.Connection, h: Harness) -> None:
    assert {r["id"] for r in _rows(conn, "bmi")} == {2, 3}


def act_delete_patient(conn: sa.Connection, h: Harness) -> None:
    plan = manage.patient_deletion_preview(conn, h.group_id, 1, NHS_OK)
    manage.delete_patient(conn, plan, "ward1", h.user_id, h.clock, None)


def check_delete_patient(conn: sa.Connection, h: Harness) -> None:
    # The plan was made before the upload committed; under the lock it was made
    # again, so the upload's copy of the patient and its new tasks went too.
    for table in ("patient", "patient_idnum", "bmi"):
        assert _rows(conn, table) == [], table


def act_edit_patient(conn: sa.Connection, h: Harness) -> None:
    edit_patient(conn, _old(conn, "patient"), {"forename": "JOANNE"}, {}, h.user_id, h.clock, None)


def check_edit_patient(conn: sa.Connection, h: Harness) -> None:
    assert _old(conn, "patient")["forename"] == "JOANNE"
    pt = CLIENT_TABLES["patient"]
    now = _rows(conn, "patient", pt.c._era == ERA_NOW, pt.c._current == sa.true())
    assert [r["forename"] for r in now] == ["JO"]


ACTIONS: dict[str, tuple[Action, Action]] = {
    "force_finalize": (act_finalize, check_finalize),
    "erase_task": (act_erase, check_erase),
    "delete_task_entirely": (act_delete_task, check_delete_task),
    "delete_patient": (act_delete_patient, check_delete_patient),
    "edit_patient": (act_edit_patient, check_edit_patient),
}


def _waiting_for_lock(h: Harness, session: int) -> bool:
    """Whether the action's database session is blocked acquiring a lock."""
    with h.engine.connect() as conn:
        if h.backend.name == "postgresql":
            sql = (
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'"
            )
        else:
            # Executing a locking read, which cannot finish while the upload holds the
            # device (PROCESSLIST alone: joining INNODB_TRX can itself stall under load).
            sql = (
                "SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID = %s "
                "AND COMMAND = 'Query' AND INFO LIKE '%%FOR UPDATE%%'"
            )
        return bool(conn.exec_driver_sql(sql, (session,)).scalar_one())


def _sessions(h: Harness) -> str:
    """What the database's other sessions are doing (for a failure message)."""
    if h.backend.name == "postgresql":
        sql = (
            "SELECT pid, state, wait_event_type, wait_event, left(query, 120) "
            "FROM pg_stat_activity WHERE datname = current_database()"
        )
    else:
        sql = (
            "SELECT p.ID, p.COMMAND, p.STATE, t.trx_state, LEFT(p.INFO, 120) "
            "FROM information_schema.PROCESSLIST p LEFT JOIN information_schema.INNODB_TRX t "
            "ON p.ID = t.trx_mysql_thread_id WHERE p.DB = DATABASE()"
        )
    with h.engine.connect() as conn:
        return "\n".join(str(tuple(r)) for r in conn.exec_driver_sql(sql))


def _wait_for(cond: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.005)  # polling the database for the event, not covering a race
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_action_waits_for_the_upload_and_follows_it(
    h: Harness, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    action, check = ACTIONS[name]
    api = ClientApi(h.engine, h.settings)
    _finalized_patient_with_task(h, api)

    reached, release = threading.Event(), threading.Event()
    real_audit = onestep.audit_upload

    def held_audit(*args: Any, **kw: Any) -> Any:
        reached.set()
        assert release.wait(60), "the test never released the upload"
        return real_audit(*args, **kw)

    monkeypatch.setattr(onestep, "audit_upload", held_audit)
    errors: list[BaseException] = []

    def run(fn: Callable[[], None]) -> threading.Thread:
        def target() -> None:
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 -- reported by the main thread
                errors.append(exc)

        th = threading.Thread(target=target)
        th.start()
        return th

    session: list[int] = []
    in_session = threading.Event()

    def do_action() -> None:
        with h.engine.begin() as conn:
            if h.backend.name != "sqlite":
                ask = "pg_backend_pid()" if h.backend.name == "postgresql" else "CONNECTION_ID()"
                session.append(int(conn.exec_driver_sql(f"SELECT {ask}").scalar_one()))
            in_session.set()
            action(conn, h)

    uploading = run(lambda: _upload(api, HELD))
    try:
        assert reached.wait(60), "the upload never reached its last step"
        acting = run(do_action)
        if h.backend.name != "sqlite":
            assert in_session.wait(60), "the action never started"
            try:
                _wait_for(
                    lambda: _waiting_for_lock(h, session[0]), f"{name} to wait for the device lock"
                )
            except AssertionError as exc:
                raise AssertionError(
                    f"{exc}; sessions:\n{_sessions(h)}; errors: {errors}"
                ) from None
        assert acting.is_alive(), f"{name} finished while the upload held the device"
    finally:
        release.set()
    uploading.join(60)
    acting.join(60)
    assert not errors, errors
    with h.engine.connect() as conn:
        check(conn, h)
    assert h.invariants() == []
