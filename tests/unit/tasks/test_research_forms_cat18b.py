"""Khandaker, Lynall and Deakin research forms: conditional completeness, views, children."""

from __future__ import annotations

from typing import Any

import pytest
from task_test_helpers import summary_map, td

from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task
from copse.tasks.instruments.khandaker_insight import CONDITION_GROUPS

# ------------------------------------------------------ Khandaker Insight
INSIGHT_NONE = {f"{key}_yn": 0 for key, _ in CONDITION_GROUPS}


def test_insight_yes_needs_a_comment() -> None:
    task = get_task("khandaker_1_medicalhistory")
    assert task.is_complete(td(INSIGHT_NONE)) is True
    assert task.is_complete(td({**INSIGHT_NONE, "epilepsy_yn": 1})) is False
    assert (
        task.is_complete(td({**INSIGHT_NONE, "epilepsy_yn": 1, "epilepsy_comment": " "})) is False
    )
    complete = {**INSIGHT_NONE, "epilepsy_yn": 1, "epilepsy_comment": "Since age 12"}
    assert task.is_complete(td(complete)) is True
    assert task.is_complete(td({**INSIGHT_NONE, "cancer_yn": None})) is False
    assert task.clinical_summary(td(complete)) == "Khandaker_Insight_Medical: history of Epilepsy"
    assert "Since age 12" in str(task.render_html(td(complete)))


# -------------------------------------------------------- MOJO medical
MOJO_MEDICAL: dict[str, Any] = {
    "diagnosis": 1,
    "diagnosis_date": "2020-01-01",
    "diagnosis_date_approximate": 0,
    "has_fibromyalgia": 0,
    "is_pregnant": 0,
    "has_infection_past_month": 0,
    "had_infection_two_months_preceding": 0,
    "has_alcohol_substance_dependence": 0,
    "smoking_status": 2,
    "alcohol_units_per_week": 21.5,
    "hospitalised_in_last_year": 0,
    **{
        f"{p}{c}": 0
        for p in ("", "family_")
        for c in (
            "depression bipolar_disorder schizophrenia autism ptsd anxiety personality_disorder "
            "intellectual_disability other_mental_illness"
        ).split()
    },
}


@pytest.mark.parametrize(
    ("yes_column", "details"),
    [
        ("other_mental_illness", "other_mental_illness_details"),
        ("hospitalised_in_last_year", "hospitalisation_details"),
        ("family_other_mental_illness", "family_other_mental_illness_details"),
    ],
)
def test_mojo_medical_details_needed_after_yes(yes_column: str, details: str) -> None:
    task = get_task("khandaker_mojo_medical")
    assert task.is_complete(td(MOJO_MEDICAL)) is True
    assert task.is_complete(td({**MOJO_MEDICAL, yes_column: 1})) is False
    assert task.is_complete(td({**MOJO_MEDICAL, yes_column: 1, details: "x"})) is True


def test_mojo_medical_alcohol_summary_and_text() -> None:
    task = get_task("khandaker_mojo_medical")
    assert summary_map(task.summaries(td(MOJO_MEDICAL))) == {"alcohol_units_weekly": 21.5}
    assert task.is_complete(td({**MOJO_MEDICAL, "smoking_status": 3})) is False
    html = str(task.render_html(td(MOJO_MEDICAL)))
    assert "Current smoker" in html and "21.5 units per week" in html
    worded = TaskData(row=MOJO_MEDICAL, strings={"diagnosis_1": "Study wording"})
    assert "Study wording" in str(task.render_html(worded))


def test_mojo_sociodemographics_needs_the_seven_questions() -> None:
    task = get_task("khandaker_mojo_sociodemographics")
    row = {
        "gender": 1,
        "ethnicity": 3,
        "with_whom_live": 2,
        "relationship_status": 1,
        "education": 4,
        "employment": 7,
        "accommodation": 6,
    }
    assert task.is_complete(td(row)) is True  # the "other" texts are optional
    for column in row:
        assert task.is_complete(td({**row, column: None})) is False
    assert task.is_complete(td({**row, "employment": 8})) is False


# ------------------------------------------- MOJO medications & therapies
TASK = "khandaker_mojo_medicationtherapy"
MED = {
    "brand_name": "Prozac",
    "chemical_name": "fluoxetine",
    "dose": "20 mg",
    "frequency": "daily",
    "duration_months": 6.0,
    "indication": "depression",
    "response": 2,
}
THERAPY = {
    "therapy": "CBT",
    "frequency": "weekly",
    "sessions_completed": 4,
    "sessions_planned": 12,
    "indication": "depression",
    "response": 1,
}


def _mt(meds: list[dict[str, Any]], therapies: list[dict[str, Any]]) -> TaskData:
    return TaskData(
        row={"id": 3},
        ancillary={
            "khandaker_mojo_medication_item": [
                {**m, "seqnum": i, "medicationtable_id": 3} for i, m in enumerate(meds, 1)
            ],
            "khandaker_mojo_therapy_item": [
                {**t, "seqnum": i, "medicationtable_id": 3} for i, t in enumerate(therapies, 1)
            ],
        },
    )


def test_medication_therapy_zero_rows() -> None:
    task = get_task(TASK)
    data = _mt([], [])
    assert task.is_complete(data) is True  # "no medications, no therapies" is an answer
    assert task.is_complete(TaskData(row={})) is False  # but not for a record without an id
    html = str(task.render_html(data))
    assert "No medications listed." in html and "No therapies listed." in html
    assert task.clinical_summary(data).endswith("medications: none; therapies: none")


def test_medication_therapy_one_row_each() -> None:
    task = get_task(TASK)
    data = _mt([MED], [THERAPY])
    assert task.is_complete(data) is True
    assert summary_map(task.summaries(data)) == {"n_medications": 1, "n_therapies": 1}
    html = str(task.render_html(data))
    assert "fluoxetine" in html and "CBT" in html and "20 mg" in html
    assert "medications: fluoxetine; therapies: CBT" in task.clinical_summary(data)


def test_medication_therapy_many_rows_and_a_gap() -> None:
    task = get_task(TASK)
    meds = [{**MED, "chemical_name": f"drug{n}"} for n in range(12)]
    data = _mt(meds, [THERAPY, THERAPY])
    assert task.is_complete(data) is True
    html = str(task.render_html(data))
    assert all(f"drug{n}" in html for n in range(12))
    body = str(task.body_html(data))
    assert body.count("<tr>") == 1 + 12 + 1 + 2  # a header and a row per item, per table
    gap = _mt([MED, {**MED, "dose": None}], [THERAPY])
    assert task.is_complete(gap) is False
    blank_text = _mt([{**MED, "brand_name": ""}], [{**THERAPY, "indication": ""}])
    assert task.is_complete(blank_text) is True
    worded = TaskData(
        row={"id": 3},
        ancillary={"khandaker_mojo_medication_item": [MED]},
        strings={"response_2": "Partial response"},
    )
    assert "2 — Partial response" in str(task.render_html(worded))


# ------------------------------------------------------------ Lynall IAM
def test_lynall_life_event_needs_severity_and_frequency_if_it_happened() -> None:
    task = get_task("lynall_iam_life")
    none = {f"q{n}_main": 0 for n in range(1, 15)}
    assert task.is_complete(td(none)) is True
    assert summary_map(task.summaries(td(none))) == {"n_events": 0}
    one = {**none, "q3_main": 1}
    assert task.is_complete(td(one)) is False
    assert task.is_complete(td({**one, "q3_severity": 2})) is False
    full = {**one, "q3_severity": 2, "q3_frequency": 1}
    assert task.is_complete(td(full)) is True
    assert summary_map(task.summaries(td(full))) == {"n_events": 1}
    assert task.is_complete(td({**none, "q14_main": None})) is False


def test_lynall_medical_follow_ups() -> None:
    task = get_task("lynall_1_iam_medical")
    base: dict[str, Any] = {
        "q1_age_first_inflammatory_sx": 2,
        "q2_when_psych_sx_started": 1,
        "q3_worst_symptom_last_month": 4,
        "q4a_symptom_timing": 1,
        "q5_antibiotics": 0,
        "q6a_inpatient_last_y": 0,
        "q7a_sx_last_2y": 0,
        "q8_smoking": 0,
        "q9_pregnant": 0,
        "q10a_effective_rx_physical": "",
        "q10b_effective_rx_psych": "",
        "q13a_behcet": 0,
        "q13b_oral_ulcers": 0,
        "q13e_genital_ulcers": 0,
        **{
            f"q{q}{letter}_{p}_{key}": 0
            for q, p in ((11, "ph"), (12, "fh"))
            for letter, key in zip(
                "abcdefgh",
                (
                    "depression bipolar schizophrenia autistic_spectrum ptsd other_anxiety "
                    "personality_disorder other_psych"
                ).split(),
                strict=True,
            )
        },
    }
    assert task.is_complete(td(base)) is True
    assert task.is_complete(td({**base, "q6a_inpatient_last_y": 1})) is False
    assert task.is_complete(td({**base, "q6a_inpatient_last_y": 1, "q6b_inpatient_weeks": 2}))
    assert task.is_complete(td({**base, "q13b_oral_ulcers": 1, "q13c_oral_age_first": 3})) is False
    ulcers = {**base, "q13b_oral_ulcers": 1, "q13c_oral_age_first": 3, "q13d_oral_scarring": 0}
    assert task.is_complete(td(ulcers)) is True
    assert task.is_complete(td({**base, "q12h_fh_other_psych": 1})) is False
    assert task.is_complete(td({**base, "q12h_fh_other_psych": 1, "q12h_fh_other_detail": "OCD"}))
    assert task.is_complete(td({**base, "q5_antibiotics": 2})) is False


# ---------------------------------------------------------------- Deakin
def test_deakin_details_after_yes_and_mri_flag() -> None:
    from copse.tasks.instruments.deakin import DeakinHealthReview

    task = get_task("deakin_1_healthreview")
    assert isinstance(task, DeakinHealthReview)
    row: dict[str, Any] = {
        f.column: 0 for f in task.fields() if f.need != "none" and f.when is None
    }
    row.update(
        ethnicity=3,
        handedness="R",
        education="Degree",
        drug_history="",
        first_antipsychotic_medication="",
    )
    assert task.is_complete(td(row)) is True
    assert task.is_complete(td({**row, "handedness": "X"})) is False
    assert task.is_complete(td({**row, "allergies": 1})) is False
    assert task.is_complete(td({**row, "allergies": 1, "allergy_details": "penicillin"})) is True
    flagged = td({**row, "mri_nonremovable_metal": 1})
    assert [f.column for f in task.risk_flags(flagged)] == ["mri_nonremovable_metal"]
    assert "Right-handed" in str(task.render_html(td(row)))
