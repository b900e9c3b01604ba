"""Every task of branch cat16a has a definition with logic (not the generic fallback)."""

from __future__ import annotations

import pytest

from copse.tasks.base import GenericTask
from copse.tasks.catalogue import get_task

CAT16A = (
    "aims apeq_cpft_perinatal apeqpt aq asdas badls basdai bdi bprse cape42 caps cbir cecaq3 "
    "cesd cesdr cgi_i cgisch chit cia ciwa cope_brief"
).split()

DONE = (
    "aims",
    "asdas",
    "badls",
    "basdai",
    "bdi",
    "bprse",
    "aq",
    "cgi_i",
    "cgisch",
    "chit",
    "cia",
    "apeqpt",
    "apeq_cpft_perinatal",
    "cesd",
    "cesdr",
    "ciwa",
    "cope_brief",
    "caps",
    "cape42",
    "cbir",
    "cecaq3",
)


@pytest.mark.parametrize("tablename", DONE)
def test_task_has_logic(tablename: str) -> None:
    task = get_task(tablename)
    assert task.has_logic
    assert not isinstance(task, GenericTask)
