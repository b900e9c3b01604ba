"""The tasks of branch cat18a have definitions with logic, not the generic fallback."""

from __future__ import annotations

import pytest

from copse.tasks.base import GenericTask
from copse.tasks.catalogue import get_task

CAT18A = (
    "icd10depressive",
    "icd10manic",
    "icd10mixed",
    "icd10schizophrenia",
    "icd10schizotypal",
    "icd10specpd",
    "kirby_mcq",
    "cardinal_expdet",
    "cardinal_expdetthreshold",
    "ided3d",
)


@pytest.mark.parametrize("tablename", CAT18A)
def test_has_logic(tablename: str) -> None:
    task = get_task(tablename)
    assert task.has_logic
    assert not isinstance(task, GenericTask)
