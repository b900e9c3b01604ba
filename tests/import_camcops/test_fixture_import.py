"""The CamCOPS 2.4.24 fixture imported into each of copse's backends, then checked.

One import per backend (module scope, into a database of its own so that
other tests' wipes cannot touch it); the tests then read what was imported, and
last the fixture's tablets carry on uploading to it.  The module is one xdist
group, so each backend is imported once per run (the import is the slow part).
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
from copse.db.probe import tables_with_rows
from copse.schema import tables as T
from copse.schema.registry import TABLES
from copse.services.camcops_import.digests import SourceDigests
from copse.services.camcops_import.plan import build_plan
from copse.services.camcops_import.rows import row_shape, same_values
from copse.services.camcops_import.source import (
    fit_plans,
    read_schema,
    stream_chunks,
    with_snapshot,
)
from copse.services.camcops_import.verify import compare_table
from tests.support.databases import Backend, configured_backends, create_backend, drop_backend
from tests.support.server import ServerProcess
from tests.support.tablet import Tablet

PASSWORD = "Fixture-pass-123"

pytestmark = pytest.mark.xdist_group("camcops-fixture-import")


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
        # Two jobs: the index entries computed by a helper process too (the other
        # import tests run with the default, one).
        result = run_cli(b.url, "import-camcops", "--jobs", "2", camcops_source)
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
    # --jobs 2: a helper process computed index entries too, and says how much memory it took.
    helper = re.search(r"The index helper process peaked at (\d+) MB\.", out)
    assert helper is not None and 20 < int(helper.group(1)) < 1000, out
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


def test_every_value_as_another_driver_reads_it(imported: Imported) -> None:
    """Every copied row of every table holds what PyMySQL reads from CamCOPS.

    The import reads the source with asyncmy, and its verification compares
    copse with what asyncmy read; this reads the source with another driver
    (PyMySQL, pure Python) so that a value the import's driver got wrong
    could not pass for the source's."""
    src = make_engine(imported.source_url)
    compared = 0
    try:
        with src.connect() as s_conn, imported.backend.engine.connect() as c_conn:
            for plan in fit_plans(read_schema(s_conn), build_plan())[0]:
                shape = row_shape(plan)
                want = {
                    shape.key(r): r
                    for chunk in stream_chunks(s_conn, plan, plan.source_columns)
                    for r in map(shape.transform, chunk)
                }
                got = {
                    shape.key(r): r
                    for chunk in stream_chunks(c_conn, plan, shape.columns, source=False)
                    for r in chunk
                }
                assert got.keys() == want.keys(), plan.name
                for key, row in want.items():
                    assert same_values(row, got[key]), (plan.name, key)
                compared += len(want)
    finally:
        src.dispose()
    assert compared > 1000


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
    # Nothing written, so nothing to re-index (no full rebuild, no full check).
    assert "(0 entries recomputed" in r.output
    assert counts() == before
    with imported.backend.engine.connect() as conn:
        assert (
            "again import finished: 0 rows inserted, 0 updated, 0 deleted"
            in (_import_entries(conn)[-1])
        )


def test_verification_names_a_differing_row(imported: Imported) -> None:
    """--verify-only re-compares; a changed value is reported by record identity.

    (The clean case is the import's own verification and the re-run's above.)
    """
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


def test_hashed_verification_finds_what_the_full_one_finds(imported: Imported) -> None:
    """The verification from the copy's row hashes reports exactly what re-reading
    the source reports: a changed value, a missing row and an extra row, each by
    identity; a row whose hash differs only by a value's type (0/1 for a boolean)
    is read again and found the same."""
    gad7 = T.CLIENT_TABLES["gad7"]
    engine = imported.backend.engine
    with engine.connect() as conn:
        first, second, third = conn.execute(sa.select(gad7).order_by(gad7.c._pk).limit(3)).all()
        top = conn.execute(sa.select(sa.func.max(gad7.c._pk))).scalar_one()
    extra = {**third._asdict(), "_pk": top + 1000}
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.update(gad7).where(gad7.c._pk == first._pk).values(q2=(first.q2 or 0) + 5)
            )
            conn.execute(sa.delete(gad7).where(gad7.c._pk == second._pk))
            conn.execute(sa.insert(gad7).values(extra))

        def both(src: sa.Connection) -> tuple[list[str], list[str]]:
            with SourceDigests() as digests:
                (plan,), _, _ = fit_plans(
                    read_schema(src), [p for p in build_plan() if p.name == "gad7"]
                )
                shape = row_shape(plan)
                current = shape.columns.index("_current")
                digests.start("gad7")
                for chunk in stream_chunks(src, plan, plan.source_columns):
                    rows = [list(shape.transform(r)) for r in chunk]
                    for r in rows:
                        if r[shape.key_index[0]] == third._pk:
                            r[current] = int(r[current])  # same value, another type: another hash
                    digests.add("gad7", [shape.key(r) for r in rows], [tuple(r) for r in rows])
                digests.finish("gad7")
                with engine.connect() as dst:
                    return (
                        compare_table(src, dst, plan, digests=digests),
                        compare_table(src, dst, plan),
                    )

        hashed, full = with_snapshot(imported.source_url, both)
        assert hashed == full
        # The era counts differ (one row fewer in one era, one more in another)...
        assert sum(": era " in m for m in hashed) == 2, hashed
        # ... and the three rows are named, in key order.
        rows = [m for m in hashed if m.startswith("gad7 _pk=")]
        assert len(rows) == 3, hashed
        assert rows[0].startswith(f"gad7 _pk={first._pk} (device {first._device_id}")
        assert rows[0].endswith("values differ in q2")
        assert rows[1].startswith(f"gad7 _pk={second._pk} (device {second._device_id}")
        assert rows[1].endswith("missing in copse")
        assert rows[2].startswith(f"gad7 _pk={top + 1000} ")
        assert rows[2].endswith("in copse but not in CamCOPS")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.delete(gad7).where(gad7.c._pk == top + 1000))
            conn.execute(sa.insert(gad7).values(second._asdict()))
            conn.execute(sa.update(gad7).where(gad7.c._pk == first._pk).values(q2=first.q2))


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


# ---- After the import, the fixture's own tablets carry on uploading to copse ----
# (last in this module: their uploads make a re-import refused, so the read-only
# checks and the re-run above come first, on the same import).
#
# Each simulated tablet takes the name of a CamCOPS device and holds exactly
# that device's live records as copse imported them (era NOW, current), as the
# real tablet would.  It registers with copse (the new server address) and
# uploads: nothing changed must change nothing, an edit must become a new
# version of the imported row, and a move must finalize the imported rows.

Rows = dict[str, dict[int, dict[str, Any]]]


@dataclass
class Site:
    backend: Backend
    server: ServerProcess
    devices: list[tuple[int, str]]


def _live_rows(conn: sa.Connection, device_id: int) -> Rows | None:
    """The device's current era-NOW rows by table, or None if its state is unusual."""

    def live(t: sa.Table) -> sa.ColumnElement[bool]:
        return sa.and_(t.c._device_id == device_id, t.c._era == "NOW")

    out: Rows = {}
    tables = [T.CLIENT_TABLES[n] for n in TABLES]
    for name in sorted(tables_with_rows(conn, tables, live)):
        t = T.CLIENT_TABLES[name]
        cols = [c.name for c in TABLES[name].columns]
        for r in conn.execute(sa.select(t).where(live(t), t.c._current.is_(True))).mappings():
            if r["_addition_pending"] or r["_removal_pending"] or r["id"] in out.get(name, {}):
                return None
            out.setdefault(name, {})[r["id"]] = {c: r[c] for c in cols}
    return out


@pytest.fixture(scope="module")
def carry_site(imported: Imported, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server on the imported database, and the fixture devices a tablet can carry on."""
    tmp = Path(tmp_path_factory.mktemp(f"carry-{imported.backend.name}"))
    b = imported.backend
    server = ServerProcess(b.url, tmp / "server.log")
    try:
        chosen: list[tuple[int, str]] = []
        with b.engine.connect() as conn:
            candidates = conn.execute(
                sa.select(T.devices.c.id, T.devices.c.name)
                .where(T.devices.c.ongoing_upload_batch_utc.is_(None), T.devices.c.name != "server")
                .order_by(T.devices.c.id)
            ).all()
            for dev_id, name in candidates:
                rows = _live_rows(conn, dev_id)
                if rows and "patient" in rows and any(TABLES[t].is_task for t in rows):
                    chosen.append((dev_id, name))
        server.start()
        yield Site(b, server, chosen)
    finally:
        server.stop()


def _tablet(site: Site, index: int) -> tuple[int, Tablet]:
    dev_id, name = site.devices[index]
    tablet = Tablet(site.server.api_url, "uploader", PASSWORD, device=name)
    with site.backend.engine.connect() as conn:
        rows = _live_rows(conn, dev_id)
    assert rows
    for table, recs in rows.items():
        tablet.db[table] = recs
    tablet.register()
    return dev_id, tablet


def _all_rows(site: Site, dev_id: int) -> dict[str, set[tuple[Any, ...]]]:
    out: dict[str, set[tuple[Any, ...]]] = {}
    with site.backend.engine.connect() as conn:
        tables = [T.CLIENT_TABLES[n] for n in TABLES]
        for name in tables_with_rows(conn, tables, lambda t: t.c._device_id == dev_id):
            t = T.CLIENT_TABLES[name]
            out[name] = {
                tuple(r)
                for r in conn.execute(
                    sa.select(t.c._pk, t.c._era, t.c._current, t.c._successor_pk).where(
                        t.c._device_id == dev_id
                    )
                )
            }
    return out


def test_enough_fixture_devices(carry_site: Site) -> None:
    assert len(carry_site.devices) >= 4, carry_site.devices


@pytest.mark.parametrize(("index", "onestep"), [(0, False), (1, True)])
def test_unchanged_reupload_changes_nothing(carry_site: Site, index: int, onestep: bool) -> None:
    dev_id, tablet = _tablet(carry_site, index)
    before = _all_rows(carry_site, dev_id)
    outcome = tablet.upload("copy", onestep=onestep)
    assert outcome.ok, outcome.error
    assert _all_rows(carry_site, dev_id) == before


@pytest.mark.parametrize(("index", "onestep"), [(2, False), (3, True)])
def test_edit_becomes_new_version_of_imported_row(
    carry_site: Site, index: int, onestep: bool
) -> None:
    dev_id, tablet = _tablet(carry_site, index)
    task = next(t for t in sorted(tablet.db) if tablet.db[t] and TABLES[t].is_task)
    client_pk = min(tablet.db[task])
    tablet.edit(task, client_pk)
    ct = T.CLIENT_TABLES[task]
    live = sa.and_(ct.c._device_id == dev_id, ct.c._era == "NOW", ct.c.id == client_pk)
    with carry_site.backend.engine.connect() as conn:
        old_pk = conn.execute(sa.select(ct.c._pk).where(live, ct.c._current.is_(True))).scalar_one()
    outcome = tablet.upload("copy", onestep=onestep)
    assert outcome.ok, outcome.error
    with carry_site.backend.engine.connect() as conn:
        new = conn.execute(sa.select(ct).where(live, ct.c._current.is_(True))).mappings().one()
        old = conn.execute(sa.select(ct).where(ct.c._pk == old_pk)).mappings().one()
    assert new["_pk"] != old_pk and new["_predecessor_pk"] == old_pk
    assert not old["_current"] and old["_successor_pk"] == new["_pk"]


@pytest.mark.parametrize(("index", "onestep"), [(0, True), (1, False)])
def test_move_finalizes_imported_records(carry_site: Site, index: int, onestep: bool) -> None:
    dev_id, tablet = _tablet(carry_site, index)
    before = _all_rows(carry_site, dev_id)
    imported_now = {
        (name, pk)
        for name, rows in before.items()
        for pk, era, cur, _ in rows
        if era == "NOW" and cur
    }
    outcome = tablet.upload("move", onestep=onestep)
    assert outcome.ok, outcome.error
    after = _all_rows(carry_site, dev_id)
    finalized = {
        (name, pk)
        for name, rows in after.items()
        for pk, era, cur, _ in rows
        if era != "NOW" and cur
    }
    assert imported_now and imported_now <= finalized
    # Nothing duplicated: the same rows, no new ones.
    assert {n: {r[0] for r in rs} for n, rs in after.items()} == {
        n: {r[0] for r in rs} for n, rs in before.items()
    }
    r = CliRunner().invoke(cli, ["--db-url", carry_site.backend.url, "check-index"])
    assert r.exit_code == 0, r.output
