"""The tasks of branch cat17a have logic (issue 17, first half)."""

from __future__ import annotations

import pytest

from copse.tasks.base import GenericTask
from copse.tasks.catalogue import get_task

CAT17A = (
    "hama", "hamd", "hamd7", "honosca", "iesr", "mfi20", "panss", "maas", "pbq", "mast",
    "npiq", "nart", "ifs", "ors", "isaaq10", "isaaqed", "paradise24", "mds_updrs",
)  # fmt: skip


@pytest.mark.parametrize("tablename", CAT17A)
def test_task_has_logic(tablename: str) -> None:
    task = get_task(tablename)
    assert task.has_logic
    assert not isinstance(task, GenericTask)
