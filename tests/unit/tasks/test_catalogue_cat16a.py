"""Every task of branch cat16a has a definition with logic (not the generic fallback)."""

from __future__ import annotations

import pytest

from copse.tasks.base import GenericTask
from copse.tasks.catalogue import get_task, tasks_with_logic

CAT16A = (
    "aims apeq_cpft_perinatal apeqpt aq asdas badls basdai bdi bprse cape42 caps cbir cecaq3 "
    "cesd cesdr cgi_i cgisch chit cia ciwa cope_brief"
).split()


@pytest.mark.parametrize("tablename", CAT16A)
def test_task_has_logic(tablename: str) -> None:
    task = get_task(tablename)
    assert task.has_logic
    assert not isinstance(task, GenericTask)


def test_all_twenty_one_counted_with_logic() -> None:
    with_logic = {t.tablename for t in tasks_with_logic()}
    assert set(CAT16A) <= with_logic
    assert len(CAT16A) == 21
