"""Behaviour every task with logic must share: complete/incomplete, HTML, escaping.

Per-instrument scoring lives in the per-task test modules; this module checks
the cross-cutting promises on one complete example per task, so a newly
added task module fails here until it has an example.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup
from task_test_helpers import ACE3_FULL, MINIACE_FULL, XSS, assert_escaped, hostile_task, items

from copse.schema.registry import TABLES
from copse.tasks.base import BlobInfo, Summary, TaskData
from copse.tasks.catalogue import get_task, tasks_with_logic

PNG = {1: BlobInfo(mimetype="image/png", filename="p.png", size=10, url="/blobs/1")}

#: tablename → (row, ancillary, blobs) of one complete instance.
COMPLETE: dict[str, tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[int, BlobInfo]]] = {
    "ref_satis_gen": (
        {"rating": 3, "service": "Memory clinic", "good": "Kind", "bad": "Slow"},
        {},
        {},
    ),
    "ref_satis_spec": ({"rating": 0}, {}, {}),
    "pt_satis": ({"rating": 4}, {}, {}),
    "progressnote": ({"note": "Seen today.\nPlan: review.", "location": "Ward 3"}, {}, {}),
    "photo": ({"photo_blobid": 1, "description": "Rash"}, {}, PNG),
    "photosequence": (
        {"id": 5, "sequence_description": "Healing wound"},
        {
            "photosequence_photos": [
                {
                    "id": 1,
                    "photosequence_id": 5,
                    "seqnum": 1,
                    "description": "Day 1",
                    "photo_blobid": 1,
                }
            ]
        },
        PNG,
    ),
    "diagnosis_icd10": (
        {"id": 2, "relates_to_date": "2024-03-01"},
        {
            "diagnosis_icd10_item": [
                {
                    "id": 1,
                    "diagnosis_icd10_id": 2,
                    "seqnum": 1,
                    "code": "F32.1",
                    "description": "Depressive episode",
                }
            ]
        },
        {},
    ),
    "diagnosis_icd9cm": (
        {"id": 2, "relates_to_date": "2024-03-01"},
        {
            "diagnosis_icd9cm_item": [
                {"id": 1, "diagnosis_icd9cm_id": 2, "seqnum": 1, "code": "296.22"}
            ]
        },
        {},
    ),
    "phq9": (items("q", 1, 10, 1), {}, {}),
    "phq8": (items("q", 1, 8, 1), {}, {}),
    "phq15": (items("q", 1, 15, 1), {}, {}),
    "gad7": (items("q", 1, 7, 1), {}, {}),
    "bmi": ({"height_m": 1.8, "mass_kg": 81.0, "waist_cm": 90.0, "comment": "fasting"}, {}, {}),
    "audit": ({**items("q", 1, 8, 1), "q9": 2, "q10": 4}, {}, {}),
    "audit_c": (items("q", 1, 3, 1), {}, {}),
    "hads": (items("q", 1, 14, 1), {}, {}),
    "hads_respondent": ({**items("q", 1, 14, 1), "respondent_name": "A. Carer"}, {}, {}),
    "core10": (items("q", 1, 10, 1), {}, {}),
    "pcl5": (items("q", 1, 20, 1), {}, {}),
    "epds": (items("q", 1, 10, 1), {}, {}),
    "honos": (
        {**items("q", 1, 12, 1), "q8problemtype": "A", "period_rated": "last 2 weeks"},
        {},
        {},
    ),
    "honos65": ({**items("q", 1, 12, 0), "period_rated": "last month"}, {}, {}),
    "bprs": (items("q", 1, 20, 1), {}, {}),
    "moca": (
        {**items("q", 1, 28, 1), "q12": 3, "education12y_or_less": 0, "clockpicture_blobid": 1},
        {},
        PNG,
    ),
    "ace3": (ACE3_FULL, {}, PNG),
    "miniace": (MINIACE_FULL, {}, {}),
    "wemwbs": (items("q", 1, 14, 3), {}, {}),
    "swemwbs": (items("q", 1, 7, 3), {}, {}),
    "cage": ({"q1": "Y", "q2": "N", "q3": "N", "q4": "N"}, {}, {}),
    "pswq": (items("q", 1, 16, 3), {}, {}),
    "gds15": (items("q", 1, 15, "N"), {}, {}),
    "eq5d5l": ({**items("q", 1, 5, 1), "health_vas": 80}, {}, {}),
    "cgi": ({"q1": 4, "q2": 3, "q3t": 2, "q3s": 1, "q3": 5}, {}, {}),
    "distressthermometer": ({"distress": 5, **items("q", 1, 36, 0), "other": "Money"}, {}, {}),
    # --- cat17b: pclc … ybocssc ---
    "pclc": (items("q", 1, 17, 3), {}, {}),
    "pclm": (items("q", 1, 17, 2), {}, {}),
    "pcls": ({**items("q", 1, 17, 4), "event": "Crash", "eventdate": "2020"}, {}, {}),
    "pdss": (items("q", 1, 7, 2), {}, {}),
    "qolbasic": ({"tto": 7.5, "rs": 60.0}, {}, {}),
    "shaps": (items("q", 1, 14, 2), {}, {}),
    "smast": (items("q", 1, 13, "N"), {}, {}),
    "srs": (
        {
            "q_session": 2,
            "q_date": "2024-03-01",
            "q_relationship": 9.1,
            "q_goals": 8.0,
            "q_approach": 9.5,
            "q_overall": 9.9,
        },
        {},
        {},
    ),
    "wsas": ({"retired_etc": 0, **items("q", 1, 5, 4)}, {}, {}),
    "perinatal_poem": (
        {
            "qa": 1,
            "qb": 2,
            "q1a": 2,
            "q1b": 4,
            **{f"q2{c}": 3 for c in "abcdefghijkl"},
            **{f"q3{c}": 4 for c in "abcdef"},
            "future_participation": 1,
            "general_comments": "Thanks",
            "contact_details": "By post",
        },
        {},
        {},
    ),
    "rand36": (items("q", 1, 36, 1), {}, {}),
    "rapid3": ({**{f"q1{c}": 1 for c in "abcdefghijklm"}, "q2": 4.5, "q3": 3.0}, {}, {}),
    "sfmpq2": (items("q", 1, 22, 3), {}, {}),
    "slums": (
        {
            "alert": 1,
            "highschooleducation": 1,
            "q1": 1,
            "q2": 1,
            "q3": 1,
            "q5a": 1,
            "q5b": 2,
            "q6": 3,
            **{f"q7{c}": 1 for c in "abcde"},
            "q8b": 1,
            "q8c": 1,
            "q9a": 2,
            "q9b": 2,
            "q10a": 1,
            "q10b": 1,
            **{f"q11{c}": 2 for c in "abcd"},
            "clockpicture_blobid": 1,
            "comments": "Cooperative",
        },
        {},
        PNG,
    ),
    "suppsp": (items("q", 1, 20, 2), {}, {}),
    "ybocs": (
        {
            **items("q", 1, 19, 1),
            "q1b": 1,
            "q6b": 1,
            "target_obsession_1": "Germs",
            **{
                f"target_{k}_{n}": f"{k} {n}"
                for k in ("obsession", "compulsion", "avoidance")
                for n in (1, 2, 3)
            },
        },
        {},
        {},
    ),
    "ybocssc": (
        {
            "obs_aggressive_harm_self_current": 1,
            "com_cleaning_handwashing_principal": 1,
            "obs_misc_other_current": 1,
            "obs_misc_other_detail": "Lucky numbers",
        },
        {},
        {},
    ),
    # --- end cat17b ---
}

# Catalogue helpers each keep their complete examples in a module of their own
# (``complete_<branch>.py`` exporting ``COMPLETE``), so parallel branches add
# tasks without editing the same lines of this file.
for _path in sorted(Path(__file__).parent.glob("complete_*.py")):
    _extra = importlib.import_module(_path.stem).COMPLETE
    assert not set(_extra) & set(COMPLETE), f"{_path.name} repeats examples"
    COMPLETE.update(_extra)

LOGIC_TABLES = sorted(t.tablename for t in tasks_with_logic())


def complete_task(tablename: str) -> TaskData:
    row, children, blobs = COMPLETE[tablename]
    return TaskData(row=row, ancillary=children, blobs=blobs)


def test_every_task_with_logic_has_an_example() -> None:
    assert sorted(COMPLETE) == LOGIC_TABLES


@pytest.mark.parametrize("tablename", LOGIC_TABLES)
def test_complete_example_is_complete(tablename: str) -> None:
    assert get_task(tablename).is_complete(complete_task(tablename)) is True


@pytest.mark.parametrize("tablename", LOGIC_TABLES)
def test_all_null_record_is_incomplete_and_renders(tablename: str) -> None:
    task_def = get_task(tablename)
    empty = TaskData(row={c.name: None for c in TABLES[tablename].columns})
    assert task_def.is_complete(empty) is False
    html = task_def.render_html(empty)
    assert isinstance(html, Markup)
    assert 'class="copse-incomplete"' in html
    for s in task_def.summaries(empty):
        assert isinstance(s, Summary)


@pytest.mark.parametrize("tablename", LOGIC_TABLES)
def test_complete_record_renders_summaries(tablename: str) -> None:
    task_def = get_task(tablename)
    html = task_def.render_html(complete_task(tablename))
    assert isinstance(html, Markup)
    assert html.startswith(f'<div class="copse-task copse-task-{tablename}">')
    assert 'class="copse-complete"' in html
    for s in task_def.html_summaries(complete_task(tablename)):
        assert s.name in html
        assert isinstance(s.value, (int, float, str, bool, type(None)))
        assert s.description


@pytest.mark.parametrize("tablename", LOGIC_TABLES)
def test_hostile_values_everywhere_are_escaped(tablename: str) -> None:
    task_def = get_task(tablename)
    hostile = hostile_task(tablename, [a.tablename for a in task_def.ancillary])
    html = str(task_def.render_html(hostile))
    assert_escaped(html)
    assert "javascript:" not in html
    task_def.summaries(hostile)  # must not raise on nonsense values


@pytest.mark.parametrize("tablename", LOGIC_TABLES)
def test_text_answers_are_escaped_in_complete_records(tablename: str) -> None:
    """A script tag in every text column of an otherwise complete record."""
    task_def = get_task(tablename)
    row, children, blobs = COMPLETE[tablename]
    text_cols = [c.name for c in TABLES[tablename].columns if c.kind == "text"]
    hostile_row = {**row, **{c: XSS for c in text_cols}}
    html = str(task_def.render_html(TaskData(row=hostile_row, ancillary=children, blobs=blobs)))
    assert "<script" not in html
    # Every text column is shown somewhere in the view, escaped.
    assert html.count("&lt;script&gt;") >= len(text_cols)


@pytest.mark.parametrize("tablename", LOGIC_TABLES)
def test_standard_summaries(tablename: str) -> None:
    task_def = get_task(tablename)
    row = {
        **COMPLETE[tablename][0],
        "when_created": "2024-01-01T10:00:00.000+00:00",
        "when_firstexit": "2024-01-01T10:02:30.000+00:00",
        "firstexit_is_finish": 1,
    }
    std = task_def.standard_summaries(TaskData(row=row, ancillary=COMPLETE[tablename][1]), "2.4.24")
    assert [(s.name, s.value) for s in std] == [
        ("is_complete", True),
        ("seconds_from_creation_to_first_finish", 150.0),
        ("camcops_server_version", "2.4.24"),
    ]
