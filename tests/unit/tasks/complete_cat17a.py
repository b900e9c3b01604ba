"""One complete instance of each task of branch cat17a, for test_task_rendering."""

from __future__ import annotations

from typing import Any

from task_test_helpers import items

from copse.tasks.base import BlobInfo

COMPLETE: dict[str, tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[int, BlobInfo]]] = {
    "hama": (items("q", 1, 14, 2), {}, {}),
    "hamd": (
        {
            **items("q", 1, 15, 1),
            "whichq16": 0,
            "q16a": 1,
            "q17": 1,
            "q18a": 0,
            **items("q", 19, 21, 0),
        },
        {},
        {},
    ),  # fmt: skip
    "hamd7": (items("q", 1, 7, 1), {}, {}),
}
