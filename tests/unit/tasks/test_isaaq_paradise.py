"""ISAAQ-10, ISAAQ-ED and PARADISE 24: completeness and the sums we add."""

from __future__ import annotations

from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

ISAAQ10 = get_task("isaaq10")
ISAAQED = get_task("isaaqed")
PARADISE = get_task("paradise24")


def test_isaaq10() -> None:
    full = {**items("a", 1, 10, 5), **items("b", 1, 10, 5)}
    assert ISAAQ10.is_complete(td(full)) is True
    assert ISAAQ10.is_complete(td({**full, "b10": None})) is False
    assert ISAAQ10.is_complete(td({**full, "a1": 6})) is False
    # Part B (activities) is not part of the severity score.
    assert summary_map(ISAAQ10.summaries(td(full))) == {"severity_score": 50}
    assert summary_map(ISAAQ10.summaries(td(items("b", 1, 10, 5)))) == {"severity_score": 0}
    # Reference example 1 part A: 4+5+0+2+3+5+1+5+1+5 = 31.
    part_a = dict(zip([f"a{n}" for n in range(1, 11)], (4, 5, 0, 2, 3, 5, 1, 5, 1, 5), strict=True))
    assert summary_map(ISAAQ10.summaries(td(part_a))) == {"severity_score": 31}


def test_isaaqed_completeness_only() -> None:
    assert ISAAQED.is_complete(td(items("e", 11, 20, 0))) is True
    assert ISAAQED.is_complete(td(items("e", 11, 19, 0))) is False
    assert ISAAQED.summaries(td(items("e", 11, 20, 3))) == []
    assert "E11" in str(ISAAQED.render_html(td(items("e", 11, 20, 3))))


def test_paradise24() -> None:
    assert PARADISE.is_complete(td(items("q", 1, 24, 2))) is True
    assert PARADISE.is_complete(td({**items("q", 1, 24, 2), "q5": 3})) is False
    assert summary_map(PARADISE.summaries(td(items("q", 1, 24, 2)))) == {"total": 48}
    assert summary_map(PARADISE.summaries(td({"q1": 1, "q24": 2}))) == {"total": 3}
    assert "a lot of difficulties" in str(PARADISE.render_html(td(q1=2)))
