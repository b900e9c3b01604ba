"""After the import, the fixture's own tablets carry on uploading to copse.

Each simulated tablet takes the name of a CamCOPS device and holds exactly
that device's live records as copse imported them (era NOW, current), as the
real tablet would.  It registers with copse (the new server address) and
uploads: nothing changed must change nothing, an edit must become a new
version of the imported row, and a move must finalize the imported rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from copse.cli import cli
from copse.db.probe import tables_with_rows
from copse.schema import tables as T
from copse.schema.registry import TABLES
from tests.support.databases import Backend, configured_backends, create_backend, drop_backend
from tests.support.server import ServerProcess
from tests.support.tablet import Tablet

PASSWORD = "Fixture-pass-123"
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


@pytest.fixture(scope="module", params=configured_backends())
def site(
    request: pytest.FixtureRequest, camcops_source: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    tmp = Path(tmp_path_factory.mktemp(f"carry-{request.param}"))
    b = create_backend(request.param, tmp)
    server = ServerProcess(b.url, tmp / "server.log")
    try:
        r = CliRunner().invoke(cli, ["--db-url", b.url, "import-camcops", camcops_source])
        assert r.exit_code == 0, r.output
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
        drop_backend(b)


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


def test_enough_fixture_devices(site: Site) -> None:
    assert len(site.devices) >= 4, site.devices


@pytest.mark.parametrize(("index", "onestep"), [(0, False), (1, True)])
def test_unchanged_reupload_changes_nothing(site: Site, index: int, onestep: bool) -> None:
    dev_id, tablet = _tablet(site, index)
    before = _all_rows(site, dev_id)
    outcome = tablet.upload("copy", onestep=onestep)
    assert outcome.ok, outcome.error
    assert _all_rows(site, dev_id) == before


@pytest.mark.parametrize(("index", "onestep"), [(2, False), (3, True)])
def test_edit_becomes_new_version_of_imported_row(site: Site, index: int, onestep: bool) -> None:
    dev_id, tablet = _tablet(site, index)
    task = next(t for t in sorted(tablet.db) if tablet.db[t] and TABLES[t].is_task)
    client_pk = min(tablet.db[task])
    tablet.edit(task, client_pk)
    ct = T.CLIENT_TABLES[task]
    live = sa.and_(ct.c._device_id == dev_id, ct.c._era == "NOW", ct.c.id == client_pk)
    with site.backend.engine.connect() as conn:
        old_pk = conn.execute(sa.select(ct.c._pk).where(live, ct.c._current.is_(True))).scalar_one()
    outcome = tablet.upload("copy", onestep=onestep)
    assert outcome.ok, outcome.error
    with site.backend.engine.connect() as conn:
        new = conn.execute(sa.select(ct).where(live, ct.c._current.is_(True))).mappings().one()
        old = conn.execute(sa.select(ct).where(ct.c._pk == old_pk)).mappings().one()
    assert new["_pk"] != old_pk and new["_predecessor_pk"] == old_pk
    assert not old["_current"] and old["_successor_pk"] == new["_pk"]


@pytest.mark.parametrize(("index", "onestep"), [(0, True), (1, False)])
def test_move_finalizes_imported_records(site: Site, index: int, onestep: bool) -> None:
    dev_id, tablet = _tablet(site, index)
    before = _all_rows(site, dev_id)
    imported_now = {
        (name, pk)
        for name, rows in before.items()
        for pk, era, cur, _ in rows
        if era == "NOW" and cur
    }
    outcome = tablet.upload("move", onestep=onestep)
    assert outcome.ok, outcome.error
    after = _all_rows(site, dev_id)
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
    r = CliRunner().invoke(cli, ["--db-url", site.backend.url, "check-index"])
    assert r.exit_code == 0, r.output
