"""The order in which the import copies tables (``plan.build_plan``)."""

from __future__ import annotations

from copse.index.compute import entry_sources
from copse.schema.registry import TABLES
from copse.services.camcops_import.plan import build_plan


def test_parents_before_children() -> None:
    seen: set[str] = set()
    for p in build_plan():
        parents = {fk.column.table.name for fk in p.table.foreign_keys} - {p.name}
        assert parents <= seen, (p.name, parents - seen)
        seen.add(p.name)


def test_task_tables_after_what_their_index_entries_read() -> None:
    """With ``--jobs 2`` a task table's entries are computed once it is copied: the
    tables they read (``entry_sources``) come first."""
    names = [p.name for p in build_plan()]
    tasks = [n for n in names if n in TABLES and TABLES[n].is_task]
    assert len(tasks) == sum(info.is_task for info in TABLES.values())
    assert names[-len(tasks) :] == tasks
    for task in tasks:
        assert all(names.index(s) < names.index(task) for s in entry_sources(task)), task


def test_blobs_first_of_the_client_tables() -> None:
    """The copy's memory peaks with BLOB batches: then, before any task table."""
    client = [p.name for p in build_plan() if p.is_client]
    assert client[0] == "blobs"
