"""One complete instance of each task of branch cat16b, for test_task_rendering."""

from __future__ import annotations

from typing import Any

from task_test_helpers import items

from copse.schema.registry import TABLES
from copse.tasks.base import BlobInfo

COMPLETE: dict[str, tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[int, BlobInfo]]] = {
    "zbi12": (
        {**items("q", 1, 12, 1), "respondent_name": "A. Carer", "respondent_relationship": "son"},
        {},
        {},
    ),
    # --- catalogue II (cat16b)
    "dast": ({**items("q", 1, 28, "N"), "q4": "Y", "q5": "Y", "q7": "Y"}, {}, {}),
    "fast": (items("q", 1, 4, 2), {}, {}),
    "esspri": (items("q", 1, 3, 5), {}, {}),
    "fft": ({"service": "Ward 3", "rating": 1}, {}, {}),
    "gaf": ({"score": 61}, {}, {}),
    "gbogres": (
        {"date": "2024-03-01T10:00:00Z", "goal_1_description": "Sleep", "completed_by": 1},
        {},
        {},
    ),
    "gbogpc": (
        {
            "date": "2024-03-01T10:00:00Z",
            "session": 1,
            "goal_number": 1,
            "goal_description": "Sleep",
            "progress": 3,
            "whose_goal": 1,
        },
        {},
        {},
    ),
    "gbogras": (
        {
            "date": "2024-03-01T10:00:00Z",
            "rate_goal_1": 1,
            "goal_1_description": "Sleep",
            "goal_1_progress": 5,
            "completed_by": 1,
        },
        {},
        {},
    ),
    "factg": (
        {
            **items("p_q", 1, 7, 1),
            **items("s_q", 1, 7, 2),
            **items("e_q", 1, 6, 1),
            **items("f_q", 1, 7, 3),
        },
        {},
        {},
    ),  # fmt: skip
    "demqol": (items("q", 1, 29, 2), {}, {}),
    "demqolproxy": (items("q", 1, 32, 2), {}, {}),
    "frs": ({**items("q", 1, 30, 0), "q12": -99}, {}, {}),
    "das28": (
        {
            **{
                f"{s}_{j}_{k}": 0
                for s in ("left", "right")
                for k in ("swollen", "tender")
                for j in (
                    "shoulder",
                    "elbow",
                    "wrist",
                    "knee",
                    *(f"mcp_{n}" for n in range(1, 6)),
                    *(f"pip_{n}" for n in range(1, 6)),
                )
            },
            "left_knee_tender": 1,
            "vas": 30,
            "crp": 5.0,
            "esr": 12.0,
        },
        {},
        {},
    ),  # fmt: skip
    "dad": (
        {
            c.name: 1
            for c in TABLES["dad"].columns
            if c.name.split("_")[0]
            in (
                "hygiene",
                "dressing",
                "continence",
                "eating",
                "mealprep",
                "telephone",
                "outing",
                "finance",
                "medications",
                "leisure",
            )
        },
        {},
        {},
    ),  # fmt: skip
    "edeq": ({**items("q", 1, 28, 1), "mass_kg": 55.0, "height_m": 1.65}, {}, {}),
    "empsa": ({f"q{n}_{k}": 6 for n in range(1, 13) for k in ("ability", "motivation")}, {}, {}),
    "gmcpq": (
        {
            "q1": 1,
            **items("q2", 0, -1, 0),
            **{f"q2{c}": 0 for c in "abcdef"},
            "q3": 1,
            **{f"q4{c}": 5 for c in "abcdefg"},
            "q5a": 4,
            "q5b": 4,
            "q6": 1,
            "q7": 1,
            "q8": 1,
            "q10": "M",
            "q11": 2,
            "q12": 1,
        },
        {},
        {},
    ),  # fmt: skip
}
