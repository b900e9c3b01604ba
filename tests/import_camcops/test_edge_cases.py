"""Small hand-made CamCOPS sources for edge cases the fixture does not stress.

Each source has the fixture's exact schema (``CREATE TABLE ... LIKE``) and a
handful of rows: a long version chain, a forcibly preserved era, a BLOB
superseded twice, a patient edited after finalizing, unicode and NULLs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlalchemy.engine import make_url

from copse.accounts.passwords import hash_password
from copse.audit import audit
from copse.cli import cli
from copse.db.engine import make_engine
from copse.index.rebuild import check_index
from copse.schema import tables as T
from copse.services.camcops_import.run import CATCH_UP_FLOOR, CATCH_UP_ROWS, catch_up_limit
from copse.services.camcops_import.state import import_incomplete
from tests.support.databases import Backend, nonempty_tables

ODD_TEXT = "Zoë 😀 'quote' \"dq\" back\\slash\nnew line \t tab ☃"
ERA = "2020-01-02T03:04:05Z"


def _insert(conn: sa.Connection, table: str, **values: Any) -> None:
    cols = ", ".join(f"`{k}`" for k in values)
    marks = ", ".join(f":{k}" for k in values)
    conn.execute(sa.text(f"INSERT INTO `{table}` ({cols}) VALUES ({marks})"), values)


def _client(pk: int, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(
        _pk=pk, _device_id=1, _era="NOW", _current=1, _group_id=1, _addition_pending=0
    )
    row.update(extra)
    return row


def make_source(src_url: str, scratch_url: str, phone: str = "01234") -> None:
    """Copy the fixture's schema (no rows) into ``scratch`` and add edge-case rows."""
    src_db = make_url(src_url).database
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as conn:
            names = conn.execute(
                sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                {"s": src_db},
            ).scalars()
            for name in list(names):
                conn.exec_driver_sql(f"CREATE TABLE `{name}` LIKE `{src_db}`.`{name}`")
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            _insert(conn, "_alembic_version", version_num="0087")
            _insert(conn, "_security_groups", id=1, name="g1", upload_policy="sex AND idnum1")
            _insert(
                conn,
                "_security_users",
                id=1,
                username="ünïcode-user",
                hashedpw=hash_password("pw-123456", 4),
                superuser=0,
                must_change_password=0,
                auto_generated=0,
                hotp_counter=0,
                mfa_method="no_mfa",
                phone_number=phone,
                upload_group_id=1,
            )
            _insert(conn, "_security_devices", id=1, name="tab1", friendly_name=ODD_TEXT)
            # A long version chain: client patient 1 edited five times in era NOW.
            for v in range(1, 7):
                _insert(
                    conn,
                    "patient",
                    **_client(
                        v,
                        id=1,
                        _current=int(v == 6),
                        _predecessor_pk=v - 1 or None,
                        _successor_pk=v + 1 if v < 6 else None,
                        forename=f"{ODD_TEXT} v{v}",
                        sex="F",
                        _when_added_exact=f"2021-01-0{v}T00:00:00.123456+00:00",
                    ),
                )
            # A patient with NULL in every column that may be NULL.
            _insert(conn, "patient", **_client(7, id=2))
            # A patient edited after its era was (forcibly) finalized.
            _insert(conn, "patient", **_client(8, id=3, _era=ERA, _current=0, _successor_pk=9))
            _insert(
                conn,
                "patient",
                **_client(9, id=3, _era=ERA, _predecessor_pk=8, _forcibly_preserved=1),
            )
            _insert(
                conn,
                "gad7",
                **_client(
                    1,
                    id=1,
                    patient_id=3,
                    _era=ERA,
                    _forcibly_preserved=1,
                    q1=3,
                    when_created="2020-01-01T10:00:00.000+01:00",
                ),
            )
            # A BLOB superseded twice, with every byte value.
            data = bytes(range(256)) * 3
            for v in range(1, 4):
                _insert(
                    conn,
                    "blobs",
                    **_client(
                        v,
                        id=1,
                        _current=int(v == 3),
                        _predecessor_pk=v - 1 or None,
                        _successor_pk=v + 1 if v < 3 else None,
                        theblob=data * v,
                        tablename="photo",
                        tablepk=1,
                        fieldname="photo_blobid",
                    ),
                )
    finally:
        engine.dispose()


@contextmanager
def source_conn(url: str) -> Iterator[sa.Connection]:
    """One transaction on a hand-made source, to change it between imports."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def run(db: Backend, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db-url", db.url, "import-camcops", *args])


def test_edge_cases_import_and_verify(
    db: Backend, camcops_source: str, scratch_mysql_db: str
) -> None:
    make_source(camcops_source, scratch_mysql_db)
    r = run(db, scratch_mysql_db)
    assert r.exit_code == 0, r.output
    assert "Verification OK" in r.output
    patient, blobs = T.CLIENT_TABLES["patient"], T.CLIENT_TABLES["blobs"]
    with db.engine.connect() as conn:
        chain = conn.execute(
            sa.select(patient.c._pk, patient.c._predecessor_pk, patient.c.forename)
            .where(patient.c.id == 1)
            .order_by(patient.c._pk)
        ).all()
        assert [(p, q) for p, q, _ in chain] == [(1, None), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5)]
        assert chain[-1][2] == f"{ODD_TEXT} v6"
        assert conn.execute(sa.select(blobs.c.theblob).where(blobs.c._pk == 2)).scalar_one() == (
            bytes(range(256)) * 6
        )
        assert (
            conn.execute(
                sa.select(T.devices.c.friendly_name).where(T.devices.c.name == "tab1")
            ).scalar_one()
            == ODD_TEXT
        )


def test_value_copse_cannot_store_stops_the_import(
    db: Backend, camcops_source: str, scratch_mysql_db: str
) -> None:
    """A value wider than copse's column: the import stops at that batch, names the row,
    keeps what earlier batches committed, and a run after the value is fixed resumes."""
    make_source(camcops_source, scratch_mysql_db)
    with source_conn(scratch_mysql_db) as conn:
        # copse holds CamCOPS's 128 characters; this source is wider still.
        conn.exec_driver_sql("ALTER TABLE _security_users MODIFY phone_number VARCHAR(200)")
        conn.exec_driver_sql("UPDATE _security_users SET phone_number = REPEAT('1', 150)")
    r = run(db, scratch_mysql_db)
    if db.name == "sqlite":
        # SQLite does not enforce string lengths: the value is stored and verified.
        assert r.exit_code == 0, r.output
        assert "Verification OK" in r.output
        return
    assert r.exit_code == 1, r.output
    assert "copse cannot store row _security_users id=1" in r.output
    with db.engine.connect() as conn:
        # Batches before the failing one stay committed; the import is marked unfinished.
        assert "_security_users" not in nonempty_tables(conn)
        assert "_security_groups" in nonempty_tables(conn)
        assert import_incomplete(conn) is not None
    with source_conn(scratch_mysql_db) as conn:
        conn.exec_driver_sql("UPDATE _security_users SET phone_number = REPEAT('2', 128)")
    r = run(db, scratch_mysql_db)
    assert r.exit_code == 0, r.output
    assert "Resumed the interrupted import" in r.output and "Verification OK" in r.output
    with db.engine.connect() as conn:
        assert import_incomplete(conn) is None
        assert conn.execute(sa.select(T.users.c.phone_number)).scalar_one() == "2" * 128


def test_rerun_brings_in_what_changed_since(
    db: Backend, camcops_source: str, scratch_mysql_db: str
) -> None:
    """CamCOPS kept running after the import: a new record, a new version of a
    record, an era finalized, a row deleted; the next run brings in exactly that."""
    make_source(camcops_source, scratch_mysql_db)
    assert run(db, scratch_mysql_db).exit_code == 0
    with source_conn(scratch_mysql_db) as conn:
        conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        # Patient 2 edited: its row superseded by a new version.
        conn.exec_driver_sql("UPDATE patient SET _current = 0, _successor_pk = 10 WHERE _pk = 7")
        _insert(conn, "patient", **_client(10, id=2, _predecessor_pk=7, forename="new"))
        # The BLOB's era finalized; the oldest version of it deleted.
        conn.exec_driver_sql(f"UPDATE blobs SET _era = '{ERA}' WHERE _pk IN (2, 3)")
        conn.exec_driver_sql("DELETE FROM blobs WHERE _pk = 1")
        _insert(conn, "_security_audit", id=900, when_access_utc="2024-01-01", source="tablet")
    r = run(db, scratch_mysql_db)
    assert r.exit_code == 0, r.output
    assert "Caught up: 2 rows inserted, 3 updated, 1 deleted." in r.output
    assert "Verification OK" in r.output
    patient, blobs = T.CLIENT_TABLES["patient"], T.CLIENT_TABLES["blobs"]
    with db.engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(patient.c.forename).where(patient.c._predecessor_pk == 7)
            ).scalar_one()
            == "new"
        )
        assert set(conn.execute(sa.select(blobs.c._pk, blobs.c._era))) == {(2, ERA), (3, ERA)}
        # copse's own entries of both runs are kept, numbered after CamCOPS's.
        own = (
            conn.execute(sa.select(T.audit.c.id).where(T.audit.c.source == "console"))
            .scalars()
            .all()
        )
        assert len(own) == 4 and min(own) > 900
    # Nothing new: a third run writes nothing.
    r = run(db, scratch_mysql_db)
    assert r.exit_code == 0 and "Nothing new since the last import" in r.output, r.output


def test_tables_empty_in_camcops(db: Backend, camcops_source: str, scratch_mysql_db: str) -> None:
    """Most tables are empty in CamCOPS (they are skipped, not read): a table
    emptied since the last run is emptied in copse too, and a row copse holds
    in a table CamCOPS leaves empty is a difference."""
    make_source(camcops_source, scratch_mysql_db)
    assert run(db, scratch_mysql_db).exit_code == 0
    with source_conn(scratch_mysql_db) as conn:
        conn.exec_driver_sql("DELETE FROM gad7")
    r = run(db, scratch_mysql_db)
    assert r.exit_code == 0, r.output
    assert "Caught up: 0 rows inserted, 0 updated, 1 deleted." in r.output
    assert "Verification OK" in r.output
    assert "gad7" not in nonempty_tables_of(db)
    phq9 = T.CLIENT_TABLES["phq9"]
    with db.engine.begin() as conn:
        conn.execute(
            sa.insert(phq9).values(
                _pk=77, _device_id=1, _era="NOW", _current=True, _group_id=1, id=1
            )
        )
    r = run(db, "--verify-only", scratch_mysql_db)
    assert r.exit_code == 1, r.output
    assert "DIFFERENCE: phq9 _pk=77 " in r.output and "in copse but not in CamCOPS" in r.output
    assert "Verification FAILED: 2 difference(s)" in r.output  # the row, and its era's count


def nonempty_tables_of(db: Backend) -> set[str]:
    with db.engine.connect() as conn:
        return nonempty_tables(conn)


def test_rerun_refused_after_tablets_used_copse(
    db: Backend, camcops_source: str, scratch_mysql_db: str
) -> None:
    make_source(camcops_source, scratch_mysql_db)
    assert run(db, scratch_mysql_db).exit_code == 0
    with db.engine.begin() as conn:
        audit(conn, "Upload", source="tablet", now=datetime(2030, 1, 1))
    r = run(db, scratch_mysql_db)
    assert r.exit_code == 1
    assert "Tablets have already used this copse server" in r.output


def test_import_of_another_camcops_database_refused(
    db: Backend, camcops_source: str, scratch_mysql_db: str
) -> None:
    make_source(camcops_source, scratch_mysql_db)
    assert run(db, scratch_mysql_db).exit_code == 0
    r = run(db, "--dry-run", camcops_source)
    assert r.exit_code == 1
    assert "holds an import of another CamCOPS database" in r.output


def test_older_camcops_schema_without_later_columns(
    db: Backend, camcops_source: str, scratch_mysql_db: str
) -> None:
    """A CamCOPS 2.4.x from before multi-factor authentication: its users lack the
    MFA columns; they are imported with copse's defaults and the report says so."""
    make_source(camcops_source, scratch_mysql_db)
    with source_conn(scratch_mysql_db) as conn:
        conn.exec_driver_sql("UPDATE _alembic_version SET version_num = '0060'")
        conn.exec_driver_sql(
            "ALTER TABLE _security_users DROP COLUMN mfa_method, DROP COLUMN hotp_counter, "
            "DROP COLUMN mfa_secret_key, DROP COLUMN phone_number"
        )
    r = run(db, scratch_mysql_db)
    assert r.exit_code == 0, r.output
    assert (
        "_security_users.mfa_method: not in this (older) CamCOPS schema; imported as 'no_mfa'"
        in (r.output)
    )
    assert "_security_users.phone_number: not in this (older) CamCOPS schema; imported as None" in (
        r.output
    )
    assert "Verification OK" in r.output
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(T.users.c.mfa_method, T.users.c.hotp_counter)).one()
    assert tuple(row) == ("no_mfa", 0)


@pytest.mark.parametrize("limit", [None, 0], ids=["catch-up", "over-the-limit"])
def test_rerun_updates_the_index_for_what_changed(
    db: Backend,
    camcops_source: str,
    scratch_mysql_db: str,
    monkeypatch: pytest.MonkeyPatch,
    limit: int | None,
) -> None:
    """A run after a complete import re-indexes what its changes affect, including
    a task whose ancillary row CamCOPS deleted and tasks of a patient edited since;
    the index then equals a full computation (``check_index``).  Past the limit of
    changed rows it rebuilds the whole index instead."""
    make_source(camcops_source, scratch_mysql_db)
    with source_conn(scratch_mysql_db) as conn:
        created = "2021-02-03T04:05:06.000+00:00"
        _insert(
            conn,
            "photosequence",
            **_client(1, id=1, patient_id=1, sequence_description="s", when_created=created),
        )
        _insert(
            conn,
            "photosequence_photos",
            **_client(1, id=1, photosequence_id=1, seqnum=1, photo_blobid=1),
        )
        _insert(conn, "gad7", **_client(2, id=2, patient_id=2, q1=1, when_created=created))
    assert run(db, scratch_mysql_db).exit_code == 0
    with db.engine.connect() as conn:
        assert _entries(conn)["photosequence", 1][1] is True
    with source_conn(scratch_mysql_db) as conn:
        conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        # The sequence's only photo deleted: the sequence is no longer complete.
        conn.exec_driver_sql("DELETE FROM photosequence_photos WHERE _pk = 1")
        # Patient 2 edited: its task now belongs to the new version.
        conn.exec_driver_sql("UPDATE patient SET _current = 0, _successor_pk = 10 WHERE _pk = 7")
        _insert(conn, "patient", **_client(10, id=2, _predecessor_pk=7, forename="Newname"))
        # A new task; a task deleted.
        _insert(conn, "gad7", **_client(3, id=3, patient_id=1, q1=2, when_created=created))
        conn.exec_driver_sql("DELETE FROM gad7 WHERE _pk = 1")
    if limit is not None:
        monkeypatch.setattr("copse.services.camcops_import.run.CATCH_UP_ROWS", limit)
    r = run(db, scratch_mysql_db)
    assert r.exit_code == 0, r.output
    if limit is None:
        assert "index brought up to date where this run changed rows" in r.output
    else:
        assert "index check clean" in r.output
    with db.engine.connect() as conn:
        assert check_index(conn) == []
        entries = _entries(conn)
        names = conn.execute(
            sa.select(T.patient_name_index.c.patient_pk).where(
                T.patient_name_index.c.patient_pk == 10
            )
        ).all()
    assert entries["photosequence", 1][1] is False
    assert entries["gad7", 2][0] == 10
    assert ("gad7", 3) in entries and ("gad7", 1) not in entries
    assert len(names) == 1


def _entries(conn: sa.Connection) -> dict[tuple[str, int], tuple[int | None, bool | None]]:
    """Task index: (table, task pk) -> (patient pk, complete)."""
    ti = T.task_index
    rows = conn.execute(
        sa.select(ti.c.task_table_name, ti.c.task_pk, ti.c.patient_pk, ti.c.task_is_complete)
    )
    return {(t, pk): (p, None if c is None else bool(c)) for t, pk, p, c in rows}


def test_catch_up_limit_follows_the_size_of_the_source() -> None:
    """Re-indexing one by one only where it beats a full rebuild (a quarter of the
    rows), never below the floor, and never past the cap on keys held in memory."""
    assert catch_up_limit(0) == CATCH_UP_FLOOR
    assert catch_up_limit(100_000) == 25_000
    assert catch_up_limit(10_000_000) == CATCH_UP_ROWS
