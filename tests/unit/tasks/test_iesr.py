"""IES-R: completeness (event required), subscales as the reference keys them, cut-off."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.catalogue import get_task

IESR = get_task("iesr")
FULL = {**items("q", 1, 22, 0), "event": "Fire"}


def test_completeness_needs_every_item_and_the_event() -> None:
    assert IESR.is_complete(td(FULL)) is True
    assert IESR.is_complete(td({**FULL, "event": ""})) is False
    assert IESR.is_complete(td({**FULL, "event": None})) is False
    assert IESR.is_complete(td({**FULL, "q22": None})) is False
    assert IESR.is_complete(td({**FULL, "q1": 5})) is False


def test_subscales_on_a_known_row() -> None:
    # Reference example 5: avoidance 4+0+1+3+0+2+2+2 = 14 (items 5,7,8,11,12,13,17,22);
    # intrusion 3+3+4+2+1+1+0 = 14 (1,2,3,6,9,16,20);
    # hyperarousal 2+3+2+3+3+1+0 = 14 (4,10,14,15,18,19,21).
    values = (3, 3, 4, 2, 4, 2, 0, 1, 1, 3, 3, 0, 2, 2, 3, 1, 2, 3, 1, 0, 0, 2)
    row = {f"q{n}": v for n, v in enumerate(values, start=1)}
    s = summary_map(IESR.summaries(td(row)))
    assert (s["total_score"], s["avoidance_score"], s["intrusion_score"],
            s["hyperarousal_score"]) == (42, 14, 14, 14)  # fmt: skip


@pytest.mark.parametrize(("item", "subscale"), [("q14", "hyperarousal_score"),
                         ("q16", "intrusion_score"), ("q22", "avoidance_score")])  # fmt: skip
def test_each_item_in_one_subscale(item: str, subscale: str) -> None:
    s = summary_map(IESR.summaries(td({item: 4})))
    assert s[subscale] == 4 and s["total_score"] == 4
    others = {"avoidance_score", "intrusion_score", "hyperarousal_score"} - {subscale}
    assert all(s[o] == 0 for o in others)


@pytest.mark.parametrize(("total", "probable"), [(0, False), (32, False), (33, True), (88, True)])
def test_ptsd_cutoff(total: int, probable: bool) -> None:
    s = summary_map(IESR.summaries(td(fill([f"q{n}" for n in range(1, 23)], total, 4))))
    assert (s["total_score"], s["probable_ptsd"]) == (total, probable)


def test_view_uses_extra_strings_when_installed() -> None:
    from copse.tasks.base import TaskData

    html = str(IESR.render_html(TaskData(row=FULL, strings={"q1": "Installed wording"})))
    assert "Installed wording" in html and "not at all" in html
    assert "Installed wording" not in str(IESR.render_html(td(FULL)))


def test_clinical_summary() -> None:
    line = IESR.clinical_summary(td({**FULL, "q1": 4}))
    assert line.startswith("IES-R: total 4/88, below the PTSD cut-off")
    assert "incomplete" in IESR.clinical_summary(td({"q1": 4}))
