"""Migration 0002 adds the task-schedule tables; 0001 stays what it was."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from copse.db import migrate
from copse.db.engine import make_engine
from copse.schema.tables import metadata

NEW = {"_task_schedule", "_task_schedule_item", "_patient_task_schedule"}


def test_0001_then_0002_and_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    migrate.upgrade(engine, "0001")
    assert not NEW & set(sa.inspect(engine).get_table_names())
    migrate.upgrade(engine, "0002")
    assert migrate.current_revision(engine) == "0002"
    assert NEW <= set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diffs if any(n in str(d) for n in NEW)] == []
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    names = set(sa.inspect(engine).get_table_names())
    assert not NEW & names and "patient" in names
