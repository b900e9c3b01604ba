"""The CamCOPS 2.4.24 fixture imported into each of copse's backends, then checked.

One import per backend (module scope, into a database of its own so that
other tests' wipes cannot touch it); the tests then read what was imported.
"""

from __future__ import annotations

import getpass
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from copse.accounts.passwords import check_password
from copse.app import create_app
from copse.cli import cli
from copse.config import Settings
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
    # The import's own audit entries: who ran it, what it did, never the source's password.
    with imported.backend.engine.connect() as conn:
        own = (
            conn.execute(
                sa.select(T.audit.c.details).where(T.audit.c.details.like("%copse import-camcops%"))
            )
            .scalars()
            .all()
        )
    assert len(own) == 2 and all("OS user" in e for e in own)  # started, finished
    password = sa.make_url(imported.source_url).password
    assert not password or all(str(password) not in e for e in own)


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
        # CamCOPS's audit trail, plus copse's own two entries of the import (start, end).
        assert _count(conn, T.audit) == s["audit_rows"] + 2
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


def _import_entries(conn: sa.Connection) -> list[str]:
    q = (
        sa.select(T.audit.c.details)
        .where(T.audit.c.source == "console", T.audit.c.details.like("%copse import-camcops%"))
        .order_by(T.audit.c.id)
    )
    return list(conn.execute(q).scalars())


def test_import_is_audited_as_copse_own_entry(imported: Imported) -> None:
    """The import's own entries: copse's (source console), after the imported history."""
    with imported.backend.engine.connect() as conn:
        entries = _import_entries(conn)
        top_imported = conn.execute(
            sa.select(sa.func.max(T.audit.c.id)).where(T.audit.c.source.like("camcops:%"))
        ).scalar_one()
        first_own = conn.execute(
            sa.select(sa.func.min(T.audit.c.id)).where(T.audit.c.source == "console")
        ).scalar_one()
    assert len(entries) >= 2, entries
    assert f"OS user {getpass.getuser()}" in entries[0]
    assert "new import started" in entries[0]
    assert "new import finished:" in entries[1] and "verification OK" in entries[1]
    assert "source_url='mysql://root" in entries[0]
    assert first_own > top_imported


def test_rerun_after_complete_import_is_a_no_op(imported: Imported) -> None:
    def counts() -> dict[str, int]:
        with imported.backend.engine.connect() as conn:
            return {t.name: _count(conn, t) for t in (*T.CLIENT_TABLES.values(), T.users)}

    before = counts()
    r = run_cli(imported.backend.url, "import-camcops", imported.source_url)
    assert r.exit_code == 0, r.output
    assert "Nothing new since the last import" in r.output
    assert "Verification OK" in r.output
    assert counts() == before
    with imported.backend.engine.connect() as conn:
        assert (
            "again import finished: 0 rows inserted, 0 updated, 0 deleted"
            in (_import_entries(conn)[-1])
        )


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


def test_audit_page_shows_the_imported_trail(imported: Imported, tmp_path: Path) -> None:
    """An administrator reads CamCOPS's history in copse's audit page, marked as imported."""
    settings = Settings(db_url=imported.backend.url, data_dir=tmp_path, bcrypt_rounds=4)
    client = TestClient(
        create_app(settings, imported.backend.engine),
        base_url="https://testserver",
        follow_redirects=False,
    )
    with client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
        assert token
        r = client.post(
            "/login",
            data={
                "username": "admin",
                "password": PASSWORD,
                "csrf_token": token.group(1),
                "next": "/audit",
            },
        )
        assert r.status_code in (302, 303), r.text
        html = client.get("/audit?source=camcops").text
        # Every imported entry, each marked as coming from the old server.
        assert "426 entries" in html
        assert html.count('title="Imported from the CamCOPS server"') == 50
        assert "copse import-camcops" not in html
        own = client.get("/audit?source=console").text
        assert "copse import-camcops" in own and "Imported from the CamCOPS" not in own
