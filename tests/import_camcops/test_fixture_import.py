"""The CamCOPS 2.4.24 fixture imported into each of copse's backends, then checked.

One import per backend (module scope, into a database of its own so that
other tests' wipes cannot touch it); the tests then read what was imported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from copse.accounts.passwords import check_password
from copse.cli import cli
from copse.db.engine import make_engine
from copse.schema import tables as T
from copse.schema.registry import TABLES
from tests.support.databases import Backend, configured_backends, create_backend, drop_backend

PASSWORD = "Fixture-pass-123"


@dataclass
class Imported:
    backend: Backend
    source_url: str
    result: Result


def run_cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db-url", url, *args], catch_exceptions=False)


@pytest.fixture(scope="module", params=configured_backends())
def imported(
    request: pytest.FixtureRequest, camcops_source: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Imported]:
    b = create_backend(request.param, Path(tmp_path_factory.mktemp(f"imp-{request.param}")))
    try:
        result = run_cli(b.url, "import-camcops", camcops_source)
        yield Imported(b, camcops_source, result)
    finally:
        drop_backend(b)


def _count(conn: sa.Connection, table: sa.Table, *where: Any) -> int:
    return int(
        conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()
    )


def test_import_succeeds_with_clean_verification(imported: Imported) -> None:
    out = imported.result.output
    assert imported.result.exit_code == 0, out
    assert "Verification OK" in out
    assert "DIFFERENCE" not in out
    # The report names what is not carried over, with the source's row counts.
    assert "_security_webviewer_sessions (252 rows): web sessions" in out
    assert "_security_user_group: 1 row(s) left out" in out
    # The import's own audit entry: who ran it, what it did, never the source's password.
    with imported.backend.engine.connect() as conn:
        own = (
            conn.execute(
                sa.select(T.audit.c.details).where(T.audit.c.details.like("%copse import-camcops%"))
            )
            .scalars()
            .all()
        )
    assert len(own) == 1 and "OS user" in own[0] and "imported" in own[0]
    password = sa.make_url(imported.source_url).password
    assert not password or str(password) not in own[0]


def test_check_index_clean(imported: Imported) -> None:
    r = run_cli(imported.backend.url, "check-index")
    assert r.exit_code == 0, r.output
    assert "Index OK" in r.output


def test_client_tables_match_manifest(imported: Imported, manifest: dict[str, Any]) -> None:
    with imported.backend.engine.connect() as conn:
        for name, want in manifest["client_tables"].items():
            t = T.CLIENT_TABLES[name]
            got = {
                "rows": _count(conn, t),
                "era_now": _count(conn, t, t.c._era == "NOW"),
                "era_finalized": _count(conn, t, t.c._era != "NOW"),
                "current": _count(conn, t, t.c._current.is_(True)),
                "not_current": _count(conn, t, t.c._current.is_(False)),
                "forcibly_preserved": _count(conn, t, t.c._forcibly_preserved.is_(True)),
                "addition_pending": _count(conn, t, t.c._addition_pending.is_(True)),
                "removal_pending": _count(conn, t, t.c._removal_pending.is_(True)),
                "superseded_by_newer_version": _count(conn, t, t.c._successor_pk.is_not(None)),
            }
            assert got == {k: want[k] for k in got}, name
    assert set(manifest["client_tables"]) <= set(TABLES)


def test_server_tables_match_manifest(imported: Imported, manifest: dict[str, Any]) -> None:
    s = manifest["summary"]
    with imported.backend.engine.connect() as conn:
        assert _count(conn, T.devices) == s["devices"]
        assert _count(conn, T.users) == s["users"]
        assert _count(conn, T.groups) == s["groups"]
        assert _count(conn, T.idnum_definitions) == s["id_number_definitions"]
        assert _count(conn, T.special_notes) == s["special_notes"]
        assert _count(conn, T.audit) == s["audit_rows"] + 1  # + the import's own entry
        assert _count(conn, T.task_schedule) == s["task_schedules"]
        assert _count(conn, T.task_schedule_item) == s["task_schedule_items"]
        assert _count(conn, T.patient_task_schedule) == s["patient_task_schedules"]
        assert _count(conn, T.dirty_tables) == s["dirty_tables_rows"]
        # One CamCOPS membership belongs to no user and is left out (reported).
        assert _count(conn, T.memberships) == manifest["row_counts"]["_security_user_group"] - 1
        # copse's own index: one entry per current task row.
        assert _count(conn, T.task_index) == s["task_rows_current"]
        # The audit trail is marked as coming from the old server.
        assert _count(conn, T.audit, T.audit.c.source.like("camcops:%")) == s["audit_rows"]


def test_users_log_in_with_their_camcops_passwords(imported: Imported) -> None:
    with imported.backend.engine.connect() as conn:
        rows = {
            r.username: r
            for r in conn.execute(
                sa.select(T.users.c.username, T.users.c.hashedpw, T.users.c.superuser)
            )
        }
    for name in ("admin", "uploader", "noupload", "nogroup", "lockme"):
        assert check_password(PASSWORD, rows[name].hashedpw), name
        assert not check_password("wrong", rows[name].hashedpw)
    assert rows["admin"].superuser and not rows["uploader"].superuser
    assert rows["system"].hashedpw == "" and not check_password("", rows["system"].hashedpw)


def test_blobs_byte_for_byte(imported: Imported) -> None:
    src = make_engine(imported.source_url)
    try:
        with src.connect() as conn:
            want = {
                pk: hashlib.sha256(b).hexdigest()
                for pk, b in conn.exec_driver_sql("SELECT _pk, theblob FROM blobs")
                if b is not None
            }
    finally:
        src.dispose()
    blobs = T.CLIENT_TABLES["blobs"]
    with imported.backend.engine.connect() as conn:
        got = {
            pk: hashlib.sha256(b).hexdigest()
            for pk, b in conn.execute(sa.select(blobs.c._pk, blobs.c.theblob))
            if b is not None
        }
    assert len(want) > 50 and got == want


def test_new_rows_get_keys_past_the_imported_ones(imported: Imported) -> None:
    """After an import with CamCOPS's keys, copse's own inserts must not collide."""
    audit = T.audit
    with imported.backend.engine.begin() as conn:
        top = conn.execute(sa.select(sa.func.max(audit.c.id))).scalar_one()
        pk = conn.execute(
            sa.insert(audit).values(when_access_utc=sa.func.now(), source="test")
        ).inserted_primary_key[0]
        assert pk > top
        conn.execute(sa.delete(audit).where(audit.c.id == pk))


def test_rerun_into_imported_database_is_refused(imported: Imported) -> None:
    with imported.backend.engine.connect() as conn:
        before = _count(conn, T.CLIENT_TABLES["patient"])
    r = run_cli(imported.backend.url, "import-camcops", imported.source_url)
    assert r.exit_code == 1
    assert "already holds data" in r.output and "Traceback" not in r.output
    with imported.backend.engine.connect() as conn:
        assert _count(conn, T.CLIENT_TABLES["patient"]) == before


def test_verification_names_a_differing_row(imported: Imported) -> None:
    """--verify-only re-compares; a changed value is reported by record identity."""
    clean = run_cli(imported.backend.url, "import-camcops", "--verify-only", imported.source_url)
    assert clean.exit_code == 0, clean.output
    assert "Verification OK" in clean.output
    gad7 = T.CLIENT_TABLES["gad7"]
    with imported.backend.engine.connect() as conn:
        row = conn.execute(
            sa.select(gad7.c._pk, gad7.c._device_id, gad7.c._era, gad7.c.id, gad7.c.q1)
            .order_by(gad7.c._pk)
            .limit(1)
        ).one()
    try:
        with imported.backend.engine.begin() as conn:
            conn.execute(sa.update(gad7).where(gad7.c._pk == row._pk).values(q1=(row.q1 or 0) + 7))
        r = run_cli(imported.backend.url, "import-camcops", "--verify-only", imported.source_url)
        assert r.exit_code == 1, r.output
        assert (
            f"DIFFERENCE: gad7 _pk={row._pk} (device {row._device_id}, era {row._era}, id {row.id},"
            in r.output
        )
        assert "values differ in q1" in r.output
        assert "Verification FAILED: 1 difference(s)" in r.output
    finally:
        with imported.backend.engine.begin() as conn:
            conn.execute(sa.update(gad7).where(gad7.c._pk == row._pk).values(q1=row.q1))
