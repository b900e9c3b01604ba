"""The catalogue II tasks of branch cat16b all have logic (none falls back to GenericTask)."""

from __future__ import annotations

import pytest

from copse.tasks.base import GenericTask
from copse.tasks.catalogue import get_task

CAT16B = (
    "dad das28 dast demqol demqolproxy edeq empsa esspri factg fast fft frs gaf gbogpc "
    "gbogras gbogres gmcpq"
).split()


@pytest.mark.parametrize("tablename", CAT16B)
def test_task_has_logic(tablename: str) -> None:
    task = get_task(tablename)
    assert task.has_logic
    assert not isinstance(task, GenericTask)
    assert task.tablename == tablename
