"""ACE-III and Mini-ACE: domain scores, skip rules, recognition, cut-offs."""

from __future__ import annotations

from typing import Any

import pytest
from task_test_helpers import ACE3_FULL, MINIACE_FULL, items, summary_map, td

from copse.tasks.catalogue import get_task

ACE3 = get_task("ace3")
MINIACE = get_task("miniace")
ATTENTION_ITEMS = [
    *[f"attn_time{n}" for n in range(1, 6)],
    *[f"attn_place{n}" for n in range(1, 6)],
    *[f"attn_repeat_word{n}" for n in range(1, 4)],
    *[f"attn_serial7_subtraction{n}" for n in range(1, 6)],
]


def scores(row: dict[str, Any]) -> dict[str, Any]:
    return summary_map(ACE3.summaries(td(row)))


def test_full_marks() -> None:
    assert ACE3.is_complete(td(ACE3_FULL)) is True
    s = scores(ACE3_FULL)
    assert (
        s["total"],
        s["attention"],
        s["memory"],
        s["fluency"],
        s["language"],
        s["visuospatial"],
    ) == (100, 18, 26, 14, 26, 16)
    assert (s["at_or_below_88"], s["at_or_below_82"]) == (False, False)


def test_incomplete_and_invalid() -> None:
    assert ACE3.is_complete(td({**ACE3_FULL, "vsp_draw_clock": None})) is False
    assert ACE3.is_complete(td({**ACE3_FULL, "vsp_draw_clock": 6})) is False
    assert ACE3.is_complete(td({**ACE3_FULL, "vsp_copy_cube": 3})) is False
    assert ACE3.is_complete(td({**ACE3_FULL, "fluency_letters_score": 8})) is False
    assert ACE3.is_complete(td({**ACE3_FULL, "attn_time1": 2})) is False
    assert ACE3.is_complete(td({})) is False


def test_failed_practice_command_skips_and_zeroes_commands() -> None:
    row = {**ACE3_FULL, "lang_follow_command_practice": 0}
    for n in (1, 2, 3):
        row.pop(f"lang_follow_command{n}")
    assert ACE3.is_complete(td(row)) is True
    assert scores(row)["language"] == 23
    # Even if command answers were recorded, they do not score after a failed practice.
    assert scores({**ACE3_FULL, "lang_follow_command_practice": 0})["language"] == 23
    # With the practice passed, the commands are required.
    row_passed = {**row, "lang_follow_command_practice": 1}
    assert ACE3.is_complete(td(row_passed)) is False


@pytest.mark.parametrize(("correct", "points"), [(4, 2), (3, 1), (2, 0), (0, 0)])
def test_word_repetition_scoring(correct: int, points: int) -> None:
    row = {**ACE3_FULL, **{f"lang_repeat_word{n}": (1 if n <= correct else 0) for n in range(1, 5)}}
    assert scores(row)["language"] == 24 + points


def test_recognition_needed_only_for_lines_not_recalled() -> None:
    # Recall "Harry" but not "Barnes": line 1 not recalled in full; recall nothing else.
    row = {**ACE3_FULL, **items("mem_recall_address", 1, 7, 0), "mem_recall_address1": 1}
    assert ACE3.is_complete(td(row)) is False  # recognition of all five lines needed
    row.update({"mem_recognize_address1": 1, "mem_recognize_address2": 0,
                "mem_recognize_address3": 1, "mem_recognize_address4": 0,
                "mem_recognize_address5": 1})  # fmt: skip
    assert ACE3.is_complete(td(row)) is True
    # memory = recall words 3 + trial 3 7 + famous 4 + recall 1 + recognition 3 = 18
    assert scores(row)["memory"] == 18


def test_recalled_lines_score_recognition_without_testing() -> None:
    # Recall elements 1–2 (line 1) and 7 (line 5) only; recognise line 3 only.
    recall = {f"mem_recall_address{n}": int(n in (1, 2, 7)) for n in range(1, 8)}
    row = {
        **ACE3_FULL,
        **recall,
        "mem_recognize_address2": 0,
        "mem_recognize_address3": 1,
        "mem_recognize_address4": 0,
    }
    assert ACE3.is_complete(td(row)) is True
    # recognition: line 1 (recalled) + line 3 (recognised) + line 5 (recalled) = 3
    # memory = 3 + 7 + 4 + recall 3 + recognition 3 = 20
    assert scores(row)["memory"] == 20


@pytest.mark.parametrize(
    ("lost", "total", "le88", "le82"),
    [(11, 89, False, False), (12, 88, True, False), (17, 83, True, False), (18, 82, True, True)],
)
def test_cutoffs(lost: int, total: int, le88: bool, le82: bool) -> None:
    row = {**ACE3_FULL, **{name: 0 for name in ATTENTION_ITEMS[:lost]}}
    s = scores(row)
    assert (s["total"], s["at_or_below_88"], s["at_or_below_82"]) == (total, le88, le82)


def test_known_domain_scores() -> None:
    row = {
        **ACE3_FULL,
        "attn_time1": 0, "attn_serial7_subtraction5": 0,  # attention 16
        "mem_famous4": 0,  # memory 25
        "fluency_letters_score": 3, "fluency_animals_score": 5,  # fluency 8
        "lang_name_picture12": 0, "lang_name_picture11": 0,  # language 24
        "vsp_draw_clock": 3, "vsp_copy_cube": 1,  # visuospatial 13
    }  # fmt: skip
    s = scores(row)
    assert (s["attention"], s["memory"], s["fluency"], s["language"], s["visuospatial"]) == (
        16,
        25,
        8,
        24,
        13,
    )
    assert s["total"] == 86


# ------------------------------------------------------------------ Mini-ACE
MINI_REDUCIBLE = [
    *[f"attn_time{n}" for n in range(1, 5)],
    *[f"mem_recall_address{n}" for n in range(1, 8)],
]


def test_miniace_full_and_incomplete() -> None:
    assert MINIACE.is_complete(td(MINIACE_FULL)) is True
    s = summary_map(MINIACE.summaries(td(MINIACE_FULL)))
    assert (s["total"], s["attention"], s["memory"], s["fluency"], s["visuospatial"]) == (
        30,
        4,
        14,
        7,
        5,
    )
    assert MINIACE.is_complete(td({**MINIACE_FULL, "vsp_draw_clock": None})) is False
    assert MINIACE.is_complete(td({**MINIACE_FULL, "vsp_draw_clock": 6})) is False
    assert MINIACE.is_complete(td({**MINIACE_FULL, "mem_recall_address7": None})) is False


def test_miniace_known_total() -> None:
    # time 3 + trial3 5 + recall 2 + animals 4 + clock 2 = 16
    row = {
        **items("attn_time", 1, 4, 1), "attn_time4": 0,
        **items("mem_repeat_address_trial3_", 1, 7, 1),
        "mem_repeat_address_trial3_6": 0, "mem_repeat_address_trial3_7": 0,
        **items("mem_recall_address", 1, 7, 0), "mem_recall_address1": 1, "mem_recall_address2": 1,
        "fluency_animals_score": 4, "vsp_draw_clock": 2,
    }  # fmt: skip
    s = summary_map(MINIACE.summaries(td(row)))
    assert (s["total"], s["memory"]) == (16, 7)


@pytest.mark.parametrize(
    ("lost", "total", "le25", "le21"),
    [(4, 26, False, False), (5, 25, True, False), (8, 22, True, False), (9, 21, True, True)],
)
def test_miniace_cutoffs(lost: int, total: int, le25: bool, le21: bool) -> None:
    row = {**MINIACE_FULL, **{name: 0 for name in MINI_REDUCIBLE[:lost]}}
    s = summary_map(MINIACE.summaries(td(row)))
    assert (s["total"], s["at_or_below_25"], s["at_or_below_21"]) == (total, le25, le21)
