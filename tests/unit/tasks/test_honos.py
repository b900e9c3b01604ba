"""HoNOS and HoNOS 65+: ratings 0–4 or 9, scale-8 problem type, total."""

from __future__ import annotations

import pytest
from task_test_helpers import XSS, items, summary_map, td

from copse.tasks.catalogue import get_task

BASE = {**items("q", 1, 12, 0), "period_rated": "last two weeks"}


@pytest.mark.parametrize("tablename", ["honos", "honos65"])
def test_completeness_rules(tablename: str) -> None:
    honos = get_task(tablename)
    assert honos.is_complete(td(BASE)) is True
    assert honos.is_complete(td(items("q", 1, 11, 0))) is False
    assert honos.is_complete(td({**BASE, "period_rated": None})) is False
    assert honos.is_complete(td({**BASE, "period_rated": " "})) is False
    assert honos.is_complete(td({**BASE, "q3": 9})) is True  # "not known" is a rating
    assert honos.is_complete(td({**BASE, "q3": 5})) is False
    # Scale 8 problem present: its type is needed; "J" also needs the text.
    assert honos.is_complete(td({**BASE, "q8": 2})) is False
    assert honos.is_complete(td({**BASE, "q8": 2, "q8problemtype": "C"})) is True
    assert honos.is_complete(td({**BASE, "q8": 2, "q8problemtype": "c"})) is True
    assert honos.is_complete(td({**BASE, "q8": 2, "q8problemtype": "Z"})) is False
    assert honos.is_complete(td({**BASE, "q8": 4, "q8problemtype": "J"})) is False
    assert (
        honos.is_complete(td({**BASE, "q8": 4, "q8problemtype": "J", "q8otherproblem": " "}))
        is False
    )
    assert (
        honos.is_complete(td({**BASE, "q8": 4, "q8problemtype": "J", "q8otherproblem": "Hoarding"}))
        is True
    )
    assert honos.is_complete(td({**BASE, "q8": 9})) is True  # not known: no type needed


def test_total_excludes_not_known() -> None:
    # 4+3+2+1+0+(9)+4+3+2+1+0+(9) = 20
    row = {f"q{n}": v for n, v in enumerate((4, 3, 2, 1, 0, 9, 4, 3, 2, 1, 0, 9), start=1)}
    assert summary_map(get_task("honos").summaries(td(row))) == {"total": 20}


def test_maximum() -> None:
    assert summary_map(get_task("honos65").summaries(td(items("q", 1, 12, 4)))) == {"total": 48}


def test_view_shows_problem_type_and_escapes_text() -> None:
    html = str(
        get_task("honos").render_html(
            td({**BASE, "q8": 2, "q8problemtype": "J", "q8otherproblem": XSS})
        )
    )
    assert "J — other (specify)" in html
    assert "<script" not in html and "&lt;script&gt;" in html
