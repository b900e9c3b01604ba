"""One complete instance of each task of branch cat16a, for test_task_rendering."""

from __future__ import annotations

from typing import Any

from task_test_helpers import items

from copse.tasks.base import BlobInfo

CARER = {"respondent_name": "A. Carer", "respondent_relationship": "Daughter"}

COMPLETE: dict[str, tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[int, BlobInfo]]] = {
    "aims": ({**items("q", 1, 10, 1), "q11": 0, "q12": 1}, {}, {}),
    "bdi": ({**items("q", 1, 21, 1), "bdi_scale": "BDI-II"}, {}, {}),
    "bprse": (items("q", 1, 24, 2), {}, {}),
    "badls": ({**items("q", 1, 20, "b"), **CARER}, {}, {}),
    "basdai": (items("q", 1, 6, 5.0), {}, {}),
    "asdas": ({**items("q", 1, 4, 5), "q5": 10.0, "q6": 20.0}, {}, {}),
}
