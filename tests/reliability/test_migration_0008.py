"""Migration 0008 fills the patients' search keys from the rows already stored."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from copse.db import migrate
from copse.index.names import name_key_differences
from copse.schema.tables import CLIENT_TABLES, patient_name_index
from tests.web import factories as fx


def test_upgrade_backfills_name_keys(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    migrate.upgrade(engine, "0004")
    with engine.begin() as conn:
        device = fx.make_device(conn, "tab")
        for cid, fore, sur in ((1, "Émilie", "Ångström"), (2, None, "O'Brien"), (3, "Zoë", None)):
            fx.make_row(
                conn,
                "patient",
                device_id=device,
                group_id=1,
                era="NOW",
                user_id=None,
                id=cid,
                forename=fore,
                surname=sur,
            )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert name_key_differences(conn) == []
        keys = conn.execute(
            sa.select(patient_name_index.c.surname_key, patient_name_index.c.forename_key).order_by(
                patient_name_index.c.patient_pk
            )
        ).all()
        assert [tuple(k) for k in keys] == [("angstrom", "emilie"), ("o'brien", ""), ("", "zoe")]
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(CLIENT_TABLES["patient"])).scalar()
            == 3
        )
    engine.dispose()
