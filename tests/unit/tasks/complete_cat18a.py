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


#: Kirby et al. (1999): the 27 questions as (smaller immediate, larger delayed, delay in days).
KIRBY_ITEMS: tuple[tuple[int, int, int], ...] = (
    (54, 55, 117), (55, 75, 61), (19, 25, 53), (31, 85, 7), (14, 25, 19), (47, 50, 160),
    (15, 35, 13), (25, 60, 14), (78, 80, 162), (40, 55, 62), (11, 30, 7), (67, 75, 119),
    (34, 35, 186), (27, 50, 21), (69, 85, 91), (49, 60, 89), (80, 85, 157), (24, 35, 29),
    (33, 80, 14), (28, 30, 179), (34, 50, 30), (25, 30, 80), (41, 75, 20), (54, 60, 111),
    (54, 80, 30), (22, 25, 136), (20, 55, 7),
)  # fmt: skip


def kirby_trials(k: float, parent_id: int = 1) -> list[dict[str, Any]]:
    """The 27 questions answered as a hyperbolic discounter with rate ``k`` would."""
    return [
        {
            "id": n,
            "kirby_mcq_id": parent_id,
            "trial": n,
            "sir": sir,
            "ldr": ldr,
            "delay_days": delay,
            "currency": "£",
            "currency_symbol_first": 1,
            "chose_ldr": int(ldr / (1 + k * delay) > sir),
        }
        for n, (sir, ldr, delay) in enumerate(KIRBY_ITEMS, start=1)
    ]


def expdet_trial(n: int, present: int, rating: int, block: int = 1, **kw: Any) -> dict[str, Any]:
    """One responded Expectation–Detection trial."""
    return {
        "id": n,
        "cardinal_expdet_id": 1,
        "trial": n,
        "block": block,
        "group_num": 1,
        "target_present": present,
        "responded": 1,
        "rating": rating,
        "cumulative_points": n,
        **kw,
    }


def threshold_trial(n: int, intensity: float, yes: int, **kw: Any) -> dict[str, Any]:
    """One answered threshold trial with a target, in the calculation sequence."""
    return {
        "id": n,
        "cardinal_expdetthreshold_id": 1,
        "trial": n,
        "target_presented": 1,
        "intensity": intensity,
        "yes": yes,
        "no": 1 - yes,
        "trial_num_in_calculation_sequence": n,
        **kw,
    }


def ided_trial(n: int, stage: int, correct: int) -> dict[str, Any]:
    """One responded ID/ED trial."""
    return {
        "id": n,
        "ided3d_id": 1,
        "trial": n,
        "stage": stage,
        "responded": 1,
        "correct": correct,
        "incorrect": 1 - correct,
    }


COMPLETE: dict[str, tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[int, BlobInfo]]] = {
    "icd10depressive": (all_bool("icd10depressive", 1), {}, {}),
    "icd10manic": (all_bool("icd10manic", 1), {}, {}),
    "icd10mixed": (all_bool("icd10mixed", 1), {}, {}),
    "icd10schizophrenia": (all_bool("icd10schizophrenia", 1), {}, {}),
    "icd10schizotypal": (all_bool("icd10schizotypal", 1), {}, {}),
    "icd10specpd": (all_bool("icd10specpd", 1, vignette="Guarded, formal"), {}, {}),
    "kirby_mcq": ({"id": 1}, {"kirby_mcq_trials": kirby_trials(0.01)}, {}),
    "cardinal_expdet": (
        {"id": 1, "finished": 1, "num_blocks": 2},
        {
            "cardinal_expdet_trials": [
                expdet_trial(1, 1, 4), expdet_trial(2, 0, 1), expdet_trial(3, 1, 2, block=2),
            ],
            "cardinal_expdet_trialgroupspec": [
                {"id": 1, "cardinal_expdet_id": 1, "group_num": 1, "cue": 0, "n_target": 2},
            ],
        },
        {},
    ),
    "cardinal_expdetthreshold": (
        {"id": 1, "finished": 1, "prompt": "Did you see it?", "theta": 0.4},
        {"cardinal_expdetthreshold_trials": [threshold_trial(1, 0.5, 1)]},
        {},
    ),
    "ided3d": (
        {"id": 1, "finished": 1, "shape_definitions_svg": "M 0 0", "colour_definitions_rgb": "red"},
        {
            "ided3d_trials": [ided_trial(1, 1, 1), ided_trial(2, 2, 0)],
            "ided3d_stages": [
                {"id": 1, "ided3d_id": 1, "stage": 1, "stage_name": "SD", "stage_passed": 1},
            ],
        },
        {},
    ),
}  # fmt: skip
