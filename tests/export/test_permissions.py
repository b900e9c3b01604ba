"""Only users allowed to download a group's data get it; refusals leave nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from copse.accounts.users import create_group, create_user, set_membership
from copse.schema.tables import audit, group_group, users
from copse.services.export import ExportError, ExportFilter, ExportOptions
from tests.export.conftest import export, read_sqlite
from tests.export.scenario import upload_site
from tests.sync.conftest import Harness


def add_user(h: Harness, name: str, group: str | None, may_dump: bool) -> int:
    with h.engine.begin() as conn:
        uid = create_user(conn, name, f"pw-{name}-1", bcrypt_rounds=4)
        if group is not None:
            gid = conn.execute(
                sa.text("SELECT id FROM _security_groups WHERE name = :n"), {"n": group}
            ).scalar()
            if gid is None:
                gid = create_group(conn, group)
            set_membership(conn, uid, gid, may_dump_data=may_dump)
    return uid


def n_export_audits(h: Harness) -> int:
    with h.engine.connect() as conn:
        q = sa.select(sa.func.count()).select_from(audit).where(audit.c.details.like("Export%"))
        return int(conn.execute(q).scalar_one())


def test_member_without_permission_refused(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    out = tmp_path / "x.sqlite"
    with pytest.raises(ExportError, match="may not download"):
        export(h, ExportOptions("sqlite"), out, username="bob")
    assert list(tmp_path.iterdir()) == []
    assert n_export_audits(h) == 0


def test_other_group_sees_nothing_and_is_refused_ours(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    add_user(h, "carol", "ward2", may_dump=True)
    out = tmp_path / "c.sqlite"
    result = export(h, ExportOptions("sqlite"), out, username="carol")
    assert result.task_rows == 0
    got = read_sqlite(out)
    assert got["patient"] == [] and "phq9" not in got
    out.unlink()
    with pytest.raises(ExportError, match="may not download data of group"):
        export(
            h, ExportOptions("sqlite", filter=ExportFilter(group_ids=(h.group_id,))), out, "carol"
        )
    assert not out.exists()


def test_group_visibility_extends_downloads(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    add_user(h, "carol", "ward2", may_dump=True)
    with h.engine.begin() as conn:
        g2 = conn.execute(sa.text("SELECT id FROM _security_groups WHERE name = 'ward2'")).scalar()
        conn.execute(sa.insert(group_group).values(group_id=g2, can_see_group_id=h.group_id))
    result = export(h, ExportOptions("sqlite"), tmp_path / "c.sqlite", username="carol")
    assert result.task_rows == 3


def test_superuser_always(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    uid = add_user(h, "dave", None, may_dump=False)
    with h.engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.id == uid).values(superuser=True))
    assert export(h, ExportOptions("sqlite"), tmp_path / "d.sqlite", "dave").task_rows == 3


def test_unknown_group_is_bad_input(h: Harness, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="group: no group with id 999"):
        export(h, ExportOptions("csv", filter=ExportFilter(group_ids=(999,))), tmp_path / "x.zip")
    assert list(tmp_path.iterdir()) == []
