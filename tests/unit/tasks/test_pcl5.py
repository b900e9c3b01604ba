"""PCL-5: total, cluster scores and the DSM-5 symptom-cluster rule."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

PCL5 = get_task("pcl5")
# Minimal pattern that meets the rule: 1 of B, 1 of C, 2 of D, 2 of E at ≥2.
MINIMAL = {**items("q", 1, 20, 0), "q1": 2, "q6": 2, "q8": 2, "q9": 2, "q15": 2, "q16": 2}


def test_complete_and_incomplete() -> None:
    assert PCL5.is_complete(td(items("q", 1, 20, 0))) is True
    assert PCL5.is_complete(td(items("q", 1, 19, 0))) is False
    assert PCL5.is_complete(td({**items("q", 1, 20, 0), "q20": 5})) is False


def test_minimal_positive_pattern() -> None:
    s = summary_map(PCL5.summaries(td(MINIMAL)))
    assert s == {
        "total": 12,
        "cluster_B": 2,
        "cluster_C": 2,
        "cluster_D": 4,
        "cluster_E": 4,
        "ptsd": True,
        # each cluster's minimum of items rated ≥2: B 1, C 1, D 2, E 2 → 6
        "num_symptomatic": 6,
        "num_symptomatic_B": 1,
        "num_symptomatic_C": 1,
        "num_symptomatic_D": 2,
        "num_symptomatic_E": 2,
    }


@pytest.mark.parametrize(
    "drop",
    ["q1", "q6", "q8", "q15"],  # removes the only B, the only C, one of two D, one of two E
)
def test_each_cluster_is_needed(drop: str) -> None:
    assert summary_map(PCL5.summaries(td({**MINIMAL, drop: 1})))["ptsd"] is False


def test_items_rated_one_do_not_count() -> None:
    s = summary_map(PCL5.summaries(td(items("q", 1, 20, 1))))
    assert (s["total"], s["ptsd"]) == (20, False)


def test_maximum() -> None:
    s = summary_map(PCL5.summaries(td(items("q", 1, 20, 4))))
    assert (s["total"], s["cluster_B"], s["cluster_C"], s["cluster_D"], s["cluster_E"]) == (
        80,
        20,
        8,
        28,
        24,
    )
    assert s["ptsd"] is True
