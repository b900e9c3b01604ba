"""CIS-R: section scores, the ICD-10 algorithm and diagnoses on constructed interviews.

Each section is filled so that every scored question scores (hand-worked from
the scoring rules in the module docstrings), then sections are combined into
interviews that reach each diagnosis.
"""

from __future__ import annotations

from typing import Any

import pytest
from complete_cisr import NO, NO_SYMPTOMS, YES
from task_test_helpers import summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.cisr_diagnosis import evaluate

CISR = get_task("cisr")

SECTION_AT_MAX: dict[str, dict[str, Any]] = {
    "somatic_symptoms": {
        "somatic_mand1": YES,
        "somatic_pain1": 2,
        "somatic_pain2": 3,
        "somatic_pain3": YES,
        "somatic_pain4": 3,
        "somatic_pain5": YES,
        "somatic_dur": 3,
    },
    "fatigue": {
        "fatigue_mand1": YES,
        "fatigue_cause1": 1,
        "fatigue_tired1": 3,
        "fatigue_tired2": YES,
        "fatigue_tired3": YES,
        "fatigue_tired4": 2,
        "fatigue_dur": 3,
    },
    "concentration_poor": {
        "conc_mand1": YES,
        "conc_mand2": YES,
        "conc1": 3,
        "conc2": YES,
        "conc3": YES,
        "conc_dur": 2,
        "conc4": YES,
        "forget_dur": 2,
    },
    "sleep_problems": {
        "sleep_mand1": YES,
        "sleep_lose1": 3,
        "sleep_lose2": 4,
        "sleep_lose3": 3,
        "sleep_emw": YES,
        "sleep_cause": 1,
        "sleep_dur": 2,
    },
    "irritability": {
        "irrit_mand1": YES,
        "irrit1": 3,
        "irrit2": YES,
        "irrit3": 3,
        "irrit4": 3,
        "irrit_dur": 2,
    },
    "hypochondria": {
        "hypo_mand1": YES,
        "hypo1": 3,
        "hypo2": YES,
        "hypo3": 3,
        "hypo4": YES,
        "hypo_dur": 2,
    },
    "depression": {
        "depr_mand1": YES,
        "depr1": YES,
        "depr_mand2": 3,
        "depr2": 3,
        "depr3": 1,
        "depr4": 2,
        "depr_content": 1,
        "depr5": 1,
        "depr_dur": 2,
        # depressive ideas are asked after depression: none of them present
        **{f"depth{n}": 1 for n in range(1, 9)},
        "depth1": 3,
        "depth2": 2,
    },
    "worry": {
        "worry_mand1": YES,
        "worry_cont1": 1,
        "worry2": 3,
        "worry3": YES,
        "worry4": 3,
        "worry5": YES,
        "worry_dur": 3,
    },
    "anxiety": {
        "anx_mand1": YES,
        "anx_phobia1": NO,
        "anx2": 3,
        "anx3": 4,
        "anx4": YES,
        "anx5": YES,
        "anx_dur": 3,
    },
    "phobias": {
        "phobias_mand": 1,
        "phobias_type1": 5,
        "phobias1": 3,
        "phobias2": YES,
        "phobias3": YES,
        "phobias4": 3,
        "phobias_dur": 2,
    },
    "panic": {
        "panic_mand": YES,
        "panic1": 3,
        "panic2": 3,
        "panic3": YES,
        "panic4": 1,
        **{f"pansym_{c}": NO for c in "abcdefghijklm"},
        "panic5": YES,
        "panic_dur": 2,
    },
    "compulsions": {
        "comp_mand1": YES,
        "comp1": 3,
        "comp2": YES,
        "comp3": YES,
        "comp4": 3,
        "comp_dur": 2,
    },
    "obsessions": {
        "obsess_mand1": YES,
        "obsess_mand2": NO,
        "obsess1": 3,
        "obsess2": YES,
        "obsess3": 3,
        "obsess4": YES,
        "obsess_dur": 2,
    },
}
DEPRESSIVE_IDEAS_ALL = {
    "depth1": 1,  # worse in the morning
    "depth2": 4,  # less interest in sex
    "depth3": YES,
    "depth4": YES,
    "depth5": 4,
    "depth6": YES,
    "depth7": YES,
    "depth8": 3,
    "depth9": 3,
    "depth10": NO,
    "doctor": NO,
}


def interview(*sections: str, **answers: Any) -> dict[str, Any]:
    row = dict(NO_SYMPTOMS)
    for s in sections:
        row.update(SECTION_AT_MAX[s])
    row.update(answers)
    return row


def summaries(row: dict[str, Any]) -> dict[str, Any]:
    return summary_map(CISR.summaries(td(row)))


def test_no_symptoms_is_complete_with_no_diagnosis() -> None:
    s = summaries(dict(NO_SYMPTOMS))
    assert CISR.is_complete(td(NO_SYMPTOMS)) is True
    assert s["score_total"] == 0
    assert (s["diagnosis_1_code"], s["diagnosis_1_text"]) == (0, "No diagnosis identified")
    assert not any(v for k, v in s.items() if k.startswith("disorder_"))


@pytest.mark.parametrize("section", sorted(SECTION_AT_MAX))
def test_each_section_scores_its_maximum(section: str) -> None:
    s = summaries(interview(section))
    assert s[f"score_{section}"] == 4
    assert s["score_total"] == 4


def test_depressive_ideas_score_five_and_flag_suicidal_thoughts() -> None:
    row = interview("depression", **DEPRESSIVE_IDEAS_ALL)
    s = summaries(row)
    assert s["score_depressive_thoughts"] == 5
    flags = {f.column for f in CISR.risk_flags(td(row))}
    assert flags == {"depth8", "depth9"}
    assert "thoughts of suicide" in CISR.clinical_summary(td(row))


def test_unanswered_routed_question_makes_the_interview_incomplete() -> None:
    row = interview("anxiety")
    del row["anx2"]
    s = summaries(row)
    assert CISR.is_complete(td(row)) is False
    assert s["diagnosis_1_text"] == "INFORMATION INCOMPLETE"
    assert s["score_total"] == 0


def test_unrouted_questions_are_not_required() -> None:
    # Nothing after a "no" opener is needed: NO_SYMPTOMS leaves them all empty.
    assert CISR.is_complete(td(interview("somatic_symptoms"))) is True


@pytest.mark.parametrize(
    ("worry5", "total", "code"),
    [(NO, 11, 0), (YES, 12, 1)],  # the ≥12 cut-off for mixed anxiety and depressive disorder
)
def test_mixed_anxiety_depression_at_the_cut_off(worry5: int, total: int, code: int) -> None:
    s = summaries(interview("somatic_symptoms", "hypochondria", "worry", worry5=worry5))
    assert (s["score_total"], s["diagnosis_1_code"]) == (total, code)
    if code:
        assert (s["diagnosis_1_text"], s["diagnosis_1_icd10"]) == (
            "Mixed anxiety and depressive disorder (mild)",
            "F41.2",
        )


def test_moderate_depression_with_somatic_syndrome_and_gad_secondary() -> None:
    s = summaries(interview("depression", "anxiety", **DEPRESSIVE_IDEAS_ALL))
    # key: mood + anhedonia = 2; other: motor, guilt, self-worth, suicidality = 4
    assert (s["depcrit1_score"], s["depcrit2_score"]) == (2, 4)
    # anhedonia, no reactivity, morning worse, motor, libido = 5 ≥ 4
    assert (s["depcrit3_score"], s["depcrit3_met_somatic_syndrome"]) == (5, True)
    assert (s["diagnosis_1_code"], s["diagnosis_1_icd10"]) == (11, "F32.11")
    assert s["diagnosis_1_text"] == "Moderate depressive episode"
    assert (s["diagnosis_2_code"], s["diagnosis_2_icd10"]) == (2, "F41.1")
    assert s["disorder_depression_mild"] and s["disorder_depression_moderate"]
    assert not s["disorder_depression_severe"]
    assert s["disorder_gad"]


def test_mild_depression_without_somatic_syndrome() -> None:
    ideas = {"depth5": 4, "depth6": YES}  # guilt and low self-worth only
    s = summaries(interview("depression", **ideas))
    assert (s["depcrit1_score"], s["depcrit2_score"]) == (2, 2)
    assert s["depcrit3_score"] == 2  # anhedonia and no reactivity
    assert (s["diagnosis_1_code"], s["diagnosis_1_icd10"]) == (10, "F32.00")
    assert not s["disorder_depression_moderate"]


def test_severe_depression() -> None:
    row = interview("depression", "fatigue", "concentration_poor", **DEPRESSIVE_IDEAS_ALL)
    s = summaries(row)
    assert (s["depcrit1_score"], s["depcrit2_score"]) == (3, 5)
    assert (s["diagnosis_1_code"], s["diagnosis_1_icd10"]) == (12, "F32.2")
    assert s["disorder_depression_severe"]


def test_short_depression_is_no_episode() -> None:
    row = interview("depression", depr_dur=1, **DEPRESSIVE_IDEAS_ALL)
    assert not summaries(row)["disorder_depression_mild"]


@pytest.mark.parametrize(
    ("phobia_type", "flag", "code", "icd"),
    [
        (1, "agoraphobia", 7, "F40.0"),
        (3, "social_phobia", 6, "F40.1"),
        (5, "specific_phobia", 5, "F40.2"),
    ],
)
def test_phobias(phobia_type: int, flag: str, code: int, icd: str) -> None:
    s = summaries(interview("phobias", phobias_type1=phobia_type))
    assert s[f"disorder_{flag}"]
    assert (s["diagnosis_1_code"], s["diagnosis_1_icd10"]) == (code, icd)


def test_phobic_anxiety_leads_into_the_phobia_section() -> None:
    row = interview("phobias", anx_mand1=YES, anx_phobia1=YES, anx_phobia2=NO, phobias_mand=None)
    assert summaries(row)["score_phobias"] == 4
    assert CISR.is_complete(td(row)) is True


def test_panic_disorder_and_panic_only_in_phobic_situations() -> None:
    s = summaries(interview("panic"))
    assert s["disorder_panic_disorder"]
    assert (s["diagnosis_1_code"], s["diagnosis_1_icd10"]) == (9, "F41.0")
    assert not summaries(interview("panic", panic5=NO))["disorder_panic_disorder"]


@pytest.mark.parametrize("sections", [("obsessions", "compulsions"), ("compulsions",)])
def test_ocd_from_obsessions_or_compulsions(sections: tuple[str, ...]) -> None:
    s = summaries(interview(*sections))
    assert s["disorder_ocd"]
    assert (s["diagnosis_1_code"], s["diagnosis_1_icd10"]) == (3, "F42")


@pytest.mark.parametrize(
    "unmet",
    [
        {"comp2": NO},  # not resisted
        {"comp3": NO},  # not distressing
        {"comp_dur": 1},  # less than two weeks
    ],
)
def test_ocd_needs_resisted_distressing_lasting_symptoms(unmet: dict[str, int]) -> None:
    s = summaries(interview("compulsions", **unmet))
    assert s["score_compulsions"] >= 2
    assert not s["disorder_ocd"]


def test_neurasthenia_and_chronic_fatigue() -> None:
    s = summaries(interview("fatigue", "somatic_symptoms", "irritability"))
    assert s["neurasthenia_score"] == 2
    assert s["disorder_cfs"]
    short = summaries(interview("fatigue", "somatic_symptoms", "irritability", fatigue_dur=2))
    assert not short["disorder_cfs"]


@pytest.mark.parametrize(
    ("answers", "change"),
    [
        ({"appetite1": YES, "weight1": NO}, 1),
        ({"appetite1": YES, "weight1": YES, "weight2": NO, "weight3": NO}, 2),
        ({"appetite1": YES, "weight1": YES, "weight2": NO, "weight3": YES}, 3),
        ({"appetite1": YES, "weight1": YES, "weight2": YES}, 1),  # deliberate loss
        ({"weight4": YES, "weight5": YES}, 4),
        ({"weight4": YES, "weight5": NO}, 2),
    ],
)
def test_weight_change(answers: dict[str, int], change: int) -> None:
    assert summaries(interview(**answers))["weight_change"] == change


def test_sleep_change_kinds() -> None:
    assert summaries(interview("sleep_problems"))["sleep_change"] == 1
    assert summaries(interview("sleep_problems", sleep_emw=NO))["sleep_change"] == 2
    more = interview(sleep_mand2=3, sleep_gain1=3, sleep_gain2=4, sleep_gain3=3, sleep_dur=2)
    s = summaries(more)
    assert (s["sleep_change"], s["score_sleep_problems"]) == (3, 4)


def test_view_shows_sections_scores_and_answers_as_text() -> None:
    row = interview("anxiety")
    html = str(CISR.render_html(td(row)))
    assert "J. Anxiety — score 4/4" in html
    assert "4 days or more" in html
    assert "6 months to 1 year" in html
    assert "Generalized anxiety disorder" in html


def test_view_names_the_secondary_diagnosis() -> None:
    row = interview("depression", "anxiety", **DEPRESSIVE_IDEAS_ALL)
    assert summaries(row)["diagnosis_2_text"] == "F41.1"  # stored as CamCOPS does
    html = str(CISR.render_html(td(row)))
    assert "Generalized anxiety disorder (mild)" in html


def test_clinical_summary_names_total_and_diagnoses() -> None:
    row = interview("depression", "anxiety", **DEPRESSIVE_IDEAS_ALL)
    line = CISR.clinical_summary(td(row))
    assert line.startswith("CIS-R: total ")
    assert "primary diagnosis: Moderate depressive episode (F32.11)" in line
    assert "secondary diagnosis: Generalized anxiety disorder (mild) (F41.1)" in line


def test_evaluate_stops_at_the_first_gap() -> None:
    row = dict(NO_SYMPTOMS)
    del row["married"]
    assert evaluate(row).walk.missing == "married"
