"""Migration 0010 fills the task index's patient sort key for existing entries, and downgrades."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from copse.db import migrate
from copse.db.engine import make_engine
from copse.records.tasklist import patient_sort_key
from copse.schema.tables import CLIENT_TABLES, groups
from tests.web.factories import make_device


def _cols(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("_task_index")}


def _indexes(engine: sa.Engine) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(engine).get_indexes("_task_index")}


def test_0010_fills_keys_and_downgrades(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    migrate.upgrade(engine)
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    assert "patient_sort_key" not in _cols(engine)
    assert "ix__task_index_group_id" in _indexes(engine)
    t = datetime(2024, 1, 1)
    with engine.begin() as conn:
        conn.execute(sa.insert(groups).values(id=1, name="g"))
        device = make_device(conn, "tab")
        conn.execute(
            sa.insert(CLIENT_TABLES["patient"]).values(
                _pk=7,
                _device_id=device,
                _era="NOW",
                _current=True,
                _group_id=1,
                id=1,
                surname="Ölmez",
                forename=None,
                dob="1990-05-06",
            )
        )
        for pk, patient in ((1, 7), (2, None), (3, 99)):  # a patient, none, a vanished one
            conn.execute(
                sa.text(
                    "INSERT INTO _task_index (index_entry_pk, indexed_at_utc, task_table_name, "
                    "task_pk, patient_pk, device_id, era, when_created_utc, when_created_iso, "
                    "when_added_batch_utc, group_id) VALUES (:pk, :t, 'bmi', :pk, :p, 1, 'NOW', "
                    ":t, '', :t, 1)"
                ),
                {"pk": pk, "p": patient, "t": t},
            )
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        keys = dict(
            conn.execute(sa.text("SELECT index_entry_pk, patient_sort_key FROM _task_index")).all()
        )
    none = patient_sort_key(None, None, None)
    assert {k: bytes(v) for k, v in keys.items()} == {
        1: patient_sort_key("Ölmez", None, "1990-05-06"),
        2: none,
        3: none,
    }
    assert {"ix__task_index_group_created", "ix__task_index_patient_created"} <= _indexes(engine)
    assert "ix__task_index_group_id" not in _indexes(engine)
    engine.dispose()
