"""EQ-5D-5L profile and VAS; CGI efficacy index; ZBI-12 total."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.instruments.cgi import efficacy_index

EQ5D = get_task("eq5d5l")
CGI = get_task("cgi")
ZBI = get_task("zbi12")


def test_eq5d5l() -> None:
    row = {"q1": 1, "q2": 2, "q3": 3, "q4": 4, "q5": 5, "health_vas": 65}
    assert EQ5D.is_complete(td(row)) is True
    assert summary_map(EQ5D.summaries(td(row))) == {
        "health_state": "12345",
        "visual_task_score": 65,
    }
    assert EQ5D.is_complete(td({**row, "q3": None})) is False
    assert summary_map(EQ5D.summaries(td({**row, "q3": None})))["health_state"] == "12945"
    assert EQ5D.is_complete(td({**row, "health_vas": None})) is False
    assert EQ5D.is_complete(td({**row, "health_vas": 101})) is False
    assert EQ5D.is_complete(td({**row, "health_vas": 0})) is True
    assert EQ5D.is_complete(td({**row, "q1": 6})) is False
    # the user guide's missing codes: 9 per dimension, 999 for the VAS
    assert summary_map(EQ5D.summaries(td({}))) == {
        "health_state": "99999",
        "visual_task_score": 999,
    }


@pytest.mark.parametrize(
    ("therapeutic", "side_effects", "index"),
    [
        (1, 1, 1),
        (1, 4, 4),
        (2, 1, 5),
        (3, 2, 10),
        (4, 4, 16),
        (0, 3, 0),
        (2, 0, 0),
        (None, 1, None),
    ],
)
def test_cgi_efficacy_index_grid(
    therapeutic: int | None, side_effects: int, index: int | None
) -> None:
    assert efficacy_index(therapeutic, side_effects) == index


def test_cgi() -> None:
    row = {"q1": 5, "q2": 2, "q3t": 2, "q3s": 3, "q3": 7}
    assert CGI.is_complete(td(row)) is True
    # (2 − 1) × 4 + 3 = 7
    assert summary_map(CGI.summaries(td(row))) == {
        "total": 14,  # 5 + 2 + the recorded index 7
        "severity": 5,
        "improvement": 2,
        "efficacy_index": 7,
    }
    assert CGI.is_complete(td({**row, "q3s": None})) is False
    assert CGI.is_complete(td({**row, "q1": 8})) is False
    assert CGI.is_complete(td({**row, "q3t": 5})) is False
    assert CGI.is_complete(td({**row, "q3": None})) is False  # recorded index needed too
    assert CGI.is_complete(td({**row, "q3": 17})) is False
    assert (
        CGI.is_complete(td({**row, "q1": 0, "q2": 0, "q3t": 0, "q3s": 0, "q3": 0})) is True
    )  # all "not assessed"


def test_zbi12() -> None:
    who = {"respondent_name": "A. Carer", "respondent_relationship": "wife"}
    assert ZBI.is_complete(td({**items("q", 1, 12, 0), **who})) is True
    assert ZBI.is_complete(td(items("q", 1, 12, 0))) is False  # respondent needed
    assert ZBI.is_complete(td({**items("q", 1, 12, 0), **who, "respondent_name": ""})) is False
    assert ZBI.is_complete(td({**items("q", 1, 11, 0), **who})) is False
    assert ZBI.is_complete(td({**items("q", 1, 12, 0), **who, "q12": 5})) is False
    assert summary_map(ZBI.summaries(td(items("q", 1, 12, 4)))) == {"total_score": 48}
    # 0+1+2+3+4 repeated: 10 + 10 + (0+1) = 21
    row = {f"q{n}": (n - 1) % 5 for n in range(1, 13)}
    assert summary_map(ZBI.summaries(td(row))) == {"total_score": 21}


def test_zbi12_shows_respondent() -> None:
    html = str(
        ZBI.render_html(
            td(
                {
                    **items("q", 1, 12, 0),
                    "respondent_name": "<b>Jo</b>",
                    "respondent_relationship": "son",
                }
            )
        )
    )
    assert "Respondent" in html and "&lt;b&gt;Jo&lt;/b&gt;" in html and "son" in html
