"""A complete CIS-R interview (no symptoms at all), for test_task_rendering and test_cisr."""

from __future__ import annotations

from typing import Any

from copse.tasks.base import BlobInfo

NO = 1
YES = 2

# Every opening question answered "no" (phobias_mand is coded 1 = yes, so 2 here),
# the physical-health questions and the background questions answered.
NO_SYMPTOMS: dict[str, Any] = {
    "appetite1": NO,
    "appetite2": NO,
    "weight4": NO,
    "gp_year": 1,
    "disable": NO,
    **{
        c: NO
        for c in (
            "somatic_mand1",
            "somatic_mand2",
            "fatigue_mand1",
            "fatigue_mand2",
            "conc_mand1",
            "conc_mand2",
            "sleep_mand1",
            "sleep_mand2",
            "irrit_mand1",
            "irrit_mand2",
            "hypo_mand1",
            "hypo_mand2",
            "depr_mand1",
            "depr1",
            "depr_mand2",
            "worry_mand1",
            "worry_mand2",
            "anx_mand1",
            "anx_mand2",
            "panic_mand",
            "comp_mand1",
            "obsess_mand1",
        )
    },
    "phobias_mand": 2,
    **{c: 1 for c in ("overall2", "empstat", "emptype", "ethnic", "home", "married")},
}

COMPLETE: dict[str, tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[int, BlobInfo]]] = {
    "cisr": (dict(NO_SYMPTOMS), {}, {}),
}
