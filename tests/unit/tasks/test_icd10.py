"""ICD-10 checklists: the category reached at each DCR-10 boundary, with unknowns."""

from __future__ import annotations

from typing import Any

import pytest
from complete_cat18a import all_bool
from task_test_helpers import summary_map, td

from copse.tasks.catalogue import get_task

DEP = get_task("icd10depressive")
MANIC = get_task("icd10manic")
MIXED = get_task("icd10mixed")
SZ = get_task("icd10schizophrenia")
SZTYP = get_task("icd10schizotypal")
PD = get_task("icd10specpd")

ADDITIONAL = ("sleep", "worth", "appetite", "guilt", "concentration", "activity", "death")
SOMATIC = (
    "somatic_anhedonia",
    "somatic_emotional_unreactivity",
    "somatic_early_morning_waking",
    "somatic_mood_worse_morning",
    "somatic_psychomotor",
    "somatic_appetite",
    "somatic_weight",
    "somatic_libido",
)


def dep_row(n_core: int, n_additional: int, **kw: Any) -> dict[str, Any]:
    """No symptoms, then the first n core and n additional ones present; 2 weeks' duration."""
    row = all_bool("icd10depressive", 0, duration_at_least_2_weeks=1)
    for col in ("mood", "anhedonia", "energy")[:n_core]:
        row[col] = 1
    for col in ADDITIONAL[:n_additional]:
        row[col] = 1
    return {**row, **kw}


def dep(row: dict[str, Any]) -> dict[str, Any]:
    return summary_map(DEP.summaries(td(row)))


# --------------------------------------------------------------- depressive
@pytest.mark.parametrize(
    ("n_core", "n_additional", "episode"),
    [
        (2, 1, "Not a depressive episode"),  # 3 in all
        (2, 2, "Mild depressive episode"),  # 4 in all
        (2, 3, "Mild depressive episode"),  # 5
        (2, 4, "Moderate depressive episode"),  # 6
        (1, 7, "Not a depressive episode"),  # 8 in all but only one core
        (3, 4, "Moderate depressive episode"),  # 7
        (3, 5, "Severe depressive episode without psychotic symptoms"),  # 8, all core
        (2, 7, "Moderate depressive episode"),  # 9 but only two core
        (3, 7, "Severe depressive episode without psychotic symptoms"),  # 10
    ],
)
def test_depressive_counts(n_core: int, n_additional: int, episode: str) -> None:
    s = dep(dep_row(n_core, n_additional))
    assert s["category"] == f"{episode} (without somatic syndrome)"
    assert (s["n_core"], s["n_additional"]) == (n_core, n_additional)
    assert s["n_total"] == n_core + n_additional
    assert s["psychosis_or_stupor"] is False


def test_depressive_duration_and_clinical_severity() -> None:
    assert dep(dep_row(3, 7, duration_at_least_2_weeks=0))["category"].startswith("Not a")
    # A clinically severe episode is severe whatever the counts or duration.
    s = dep(dep_row(1, 1, duration_at_least_2_weeks=0, severe_clinically=1))
    assert s["category"].startswith("Severe depressive episode without psychotic")


@pytest.mark.parametrize(
    "column", ["hallucinations_other", "delusions_other", "stupor", "delusions_schizophrenic"]
)
def test_depressive_psychotic_symptoms(column: str) -> None:
    s = dep(dep_row(3, 5, **{column: 1}))
    assert s["category"].startswith("Severe depressive episode with psychotic symptoms")
    assert s["psychosis_or_stupor"] is True
    # Psychotic symptoms do not make a moderate episode severe.
    assert dep(dep_row(2, 4, **{column: 1}))["category"].startswith("Moderate")


@pytest.mark.parametrize(
    ("n_somatic", "unknown", "qualifier"),
    [
        (3, 0, "without somatic syndrome"),
        (4, 0, "with somatic syndrome"),
        (3, 1, "somatic syndrome: unknown"),
        (4, 4, "with somatic syndrome"),
        (0, 3, "without somatic syndrome"),
    ],
)
def test_somatic_syndrome_needs_four(n_somatic: int, unknown: int, qualifier: str) -> None:
    row = dep_row(2, 2)
    for i, col in enumerate(SOMATIC):
        row[col] = 1 if i < n_somatic else (None if i < n_somatic + unknown else 0)
    s = dep(row)
    assert s["category"] == f"Mild depressive episode ({qualifier})"
    assert s["n_somatic"] == n_somatic


def test_depressive_unknowns() -> None:
    # One core symptom rated, the other two blank: could still reach mild.
    row = dep_row(1, 3, anhedonia=None, energy=None)
    assert dep(row)["category"].startswith("Unknown")
    assert DEP.is_complete(td(row)) is False
    # Blanks that cannot change the result: one core, the rest blank but
    # duration not met → not an episode.
    row = dep_row(1, 0, anhedonia=None, duration_at_least_2_weeks=0)
    assert dep(row)["category"].startswith("Not a depressive episode")
    s = dep({})
    assert s["category"] == "Unknown (somatic syndrome: unknown)"
    assert s["psychosis_or_stupor"] is None


def test_depressive_completeness_and_flag() -> None:
    row = dep_row(2, 2)
    assert DEP.is_complete(td(row)) is True
    assert DEP.is_complete(td({**row, "date_pertains_to": None})) is False
    assert DEP.is_complete(td({**row, "mood": 2})) is False
    assert DEP.risk_flags(td(row)) == []
    flags = DEP.risk_flags(td(dep_row(2, 7)))
    assert [f.column for f in flags] == ["death"]
    line = DEP.clinical_summary(td(dep_row(2, 7)))
    assert "Moderate depressive episode" in line and "suicid" in line


# ------------------------------------------------------------------- manic
def manic_row(*symptoms: str, **kw: Any) -> dict[str, Any]:
    row = all_bool("icd10manic", 0)
    row.update({s: 1 for s in symptoms})
    return {**row, **kw}


MANIA = {
    "mood_elevated": 1,
    "sustained7days": 1,
    "severe_interference_functioning": 1,
    "sustained4days": 1,
}


def category(row: dict[str, Any]) -> Any:
    return summary_map(MANIC.summaries(td(row)))["category"]


@pytest.mark.parametrize(
    ("symptoms", "mood", "expected"),
    [
        (("grandiosity", "flight_of_ideas", "talkativeness"), "mood_elevated", "Manic"),
        (("grandiosity", "flight_of_ideas"), "mood_elevated", "No"),
        (("grandiosity", "flight_of_ideas", "talkativeness"), "mood_irritable", "No"),
        (("grandiosity", "flight_of_ideas", "talkativeness", "sexual"), "mood_irritable", "Manic"),
    ],
)
def test_mania_symptom_counts(symptoms: tuple[str, ...], mood: str, expected: str) -> None:
    row = manic_row(*symptoms, **{**MANIA, "mood_elevated": 0, mood: 1})
    cat = category(row)
    if expected == "Manic":
        assert cat == "Manic episode without psychotic symptoms"
    else:
        # Too few for mania; grandiosity and flight of ideas do not count for
        # hypomania and there is no "some interference" rating either.
        assert cat == "No manic/hypomanic episode"


def test_mania_duration_or_admission() -> None:
    base = manic_row("activity", "sleep", "sexual", **MANIA)
    assert category({**base, "sustained7days": 0}) == "No manic/hypomanic episode"
    assert category({**base, "sustained7days": 0, "admission_required": 1}).startswith("Manic")
    assert category({**base, "severe_interference_functioning": 0}).startswith("No manic")


def test_mania_psychotic_types() -> None:
    base = manic_row("activity", "sleep", "sexual", **MANIA)
    s = summary_map(MANIC.summaries(td({**base, "delusions_other": 1})))
    assert s == {"category": "Manic episode with psychotic symptoms", "psychotic_symptoms": True}
    assert "no-man" in category({**base, "hallucinations_schizophrenic": 1})
    both = {**base, "hallucinations_schizophrenic": 1, "hallucinations_other": 1}
    assert category(both) == "Manic episode with psychotic symptoms"
    # Perceptual alterations are not psychotic symptoms.
    assert category({**base, "perceptual_alterations": 1}).endswith("without psychotic symptoms")


@pytest.mark.parametrize(
    ("n", "expected"), [(2, "No manic/hypomanic episode"), (3, "Hypomanic episode")]
)
def test_hypomania_needs_three(n: int, expected: str) -> None:
    symptoms = ("activity", "talkativeness", "distractible")[:n]
    row = manic_row(*symptoms, mood_irritable=1, sustained4days=1, some_interference_functioning=1)
    assert category(row) == expected
    assert MANIC.is_complete(td(row)) is True


def test_manic_unknowns_and_completeness() -> None:
    row = manic_row("activity", "sleep", **MANIA, sexual=None)
    assert category(row) == "Unknown"
    assert MANIC.is_complete(td(row)) is False
    # A blank that cannot matter: no elevated or irritable mood at all.
    row = manic_row(mood_elevated=0, mood_irritable=0, sleep=None)
    assert category(row) == "No manic/hypomanic episode"
    assert MANIC.is_complete(td(row)) is True
    assert MANIC.is_complete(td({**row, "date_pertains_to": None})) is False


# ------------------------------------------------------------------- mixed
@pytest.mark.parametrize(
    ("mixture", "duration", "meets"),
    [(1, 1, True), (1, 0, False), (0, 1, False), (1, None, None), (0, None, False)],
)
def test_mixed(mixture: int, duration: int | None, meets: bool | None) -> None:
    row = {"mixture_or_rapid_alternation": mixture, "duration_at_least_2_weeks": duration}
    assert summary_map(MIXED.summaries(td(row)))["meets_criteria"] is meets
    complete = MIXED.is_complete(td({**row, "date_pertains_to": "2024-01-02"}))
    assert complete is (duration is not None)


# ----------------------------------------------------------- schizophrenia
def sz_row(**kw: Any) -> dict[str, Any]:
    row = all_bool("icd10schizophrenia", 0, present_one_month=1, not_organic_or_substance=1)
    return {**row, **kw}


def sz(row: dict[str, Any]) -> Any:
    return summary_map(SZ.summaries(td(row)))["meets_general_criteria"]


@pytest.mark.parametrize(
    ("symptoms", "meets"),
    [
        ({}, False),
        ({"thought_insertion": 1}, True),  # one of (a)-(d) suffices
        ({"hv_from_body": 1}, True),
        ({"delusions": 1}, True),
        ({"catatonia": 1}, False),  # one of (e)-(h) does not
        ({"catatonia": 1, "negative": 1}, True),  # two do
    ],
)
def test_schizophrenia_g1(symptoms: dict[str, int], meets: bool) -> None:
    assert sz(sz_row(**symptoms)) is meets


def test_schizophrenia_duration_mood_and_exclusions() -> None:
    ok = {"thought_echo": 1}
    assert sz(sz_row(**ok, present_one_month=0)) is False
    assert sz(sz_row(**ok, not_organic_or_substance=0)) is False
    assert sz(sz_row(**ok, also_depressive=1)) is False  # mood came first
    assert sz(sz_row(**ok, also_manic=1, if_mood_psychosis_first=1)) is True
    # Unknowns: a blank mood rating can change the result; a blank (e)-(h) cannot.
    assert sz(sz_row(**ok, also_manic=None)) is None
    assert sz(sz_row(**ok, catatonia=None)) is True
    assert SZ.is_complete(td(sz_row(**ok, catatonia=None))) is True
    assert SZ.is_complete(td(sz_row(**ok, also_manic=None))) is False


# ------------------------------------------------------------- schizotypal
@pytest.mark.parametrize(
    ("n_features", "b", "meets"), [(3, 1, False), (4, 1, True), (9, 1, True), (4, 0, False)]
)
def test_schizotypal(n_features: int, b: int, meets: bool) -> None:
    row = all_bool("icd10schizotypal", 0, b=b)
    row.update({f"a{i}": 1 for i in range(1, n_features + 1)})
    s = summary_map(SZTYP.summaries(td(row)))
    assert (s["meets_criteria"], s["n_a_features"]) == (meets, n_features)
    assert SZTYP.is_complete(td(row)) is True
    assert summary_map(SZTYP.summaries(td({**row, "a9": None})))["meets_criteria"] is None


# --------------------------------------------------------------- personality
def pd_row(**kw: Any) -> dict[str, Any]:
    """General criteria met (G1 with areas 1–2), no specific features."""
    row = all_bool("icd10specpd", 0, g1=1, g1_1=1, g1_2=1, g2=1, g3=1, g4=1, g5=1, g6=1)
    return {**row, **kw}


def pd(row: dict[str, Any]) -> dict[str, Any]:
    return summary_map(PD.summaries(td(row)))


def test_pd_general_criteria() -> None:
    assert pd(pd_row())["meets_general_criteria"] is True
    assert pd(pd_row(g1_2=0))["meets_general_criteria"] is False  # one area only
    assert pd(pd_row(g1_2=0, g1_3=1))["meets_general_criteria"] is True
    assert pd(pd_row(g6=0))["meets_general_criteria"] is False
    assert pd(pd_row(g4=None))["meets_general_criteria"] is None


@pytest.mark.parametrize(
    ("prefix", "summary", "threshold"),
    [
        ("paranoid", "paranoid_pd", 4),
        ("schizoid", "schizoid_pd", 4),
        ("dissocial", "dissocial_pd", 3),
        ("histrionic", "histrionic_pd", 4),
        ("anankastic", "anankastic_pd", 4),
        ("anxious", "anxious_pd", 4),
        ("dependent", "dependent_pd", 4),
    ],
)
def test_pd_thresholds(prefix: str, summary: str, threshold: int) -> None:
    below = pd_row(**{f"{prefix}{i}": 1 for i in range(1, threshold)})
    at = pd_row(**{f"{prefix}{i}": 1 for i in range(1, threshold + 1)})
    assert pd(below)[summary] is False
    assert pd(at)[summary] is True
    # Without the general criteria no specific disorder is met.
    assert pd({**at, "g3": 0})[summary] is False


def test_pd_emotionally_unstable_types() -> None:
    without_quarrel = pd_row(eu1=1, eu3=1, eu4=1)
    assert pd(without_quarrel)["eupd_i"] is False  # item 2 is required
    assert pd({**without_quarrel, "eu2": 1})["eupd_i"] is True
    assert pd({**without_quarrel, "eu6": 1})["eupd_b"] is False
    s = pd({**without_quarrel, "eu6": 1, "eu9": 1})
    assert s["eupd_b"] is True and s["eupd_i"] is False
    flags = PD.risk_flags(td({**without_quarrel, "eu9": 1}))
    assert [f.column for f in flags] == ["eu9"]


def test_pd_completeness_with_skips() -> None:
    row = pd_row()
    assert PD.is_complete(td(row)) is True
    gap = {**row, "paranoid3": None}
    assert PD.is_complete(td(gap)) is False
    assert PD.is_complete(td({**gap, "skip_paranoid": 1})) is True
    # General criteria not met: the specific items need no ratings.
    assert PD.is_complete(td({**gap, "g2": 0, "schizoid1": None})) is True
    assert PD.is_complete(td({**row, "date_pertains_to": ""})) is False


def test_checklist_views_show_answers_as_text() -> None:
    html = str(DEP.render_html(td(dep_row(2, 2))))
    assert "Depressed mood" in html and "1 — Yes" in html and "0 — No" in html
    assert "Seen with carer" in html
    html = str(PD.render_html(td(pd_row(vignette="Guarded"))))
    assert "Guarded" in html and "Emotionally unstable" in html


def test_depressive_tracker_uses_dcr_counts() -> None:
    (spec,) = DEP.trackers
    assert spec.summary == "n_total"
    assert [c.value for c in spec.cutoffs] == [4, 6, 8]
