"""Migrations 0011-0012: MariaDB's direction-matched task-list indexes exist only there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from copse.db import migrate
from copse.schema.only_on import MYSQL_DIALECTS
from tests.support.databases import Backend, configured_backends, create_backend, drop_backend

NEWEST = {
    "ix__task_index_newest",
    "ix__task_index_group_newest",
    "ix__task_index_patient_newest",
    "ix__task_index_group_patient_newest",
    "ix__task_index_patient_desc_newest",
    "ix__task_index_group_patient_desc_newest",
}
#: The patient-order indexes of 0010, which MariaDB's replace.
ASCENDING = {"ix__task_index_patient_created", "ix__task_index_group_patient_created"}


@pytest.fixture(params=configured_backends())
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    backend = create_backend(request.param, tmp_path)
    try:
        yield backend
    finally:
        drop_backend(backend)


def _names(engine: sa.Engine) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(engine).get_indexes("_task_index")}


def _newest(engine: sa.Engine) -> set[str]:
    return _names(engine) & NEWEST


def _to(engine: sa.Engine, revision: str, *, down: bool) -> None:
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_newest_indexes_on_mariadb_only_and_downgrade(fresh: Backend) -> None:
    engine = fresh.engine
    on_mysql = engine.dialect.name in MYSQL_DIALECTS
    assert _newest(engine) == (NEWEST if on_mysql else set())
    assert _names(engine) & ASCENDING == (set() if on_mysql else ASCENDING)
    if on_mysql:
        with engine.connect() as conn:
            ddl = conn.exec_driver_sql("SHOW CREATE TABLE _task_index").one()[1]
        assert "`when_created_utc` DESC,`when_added_batch_utc` DESC,`task_table_name`" in ddl
        assert "`patient_sort_key` DESC,`when_created_utc` DESC" in ddl
    _to(engine, "0010", down=True)
    assert _newest(engine) == set()
    assert _names(engine) & ASCENDING == ASCENDING
    _to(engine, "head", down=False)
    assert _newest(engine) == (NEWEST if on_mysql else set())
    assert _names(engine) & ASCENDING == (set() if on_mysql else ASCENDING)
