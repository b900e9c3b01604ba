"""CAPS, CAPE-42 and CBI-R: completeness rules and hand-worked dimension scores."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.instruments.cape42 import DEPRESSIVE, NEGATIVE, POSITIVE
from copse.tasks.instruments.cbir import SUBSCALES

CAPS = get_task("caps")
CAPE = get_task("cape42")
CBIR = get_task("cbir")
CARER = {"respondent_name": "A. Carer", "respondent_relationship": "Wife"}


# ------------------------------------------------------------------- CAPS
def caps_row(endorsed: set[int]) -> dict[str, int]:
    row = {f"endorse{n}": int(n in endorsed) for n in range(1, 33)}
    for n in endorsed:
        row.update({f"distress{n}": 2, f"intrusiveness{n}": 3, f"frequency{n}": 5})
    return row


def test_caps_scores_endorsed_items_only() -> None:
    row = {**caps_row({1, 2, 3}), "distress4": 5}  # rating of an unendorsed item: ignored
    s = summary_map(CAPS.summaries(td(row)))
    assert s == {"total": 3, "distress": 6, "intrusiveness": 9, "frequency": 15}
    assert CAPS.is_complete(td(row)) is True


def test_caps_completeness() -> None:
    assert CAPS.is_complete(td(caps_row(set()))) is True  # all "no": nothing to rate
    row = caps_row({5})
    assert CAPS.is_complete(td({**row, "frequency5": None})) is False
    assert CAPS.is_complete(td({**row, "distress5": 6})) is False
    assert CAPS.is_complete(td({**row, "endorse9": None})) is False
    full = summary_map(CAPS.summaries(td(caps_row(set(range(1, 33))))))
    assert full == {"total": 32, "distress": 64, "intrusiveness": 96, "frequency": 160}


# ---------------------------------------------------------------- CAPE-42
def test_cape_dimensions_partition_the_42_items() -> None:
    assert sorted(POSITIVE + NEGATIVE + DEPRESSIVE) == list(range(1, 43))


def test_cape_never_counts_distress_one() -> None:
    row = items("frequency", 1, 42, 1)  # nothing ever happens
    s = summary_map(CAPE.summaries(td(row)))
    assert CAPE.is_complete(td(row)) is True
    assert (s["all_freq"], s["all_distress"], s["wt_all_freq"], s["wt_all_distress"]) == (
        42,
        42,
        1.0,
        1.0,
    )


def test_cape_hand_worked_positive_dimension() -> None:
    # Positive items: first five "often" (3) with distress 4, the rest "never".
    row = {**items("frequency", 1, 42, 1)}
    for n in POSITIVE[:5]:
        row[f"frequency{n}"] = 3
        row[f"distress{n}"] = 4
    s = summary_map(CAPE.summaries(td(row)))
    assert s["positive_frequency"] == 5 * 3 + 15 * 1  # 30
    assert s["positive_distress"] == 5 * 4 + 15 * 1  # 35
    assert s["wt_pos_freq"] == pytest.approx(30 / 20)
    assert s["wt_pos_distress"] == pytest.approx(35 / 20)
    assert (s["negative_frequency"], s["depressive_frequency"]) == (14, 8)


def test_cape_completeness_needs_distress_when_it_happens() -> None:
    row = items("frequency", 1, 42, 1)
    assert CAPE.is_complete(td({**row, "frequency7": 2})) is False
    assert CAPE.is_complete(td({**row, "frequency7": 2, "distress7": 1})) is True
    assert CAPE.is_complete(td({**row, "frequency7": 5})) is False
    assert CAPE.is_complete(td({**row, "frequency42": None})) is False


def test_cape_unanswered_frequency_as_the_reference_counts_it() -> None:
    s = summary_map(CAPE.summaries(td(frequency1=2, distress1=3)))
    # item 1 (depressive): distress 3; 41 unanswered items add 1 each to the distress sum
    assert (s["all_freq"], s["all_distress"]) == (2, 3 + 41)
    assert (s["wt_all_freq"], s["wt_all_distress"]) == (2.0, 3.0)
    assert s["wt_pos_freq"] is None and s["wt_pos_distress"] is None


# ------------------------------------------------------------------ CBI-R
@pytest.mark.parametrize(("stem", "label", "first", "last"), SUBSCALES)
def test_cbir_each_subscale_percentage(stem: str, label: str, first: int, last: int) -> None:
    row = {f"frequency{n}": 4 for n in range(first, last + 1)}
    row[f"distress{first}"] = 2  # one of the subscale's items rated: 2 / 4 = 50 %
    s = summary_map(CBIR.summaries(td(row)))
    assert s[f"{stem}_frequency_pct"] == 100.0
    assert s[f"{stem}_distress_pct"] == 50.0
    others = [v for k, v in s.items() if not k.startswith(stem + "_")]
    assert set(others) == {None}


def test_cbir_memory_example() -> None:
    # frequency 1..8 = 3,1,4,1,3,2,2,2 → 18 / 32 = 56.25 %
    row = dict(zip([f"frequency{n}" for n in range(1, 9)], (3, 1, 4, 1, 3, 2, 2, 2), strict=True))
    assert summary_map(CBIR.summaries(td(row)))["memory_frequency_pct"] == 56.25


def test_cbir_completeness() -> None:
    full = {**items("frequency", 1, 45, 0), **items("distress", 1, 45, 0), **CARER}
    assert CBIR.is_complete(td(full)) is True
    assert CBIR.is_complete(td({**full, "respondent_relationship": ""})) is False
    gap = {**full, "distress45": None}
    assert CBIR.is_complete(td(gap)) is False
    assert CBIR.is_complete(td({**gap, "confirm_blanks": 1})) is True
    assert CBIR.is_complete(td({**full, "frequency3": 5, "confirm_blanks": 1})) is False


def test_clinical_lines() -> None:
    row = items("frequency", 1, 42, 1)
    assert CAPE.clinical_summary(td(row)).startswith(
        "CAPE-42: weighted positive frequency 1.00 (distress 1.00)"
    )
    line = CBIR.clinical_summary(td(items("frequency", 1, 45, 2)))
    assert "memory and orientation 50%" in line and line.endswith("incomplete")
