"""Record-style tasks: satisfaction surveys, progress note, photos, diagnoses."""

from __future__ import annotations

from typing import Any

import pytest
from task_test_helpers import XSS, assert_escaped, td

from copse.tasks.base import BlobInfo, TaskData
from copse.tasks.catalogue import get_task

PNG = BlobInfo(mimetype="image/png", filename="a.png", size=100, url="/blob/11")


# ------------------------------------------------------------ satisfaction
@pytest.mark.parametrize("tablename", ["ref_satis_gen", "ref_satis_spec", "pt_satis"])
@pytest.mark.parametrize(
    ("rating", "complete"),
    [(0, True), (4, True), (None, False), (5, False), (-1, False), ("3", False)],
)
def test_satisfaction_completeness(tablename: str, rating: Any, complete: bool) -> None:
    assert get_task(tablename).is_complete(td(rating=rating)) is complete


def test_satisfaction_has_no_summaries_and_escapes() -> None:
    task_def = get_task("ref_satis_gen")
    task = td(rating=2, service=XSS, good="<b>good</b>", bad="slow & late")
    assert task_def.summaries(task) == []
    html = str(task_def.render_html(task))
    assert "2 — average" in html
    assert "&lt;b&gt;good&lt;/b&gt;" in html and "slow &amp; late" in html
    assert_escaped(html)
    assert "Clinician" not in html  # anonymous, no clinician


# ------------------------------------------------------------ progress note
@pytest.mark.parametrize(
    ("note", "complete"), [("Seen.", True), ("", False), ("  \n ", False), (None, False)]
)
def test_progressnote_completeness(note: Any, complete: bool) -> None:
    assert get_task("progressnote").is_complete(td(note=note)) is complete


def test_progressnote_view() -> None:
    task_def = get_task("progressnote")
    html = str(
        task_def.render_html(
            td(note=f"Line 1\n{XSS}", location="Ward 1", clinician_name="Dr <i>X</i>")
        )
    )
    assert "Line 1<br>&lt;script&gt;" in html
    assert "Dr &lt;i&gt;X&lt;/i&gt;" in html  # clinician block is shown, escaped
    assert task_def.summaries(td(note="x")) == []


# ------------------------------------------------------------ photo
def test_photo_completeness_and_view() -> None:
    photo = get_task("photo")
    assert photo.is_complete(td(photo_blobid=11)) is True
    assert photo.is_complete(td(description="no picture")) is False
    html = str(
        photo.render_html(TaskData(row={"photo_blobid": 11, "description": XSS}, blobs={11: PNG}))
    )
    assert '<img class="copse-blob" src="/blob/11" alt="photograph">' in html
    assert_escaped(html)
    without_url = str(
        photo.render_html(
            TaskData(
                row={"photo_blobid": 11},
                blobs={11: BlobInfo(mimetype="image/png", filename="a.png")},
            )
        )
    )
    assert "<img" not in without_url and "not viewable" in without_url


# ------------------------------------------------------------ photo sequence
def photos(*seq: tuple[int, int | None, str]) -> dict[str, list[dict[str, Any]]]:
    return {
        "photosequence_photos": [
            {
                "id": 100 + n,
                "photosequence_id": 1,
                "seqnum": n,
                "photo_blobid": blob,
                "description": d,
            }
            for n, blob, d in seq
        ]
    }


def test_photosequence_completeness() -> None:
    ps = get_task("photosequence")
    assert (
        ps.is_complete(
            TaskData(
                row={"id": 1, "sequence_description": "Wound"}, ancillary=photos((1, 11, "day 1"))
            )
        )
        is True
    )
    assert (
        ps.is_complete(TaskData(row={"id": 1, "sequence_description": "Wound"})) is False
    )  # no photos
    assert (
        ps.is_complete(
            TaskData(row={"id": 1, "sequence_description": ""}, ancillary=photos((1, 11, "d")))
        )
        is False
    )
    assert ps.is_complete(TaskData(row={"id": 1}, ancillary=photos((1, 11, "d")))) is False


def test_photosequence_view_in_order_with_images() -> None:
    ps = get_task("photosequence")
    task = TaskData(
        row={"id": 1, "sequence_description": "Wound"},
        ancillary=photos((1, 11, "first"), (2, 12, XSS)),
        blobs={11: PNG},
    )
    html = str(ps.render_html(task))
    assert html.index("first") < html.index("Photograph 2")
    assert 'src="/blob/11"' in html
    assert "(BLOB 12 not available)" in html
    assert_escaped(html)


# ------------------------------------------------------------ diagnoses
def diagnosis(table: str, *codes: Any, date: Any = "2024-02-03") -> TaskData:
    fk = f"{table}_id"
    items = [
        {"id": n, fk: 1, "seqnum": n, "code": c, "description": f"desc {n}"}
        for n, c in enumerate(codes, start=1)
    ]
    return TaskData(row={"id": 1, "relates_to_date": date}, ancillary={f"{table}_item": items})


@pytest.mark.parametrize("table", ["diagnosis_icd10", "diagnosis_icd9cm"])
def test_diagnosis_completeness(table: str) -> None:
    task_def = get_task(table)
    assert task_def.is_complete(diagnosis(table, "F32.1", "F41.1")) is True
    assert task_def.is_complete(diagnosis(table, "F32.1", date=None)) is False
    assert task_def.is_complete(diagnosis(table)) is False  # no items
    assert task_def.is_complete(diagnosis(table, "F32.1", "")) is False
    assert task_def.is_complete(diagnosis(table, "F32.1", None)) is False
    assert task_def.summaries(diagnosis(table, "F32.1")) == []


def test_diagnosis_view() -> None:
    html = str(get_task("diagnosis_icd10").render_html(diagnosis("diagnosis_icd10", "F20.0", XSS)))
    assert "F20.0" in html and "2024-02-03" in html and "desc 2" in html
    assert_escaped(html)
    empty = str(get_task("diagnosis_icd10").render_html(diagnosis("diagnosis_icd10")))
    assert "(no diagnoses)" in empty
