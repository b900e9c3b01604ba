"""The scales of branch cat17b (pclc … ybocssc) have real logic, not the generic fallback."""

from __future__ import annotations

import pytest

from copse.tasks.base import GenericTask
from copse.tasks.catalogue import get_task, tasks_with_logic

CAT17B = (
    "pclc pclm pcls pdss perinatal_poem qolbasic rand36 rapid3 sfmpq2 shaps slums smast srs "
    "suppsp wsas ybocs ybocssc"
).split()


@pytest.mark.parametrize("tablename", CAT17B)
def test_task_has_logic(tablename: str) -> None:
    task = get_task(tablename)
    assert task.has_logic
    assert not isinstance(task, GenericTask)
    assert tablename in {t.tablename for t in tasks_with_logic()}
