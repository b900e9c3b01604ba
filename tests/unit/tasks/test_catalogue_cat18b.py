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
