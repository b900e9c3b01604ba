"""Index tests: the engine's commit paths, followed by ``update_after_changes``.

The upload engine's commit functions are wrapped so every commit updates the
index in its own transaction, exactly where the engine will call it.  (If the
engine already calls it, calling it again is harmless: it is idempotent.)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from copse.index import check_index, reindex_all
from copse.index.tasklist import list_tasks_via_index
from copse.records.tasklist import TaskFilter, TaskPage, list_tasks
from copse.schema.tables import idnum_index, task_index
from copse.sync import commit, force_finalize, onestep
from copse.sync.changes import TableChanges
from tests.support.databases import Backend
from tests.sync.conftest import Harness


class IndexHarness(Harness):
    """The engine harness, plus index assertions."""

    last_changes: list[TableChanges]

    def force_finalize(self) -> list[TableChanges]:
        now = self.tick()
        with self.engine.begin() as conn:
            return force_finalize(conn, self.device_id, self.user_id, now)

    def entries(self) -> dict[tuple[str, int], dict[str, Any]]:
        with self.engine.connect() as conn:
            return task_entries(conn)

    def entry(self, table: str, pk: int) -> dict[str, Any]:
        return self.entries()[(table, pk)]

    def assert_exact(self) -> None:
        """check_index is clean, and a full rebuild would change nothing."""
        with self.engine.connect() as conn:
            problems = check_index(conn)
            assert problems == [], "\n".join(problems)
            before = (task_entries(conn), idnum_entries(conn))
        with self.engine.connect() as conn:  # never committed: rolled back on close
            reindex_all(conn, datetime.datetime(2030, 1, 1))
            after = (task_entries(conn), idnum_entries(conn))
            conn.rollback()
        assert before == after

    def both(self, f: TaskFilter, groups: frozenset[int] | None = None, **kw: Any) -> TaskPage:
        """The direct and index task lists; asserts they are identical."""
        with self.engine.connect() as conn:
            direct = list_tasks(conn, f, groups, **kw)
            via = list_tasks_via_index(conn, f, groups, **kw)
        assert via == direct, f"filter {f}:\n direct {direct}\n index  {via}"
        return direct


def task_entries(conn: sa.Connection) -> dict[tuple[str, int], dict[str, Any]]:
    skip = {"index_entry_pk", "indexed_at_utc"}
    return {
        (r["task_table_name"], r["task_pk"]): {k: v for k, v in r.items() if k not in skip}
        for r in conn.execute(sa.select(task_index)).mappings()
    }


def idnum_entries(conn: sa.Connection) -> dict[int, dict[str, Any]]:
    return {
        r["idnum_pk"]: {k: v for k, v in r.items() if k != "indexed_at_utc"}
        for r in conn.execute(sa.select(idnum_index)).mappings()
    }


@pytest.fixture
def h(db: Backend, monkeypatch: pytest.MonkeyPatch) -> Iterator[IndexHarness]:
    orig_end = commit.end_upload
    orig_one = onestep.upload_entire_database

    def end_upload(conn: sa.Connection, ctx: Any) -> list[TableChanges]:
        # The engine itself maintains the index; this wrapper only records
        # what it committed.
        changes = orig_end(conn, ctx)
        harness.last_changes = changes
        return changes

    def upload_entire_database(conn: sa.Connection, ctx: Any, *a: Any) -> list[TableChanges]:
        changes = orig_one(conn, ctx, *a)
        harness.last_changes = changes
        return changes

    monkeypatch.setattr(commit, "end_upload", end_upload)
    monkeypatch.setattr(onestep, "upload_entire_database", upload_entire_database)
    harness = IndexHarness(db)
    yield harness
