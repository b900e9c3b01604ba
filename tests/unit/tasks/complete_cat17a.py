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
    "honosca": ({**items("q", 1, 15, 1), "period_rated": "Last two weeks"}, {}, {}),
    "iesr": ({**items("q", 1, 22, 1), "event": "Road accident"}, {}, {}),
    "mfi20": (items("q", 1, 20, 3), {}, {}),
    "panss": ({**items("p", 1, 7, 2), **items("n", 1, 7, 2), **items("g", 1, 16, 2)}, {}, {}),
    "maas": (items("q", 1, 19, 4), {}, {}),
    "pbq": (items("q", 1, 25, 0), {}, {}),
    "mast": (items("q", 1, 24, "N"), {}, {}),
    "npiq": (
        {**items("endorsed", 1, 12, 0), "endorsed3": 1, "severity3": 2, "distress3": 0},
        {},
        {},
    ),
    "nart": (
        {
            w: 1
            for w in (
                "chord ache depot aisle bouquet psalm capon deny nausea debt "
                "courteous rarefy equivocal naive catacomb gaoled thyme heir radix assignate "
                "hiatus subtle procreate gist gouge superfluous simile banal quadruped cellist "
                "facade zealot drachm aeon placebo abstemious detente idyll puerperal aver gauche "
                "topiary leviathan beatify prelate sidereal demesne syncope labile campanile"
            ).split()
        },
        {},
        {},
    ),  # fmt: skip
    "ifs": (
        {
            "q1": 3,
            "q2": 3,
            "q3": 3,
            "q5": 2,
            **items("q6_seq", 1, 4, 1),
            **items("q7_proverb", 1, 3, 0.5),
            **items("q8_sentence", 1, 3, 2),
            "q4_len2_1": 1,
            "q4_len3_1": 0,
            "q4_len3_2": 1,
            "q4_len4_1": 0,
            "q4_len4_2": 0,
        },
        {},
        {},
    ),  # fmt: skip
    "ors": (
        {
            "q_session": 2,
            "q_date": "2024-05-06",
            "q_who": 1,
            "q_who_other": "Mother",
            "q_individual": 5.5,
            "q_interpersonal": 6.0,
            "q_social": 7.25,
            "q_overall": 4.0,
        },
        {},
        {},
    ),  # fmt: skip
    "isaaq10": ({**items("a", 1, 10, 2), **items("b", 1, 10, 3)}, {}, {}),
    "isaaqed": (items("e", 11, 20, 1), {}, {}),
    "paradise24": (items("q", 1, 24, 1), {}, {}),
    "mds_updrs": (
        {
            "q1a": 0,
            **{f"q1_{n}": 1 for n in range(1, 14)},
            "q1_6a": 2,
            **{f"q2_{n}": 1 for n in range(1, 14)},
            "q3a": 1,
            "q3b": 1,
            "q3c": 1,
            "q3c1": 90.0,
            **{
                c: 1
                for c in (
                    "q3_1 q3_2 q3_3a q3_3b q3_3c q3_3d q3_3e q3_4a q3_4b q3_5a q3_5b "
                    "q3_6a q3_6b q3_7a q3_7b q3_8a q3_8b q3_9 q3_10 q3_11 q3_12 q3_13 "
                    "q3_14 q3_15a q3_15b q3_16a q3_16b q3_17a q3_17b q3_17c q3_17d "
                    "q3_17e q3_18"
                ).split()
            },
            "q3_dyskinesia_present": 0,
            "q3_hy_stage": 2,
            **{f"q4_{n}": 0 for n in range(1, 7)},
        },
        {},
        {},
    ),  # fmt: skip
}
