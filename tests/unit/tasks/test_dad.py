"""DAD: yes/applicable counts per activity, ADL group and phase; completeness."""

from __future__ import annotations

from task_test_helpers import summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.instruments.dad import ITEMS

DAD = get_task("dad")
ALL_YES = dict.fromkeys(ITEMS, 1)


def test_completeness() -> None:
    assert DAD.is_complete(td(ALL_YES)) is True
    assert DAD.is_complete(td({**ALL_YES, "hygiene_init_wash": -99})) is True
    assert DAD.is_complete(td({**ALL_YES, "hygiene_init_wash": None})) is False
    assert DAD.is_complete(td({**ALL_YES, "hygiene_init_wash": 2})) is False


def test_counts_by_hand() -> None:
    row = {
        **ALL_YES,
        "hygiene_init_teeth": -99,  # not applicable: out of both n and d
        "hygiene_exec_teeth": 0,  # no: in d only
        "telephone_plan_dial": 0,
    }
    s = summary_map(DAD.summaries(td(row)))
    assert (s["total_n"], s["total_d"]) == (37, 39)
    assert (s["hygiene_n"], s["hygiene_d"]) == (5, 6)
    assert (s["badl_n"], s["badl_d"]) == (15, 16)  # hygiene 7 + dressing 5 + toilet 2 + eat 3
    assert (s["iadl_n"], s["iadl_d"]) == (22, 23)
    assert (s["initiation_n"], s["initiation_d"]) == (12, 12)  # teeth initiation n/a
    assert (s["execution_n"], s["execution_d"]) == (16, 17)  # 17 items, teeth "no"
    assert (s["planning_n"], s["planning_d"]) == (9, 10)  # 10 items, dialling "no"
    assert s["total_percent"] == 100 * 37 / 39


def test_empty_task() -> None:
    s = summary_map(DAD.summaries(td({})))
    assert (s["total_n"], s["total_d"], s["total_percent"]) == (0, 0, None)
