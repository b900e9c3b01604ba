"""The CamCOPS server's own task facts (names, types, computed examples), loaded once.

``tests/data/reference`` holds copies of ``shared/spec/task_summaries.json``
and ``task_examples.json``: what the reference computes is the interface that
users' analysis scripts were written against.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"

#: Summaries every reference task with summaries reports first.
STANDARD_SUMMARIES = frozenset({"is_complete", "seconds_from_creation_to_first_finish"})


@cache
def reference_summaries() -> dict[str, list[dict[str, str]]]:
    data = json.loads((REFERENCE_DIR / "task_summaries.json").read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@cache
def reference_examples() -> dict[str, list[dict[str, Any]]]:
    data = json.loads((REFERENCE_DIR / "task_examples.json").read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def same_value(expected: Any, got: Any) -> bool:
    """Reference and copse values agree (floats to 1e-6, ints and floats mixed)."""
    if isinstance(expected, bool) or isinstance(got, bool):
        # The reference writes BOOLEAN summaries as true/false or 0/1.
        flags = (True, False)
        return expected in flags and got in flags and bool(expected) == bool(got)
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        # The reference's examples are written with floats rounded to 6 places.
        return math.isclose(expected, got, rel_tol=1e-6, abs_tol=1e-9) or math.isclose(
            expected, round(got, 6), abs_tol=1e-12
        )
    return bool(expected == got)
