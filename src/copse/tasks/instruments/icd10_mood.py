"""ICD-10 checklists for mood episodes: depressive, manic/hypomanic and mixed.

Source of the rules: World Health Organization (1993) *The ICD-10
Classification of Mental and Behavioural Disorders: Diagnostic Criteria for
Research* (DCR-10), Geneva: WHO — F32 (depressive episode), F30 (manic
episode) and F38.00 (mixed affective episode); and WHO (1992) *Clinical
Descriptions and Diagnostic Guidelines* (the "blue book") for the allowance
that a clinically severe depressive episode may be diagnosed before two weeks
and without every symptom being describable.

Depressive episode (F32): core symptoms are depressed mood, loss of interest
and loss of energy; seven further symptoms (self-confidence, guilt, thoughts
of death, concentration, psychomotor change, sleep, appetite). With the
episode lasting at least two weeks: mild = ≥2 core and ≥4 in all; moderate =
≥2 core and ≥6 in all; severe = all 3 core and ≥8 in all. A clinician's
rating of "clinically severe" establishes a severe episode by itself (the
blue book's allowance; CamCOPS-compatible: its valid examples reach "severe"
that way with few symptoms counted). Severe episodes are "with psychotic
symptoms" when hallucinations, delusions or depressive stupor are present.
The somatic syndrome is ≥4 of its 8 symptoms. Missing ratings are unknown
(Kleene logic, :mod:`copse.tasks.tristate`): a result is given as soon as no
missing rating could change it, otherwise the category is "Unknown".

Manic episode (F30): mania = elevated/expansive or irritable mood, ≥3 of the
9 manic symptoms (≥4 if the mood is only irritable), lasting ≥1 week or
needing admission, with severe interference in functioning; with psychotic
symptoms when delusions or hallucinations of non-schizophrenic type are
present (schizophrenic-type ones only: the ICD-10 "no-man's land", which the
category says). Hypomania (F30.0) = elevated or irritable mood for ≥4 days,
≥3 of its 7 symptoms, some interference in functioning.

Mixed affective episode (F38.00): a mixture or rapid alternation of
(hypo)manic and depressive symptoms, both prominent for at least two weeks.

Criterion labels are our own short paraphrases of the DCR criteria.
"""

from __future__ import annotations

from typing import ClassVar

from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.checklist import Icd10Checklist
from copse.tasks.tristate import Tri, at_least, count_true, tri_and, tri_or

# --------------------------------------------------------------- depressive
CORE = ("mood", "anhedonia", "energy")
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
PSYCHOSIS_OR_STUPOR = (
    "hallucinations_schizophrenic",
    "hallucinations_other",
    "delusions_schizophrenic",
    "delusions_other",
    "stupor",
)
SOMATIC_THRESHOLD = 4

DEPRESSIVE_LABELS = {
    "mood": "Depressed mood, abnormal for the person, most of the day, nearly every day",
    "anhedonia": "Loss of interest or pleasure in normally pleasurable activities",
    "energy": "Decreased energy or increased fatiguability",
    "sleep": "Sleep disturbance of any type",
    "worth": "Loss of confidence or self-esteem",
    "appetite": "Change in appetite (decrease or increase) with weight change",
    "guilt": "Unreasonable self-reproach or excessive, inappropriate guilt",
    "concentration": "Diminished ability to think or concentrate, indecisiveness",
    "activity": "Psychomotor agitation or retardation",
    "death": "Recurrent thoughts of death or suicide, or suicidal behaviour",
    "somatic_anhedonia": "Marked loss of interest or pleasure",
    "somatic_emotional_unreactivity": "Lack of emotional reactions to pleasant events",
    "somatic_early_morning_waking": "Waking two hours or more before the usual time",
    "somatic_mood_worse_morning": "Depression worse in the morning",
    "somatic_psychomotor": "Marked psychomotor retardation or agitation",
    "somatic_appetite": "Marked loss of appetite",
    "somatic_weight": "Weight loss (5% or more of body weight in the past month)",
    "somatic_libido": "Marked loss of libido",
    "hallucinations_schizophrenic": "Hallucinations of a type typical of schizophrenia",
    "hallucinations_other": "Hallucinations of other types",
    "delusions_schizophrenic": "Delusions of a type typical of schizophrenia",
    "delusions_other": "Delusions of other types",
    "stupor": "Depressive stupor",
    "duration_at_least_2_weeks": "Episode has lasted at least two weeks",
    "severe_clinically": "Clinically severe episode (diagnosable before two weeks if so)",
}


class Icd10Depressive(Icd10Checklist):
    tablename = "icd10depressive"
    sections = (
        ("Duration and clinical severity", ("duration_at_least_2_weeks", "severe_clinically")),
        ("Core symptoms", CORE),
        ("Additional symptoms", ADDITIONAL),
        ("Somatic syndrome", SOMATIC),
        ("Psychotic symptoms and stupor", PSYCHOSIS_OR_STUPOR),
    )
    item_labels = DEPRESSIVE_LABELS
    # DCR-10 symptom counts for mild, moderate and severe episodes (each also
    # needs its core symptoms: 2, 2 and 3).
    trackers = (
        TrackerSpec(
            "n_total",
            "ICD-10 depressive symptoms (of 10)",
            0,
            10,
            (Cutoff(4, "Mild"), Cutoff(6, "Moderate"), Cutoff(8, "Severe")),
        ),
    )

    def severe_ignoring_psychosis(self, task: TaskData) -> Tri:
        if self.t(task, "severe_clinically") is True:
            return True
        return tri_and(
            self.t(task, "duration_at_least_2_weeks"),
            at_least(self.ts(task, CORE), 3),
            at_least(self.ts(task, CORE + ADDITIONAL), 8),
        )

    def meets(self, task: TaskData, n_core: int, n_total: int) -> Tri:
        """Duration met, ≥ ``n_core`` core symptoms and ≥ ``n_total`` in all."""
        return tri_and(
            self.t(task, "duration_at_least_2_weeks"),
            at_least(self.ts(task, CORE), n_core),
            at_least(self.ts(task, CORE + ADDITIONAL), n_total),
        )

    def psychosis_or_stupor(self, task: TaskData) -> Tri:
        return tri_or(*self.ts(task, PSYCHOSIS_OR_STUPOR))

    def somatic_syndrome(self, task: TaskData) -> Tri:
        return at_least(self.ts(task, SOMATIC), SOMATIC_THRESHOLD)

    def episode(self, task: TaskData) -> str:
        """The episode category without the somatic-syndrome qualifier."""
        severe = self.severe_ignoring_psychosis(task)
        psychotic = self.psychosis_or_stupor(task)
        if severe is True:
            if psychotic is True:
                return "Severe depressive episode with psychotic symptoms"
            if psychotic is False:
                return "Severe depressive episode without psychotic symptoms"
            return "Severe depressive episode (psychotic symptoms unknown)"
        if self.meets(task, 2, 6) is True:
            return "Moderate depressive episode"
        if self.meets(task, 2, 4) is True:
            return "Mild depressive episode"
        if self.meets(task, 2, 4) is False and severe is False:
            return "Not a depressive episode"
        return "Unknown"

    def category(self, task: TaskData) -> str:
        somatic = {
            True: "with somatic syndrome",
            False: "without somatic syndrome",
            None: "somatic syndrome: unknown",
        }[self.somatic_syndrome(task)]
        return f"{self.episode(task)} ({somatic})"

    def summaries(self, task: TaskData) -> list[Summary]:
        n_core = count_true(self.ts(task, CORE))
        n_additional = count_true(self.ts(task, ADDITIONAL))
        return [
            Summary("n_core", n_core, "Number of core diagnostic symptoms (/3)", 3),
            Summary("n_additional", n_additional, "Number of additional symptoms (/7)", 7),
            Summary("n_total", n_core + n_additional, "Total diagnostic symptoms (/10)", 10),
            Summary(
                "n_somatic",
                count_true(self.ts(task, SOMATIC)),
                "Number of somatic syndrome symptoms (/8)",
                8,
            ),
            Summary("category", self.category(task), "Diagnostic category (ICD-10 F32)"),
            Summary(
                "psychosis_or_stupor",
                self.psychosis_or_stupor(task),
                "Psychotic symptoms or stupor present? (unknown if not all rated)",
                kind="bool",
            ),
        ]

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Thoughts of death or suicide must reach the clinician whatever the category.
        if self.t(task, "death") is True:
            return [RiskFlag("death", "thoughts of death or suicide, or suicidal behaviour")]
        return []

    def clinical_summary(self, task: TaskData) -> str:
        s = {x.name: x.value for x in self.summaries(task)}
        parts = [
            str(s["category"]),
            f"{s['n_core']}/3 core, {s['n_total']}/10 in all, {s['n_somatic']}/8 somatic",
        ]
        if not self.is_complete(task):
            parts.append("incomplete")
        parts.extend(f.message for f in self.risk_flags(task))
        return f"{self.shortname}: " + ", ".join(parts)


# ------------------------------------------------------------------- manic
MOOD = ("mood_elevated", "mood_irritable")
MANIA_SYMPTOMS = (
    "activity",
    "talkativeness",
    "flight_of_ideas",
    "social_disinhibition",
    "sleep",
    "grandiosity",
    "distractible",
    "recklessness",
    "sexual",
)
HYPOMANIA_SYMPTOMS = (
    "activity",
    "talkativeness",
    "distractible",
    "sleep",
    "sexual",
    "recklessness",
    "social_disinhibition",
)
PSYCHOTIC_OTHER = ("hallucinations_other", "delusions_other")
PSYCHOTIC_SCHIZOPHRENIC = ("hallucinations_schizophrenic", "delusions_schizophrenic")
MANIC_LABELS = {
    "mood_elevated": "Mood elevated or expansive, definitely abnormal for the person",
    "mood_irritable": "Mood irritable, definitely abnormal for the person",
    "distractible": "Distractibility or difficulty concentrating",
    "activity": "Increased activity or physical restlessness",
    "sleep": "Decreased need for sleep",
    "talkativeness": "Increased talkativeness (pressure of speech)",
    "recklessness": "Reckless or irresponsible behaviour (e.g. spending sprees)",
    "social_disinhibition": "Loss of normal social inhibitions; over-familiarity",
    "sexual": "Marked sexual energy or indiscretions",
    "grandiosity": "Inflated self-esteem or grandiosity",
    "flight_of_ideas": "Flight of ideas or racing thoughts",
    "sustained4days": "Mood change sustained for at least 4 days",
    "sustained7days": "Mood change sustained for at least 7 days",
    "admission_required": "Severe enough to require hospital admission",
    "some_interference_functioning": "Some interference with personal functioning",
    "severe_interference_functioning": "Severe interference with personal functioning",
    "perceptual_alterations": "Perceptual disorders (e.g. heightened colours, hyperacusis)",
    "hallucinations_schizophrenic": "Hallucinations of a type typical of schizophrenia",
    "hallucinations_other": "Hallucinations of other types",
    "delusions_schizophrenic": "Delusions of a type typical of schizophrenia",
    "delusions_other": "Delusions of other types",
}
MANIC_PSYCHOTIC = "Manic episode with psychotic symptoms"
MANIC_NO_MANS_LAND = (
    "Manic episode with psychotic symptoms of schizophrenic type [ICD-10 no-man’s land]"
)


class Icd10Manic(Icd10Checklist):
    tablename = "icd10manic"
    sections = (
        ("Mood", MOOD),
        (
            "Symptoms",
            (
                "activity",
                "talkativeness",
                "flight_of_ideas",
                "social_disinhibition",
                "sleep",
                "grandiosity",
                "distractible",
                "recklessness",
                "sexual",
            ),
        ),
        ("Duration", ("sustained4days", "sustained7days", "admission_required")),
        (
            "Functioning",
            ("some_interference_functioning", "severe_interference_functioning"),
        ),
        (
            "Psychotic and perceptual symptoms",
            ("perceptual_alterations", *PSYCHOTIC_SCHIZOPHRENIC, *PSYCHOTIC_OTHER),
        ),
    )
    item_labels = MANIC_LABELS

    def mania_ignoring_psychosis(self, task: TaskData) -> Tri:
        elevated = self.t(task, "mood_elevated")
        irritable = self.t(task, "mood_irritable")
        symptoms = self.ts(task, MANIA_SYMPTOMS)
        # ≥3 symptoms with elevated mood; ≥4 if the mood is merely irritable.
        enough = tri_or(
            tri_and(elevated, at_least(symptoms, 3)),
            tri_and(irritable, at_least(symptoms, 4)),
        )
        return tri_and(
            enough,
            tri_or(self.t(task, "sustained7days"), self.t(task, "admission_required")),
            self.t(task, "severe_interference_functioning"),
        )

    def hypomania(self, task: TaskData) -> Tri:
        return tri_and(
            tri_or(*self.ts(task, MOOD)),
            self.t(task, "sustained4days"),
            at_least(self.ts(task, HYPOMANIA_SYMPTOMS), 3),
            self.t(task, "some_interference_functioning"),
        )

    def category(self, task: TaskData) -> str:
        mania = self.mania_ignoring_psychosis(task)
        other = tri_or(*self.ts(task, PSYCHOTIC_OTHER))
        schizophrenic = tri_or(*self.ts(task, PSYCHOTIC_SCHIZOPHRENIC))
        hypomania = self.hypomania(task)
        if mania is True and other is True:
            return MANIC_PSYCHOTIC
        if mania is True and schizophrenic is True:
            return MANIC_NO_MANS_LAND
        if mania is True and other is False and schizophrenic is False:
            return "Manic episode without psychotic symptoms"
        if hypomania is True:
            return "Hypomanic episode"
        if mania is False and hypomania is False:
            return "No manic/hypomanic episode"
        return "Unknown"

    def decided(self, task: TaskData) -> bool:
        return self.category(task) != "Unknown"

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary("category", self.category(task), "Diagnostic category (ICD-10 F30)"),
            Summary(
                "psychotic_symptoms",
                tri_or(*self.ts(task, PSYCHOTIC_SCHIZOPHRENIC + PSYCHOTIC_OTHER)),
                "Psychotic symptoms (hallucinations or delusions) present?",
                kind="bool",
            ),
        ]


# ------------------------------------------------------------------- mixed
class Icd10Mixed(Icd10Checklist):
    tablename = "icd10mixed"
    sections = (("Criteria", ("mixture_or_rapid_alternation", "duration_at_least_2_weeks")),)
    item_labels: ClassVar[dict[str, str]] = {
        "mixture_or_rapid_alternation": (
            "Mixture or rapid alternation (within hours) of hypomanic/manic and depressive symptoms"
        ),
        "duration_at_least_2_weeks": (
            "Both manic and depressive symptoms prominent most of the time for at least two weeks"
        ),
    }

    def summaries(self, task: TaskData) -> list[Summary]:
        meets = tri_and(*self.ts(task, self.items))
        return [
            Summary(
                "meets_criteria",
                meets,
                "Meets criteria for a mixed affective episode (ICD-10 F38.00)?",
                kind="bool",
            )
        ]


TASKS = (Icd10Depressive(), Icd10Manic(), Icd10Mixed())
