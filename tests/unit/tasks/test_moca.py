"""MoCA: section scores, the education point, the 26 cut-off, the memory index."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.base import BlobInfo, TaskData
from copse.tasks.catalogue import get_task

MOCA = get_task("moca")
FULL = {**items("q", 1, 28, 1), "q12": 3}
BINARY_ITEMS = [f"q{n}" for n in range(1, 29) if n != 12]


def test_complete_and_incomplete() -> None:
    assert MOCA.is_complete(td(FULL)) is True
    assert MOCA.is_complete(td({**FULL, "q28": None})) is False
    assert MOCA.is_complete(td({**FULL, "q12": 4})) is False  # serial 7s are 0–3
    assert MOCA.is_complete(td({**FULL, "q1": 2})) is False


def test_sections_on_known_answers() -> None:
    answers = {
        # visuospatial 1,0,1,1,0 = 3; naming 1,1,0 = 2
        "q1": 1, "q2": 0, "q3": 1, "q4": 1, "q5": 0, "q6": 1, "q7": 1, "q8": 0,
        # attention 1,0,1 + serial 7s 2 = 4; language 1,0,1 = 2; abstraction 1,1 = 2
        "q9": 1, "q10": 0, "q11": 1, "q12": 2, "q13": 1, "q14": 0, "q15": 1, "q16": 1, "q17": 1,
        # recall 1,0,0,1,0 = 2; orientation 1,1,1,1,1,0 = 5
        "q18": 1, "q19": 0, "q20": 0, "q21": 1, "q22": 0,
        "q23": 1, "q24": 1, "q25": 1, "q26": 1, "q27": 1, "q28": 0,
        "education12y_or_less": 1,
    }  # fmt: skip
    s = summary_map(MOCA.summaries(td(answers)))
    assert s["visuospatial_executive"] == 3
    assert s["naming"] == 2
    assert s["attention"] == 4
    assert s["language"] == 2
    assert s["abstraction"] == 2
    assert s["delayed_recall"] == 2
    assert s["orientation"] == 5
    assert s["total"] == 21  # 20 + 1 education point
    assert s["category"] == "Abnormal"


def test_education_point_is_capped_at_30() -> None:
    assert summary_map(MOCA.summaries(td({**FULL, "education12y_or_less": 1})))["total"] == 30
    assert summary_map(MOCA.summaries(td({**FULL, "education12y_or_less": 0})))["total"] == 30


@pytest.mark.parametrize(
    ("raw", "education", "total", "normal"),
    [
        (25, 0, 25, False),
        (26, 0, 26, True),
        (24, 1, 25, False),
        (25, 1, 26, True),
        (29, 1, 30, True),
    ],
)
def test_cutoff_boundary(raw: int, education: int, total: int, normal: bool) -> None:
    row = {
        **fill(BINARY_ITEMS, max(raw - 3, 0), 1),
        "q12": min(raw, 3),
        "education12y_or_less": education,
    }
    s = summary_map(MOCA.summaries(td(row)))
    assert (s["total"], s["category"]) == (total, "Normal" if normal else "Abnormal")


def test_memory_index_score() -> None:
    row = {
        "q18": 1, "recall_category_cue_1": 1,  # free recall wins: 3
        "q19": 0, "recall_category_cue_2": 1,  # category cue: 2
        "q20": 0, "recall_category_cue_3": 0, "recall_mc_cue_3": 1,  # multiple choice: 1
        "q21": 1,  # free: 3
        "q22": 0, "recall_category_cue_5": 0, "recall_mc_cue_5": 0,  # 0
    }  # fmt: skip
    assert summary_map(MOCA.summaries(td(row)))["memory_index_score"] == 9


def test_pictures_are_shown() -> None:
    blobs = {4: BlobInfo(mimetype="image/png", url="/b/4")}
    html = str(
        MOCA.render_html(
            TaskData(row={**FULL, "clockpicture_blobid": 4, "cubepicture_blobid": 5}, blobs=blobs)
        )
    )
    assert 'src="/b/4"' in html
    assert "(BLOB 5 not available)" in html
