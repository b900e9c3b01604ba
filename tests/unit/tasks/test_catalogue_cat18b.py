"""Branch cat18b's tasks all have logic (none falls back to GenericTask)."""

from __future__ import annotations

import pytest
from complete_cat18b import CAT18B_TASKS

from copse.tasks.base import GenericTask
from copse.tasks.catalogue import get_task


@pytest.mark.parametrize("tablename", CAT18B_TASKS)
def test_task_has_logic(tablename: str) -> None:
    task = get_task(tablename)
    assert task.has_logic
    assert not isinstance(task, GenericTask)


@pytest.mark.parametrize("tablename", CAT18B_TASKS)
def test_every_column_has_a_meaning(tablename: str) -> None:
    entries = get_task(tablename).data_dictionary()
    blank = [f"{e.table}.{e.column}" for e in entries if not e.meaning]
    assert not blank


@pytest.mark.parametrize("tablename", CAT18B_TASKS)
def test_clinical_summary_is_one_line_naming_the_task(tablename: str) -> None:
    from copse.tasks.base import TaskData

    task = get_task(tablename)
    line = task.clinical_summary(TaskData(row={"id": 1}))
    assert line.startswith(task.shortname + ": ") and "\n" not in line


@pytest.mark.parametrize("tablename", CAT18B_TASKS)
def test_summary_names_do_not_repeat_column_names(tablename: str) -> None:
    """Exports put summaries beside the stored columns: a shared name would clash."""
    from copse.schema.registry import TABLES

    columns = {c.name for c in TABLES[tablename].columns}
    summaries = {s.name for s in get_task(tablename).summary_columns()}
    assert not columns & summaries
