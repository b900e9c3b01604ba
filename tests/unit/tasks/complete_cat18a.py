"""One complete instance of each task of branch cat18a, for test_task_rendering."""

from __future__ import annotations

from typing import Any

from copse.schema.registry import TABLES
from copse.tasks.base import BlobInfo

DATE = "2024-03-01"


def all_bool(table: str, value: int = 0, **override: Any) -> dict[str, Any]:
    """Every yes/no column of a checklist set to ``value``, with a date."""
    row: dict[str, Any] = {
        c.name: value
        for c in TABLES[table].columns
        if c.kind == "bool" and not c.name.startswith("_") and "firstexit" not in c.name
    }
    return {**row, "date_pertains_to": DATE, "comments": "Seen with carer", **override}


COMPLETE: dict[str, tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[int, BlobInfo]]] = {
    "icd10depressive": (all_bool("icd10depressive", 1), {}, {}),
    "icd10manic": (all_bool("icd10manic", 1), {}, {}),
    "icd10mixed": (all_bool("icd10mixed", 1), {}, {}),
    "icd10schizophrenia": (all_bool("icd10schizophrenia", 1), {}, {}),
    "icd10schizotypal": (all_bool("icd10schizotypal", 1), {}, {}),
    "icd10specpd": (all_bool("icd10specpd", 1, vignette="Guarded, formal"), {}, {}),
}
