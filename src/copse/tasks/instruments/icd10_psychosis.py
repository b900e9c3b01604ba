"""ICD-10 checklists for schizophrenia (F20) and schizotypal disorder (F21).

Source of the rules: World Health Organization (1993) *The ICD-10
Classification of Mental and Behavioural Disorders: Diagnostic Criteria for
Research* (DCR-10), Geneva: WHO.

Schizophrenia, general criteria for paranoid, hebephrenic, catatonic and
undifferentiated types (F20.0–F20.3):

* G1: at least one of the syndromes (a)–(d) — thought echo, insertion,
  withdrawal or broadcasting; delusions of control or passivity, delusional
  perception; hallucinatory voices giving a commentary, discussing the
  patient, or coming from the body; persistent culturally impossible
  delusions — or at least two of (e)–(h): other persistent hallucinations,
  thought disorder, catatonic behaviour, negative symptoms; present for most
  of the time during at least one month;
* G2: if a manic or depressive episode is also present, the psychotic
  symptoms came before the mood disturbance;
* G3: not attributable to organic brain disease or psychoactive substances.

Missing ratings are unknown (Kleene logic): the result is given as soon as no
missing rating could change it; the checklist is complete once it is.

Schizotypal disorder (F21): at least 4 of the 9 features (A) for at least two
years, and never having met the criteria for schizophrenia (B). CamCOPS-
compatible reading: the result is only given when all ten are rated (its
valid examples leave it unknown even where a "no" would settle it).

Criterion labels are our own short paraphrases of the DCR criteria.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.checklist import Icd10Checklist
from copse.tasks.tristate import Tri, at_least, count_true, tri_and, tri_not, tri_or

SYNDROMES_A_TO_D = (
    "passivity_bodily",
    "passivity_mental",
    "hv_commentary",
    "hv_discussing",
    "hv_from_body",
    "delusions",
    "delusional_perception",
    "thought_echo",
    "thought_withdrawal",
    "thought_insertion",
    "thought_broadcasting",
)
SYNDROMES_E_TO_H = ("hallucinations_other", "thought_disorder", "catatonia", "negative")
SUBTYPES = (
    "subtype_paranoid",
    "subtype_hebephrenic",
    "subtype_catatonic",
    "subtype_undifferentiated",
    "subtype_postschizophrenic_depression",
    "subtype_residual",
    "subtype_simple",
    "subtype_cenesthopathic",
)
SCHIZOPHRENIA_LABELS = {
    "passivity_bodily": "Delusions of control or passivity: body or limb movements",
    "passivity_mental": "Delusions of control or passivity: thoughts, actions or sensations",
    "hv_commentary": "Hallucinatory voices giving a running commentary",
    "hv_discussing": "Hallucinatory voices discussing the patient among themselves",
    "hv_from_body": "Hallucinatory voices coming from some part of the body",
    "delusions": "Persistent delusions that are culturally inappropriate and impossible",
    "delusional_perception": "Delusional perception",
    "thought_echo": "Thought echo",
    "thought_withdrawal": "Thought withdrawal",
    "thought_insertion": "Thought insertion",
    "thought_broadcasting": "Thought broadcasting",
    "hallucinations_other": "Persistent hallucinations in any modality",
    "thought_disorder": "Breaks or interpolations in the train of thought; incoherent speech",
    "catatonia": "Catatonic behaviour",
    "negative": "Negative symptoms (apathy, paucity of speech, blunted affect)",
    "present_one_month": "Symptoms present most of the time for at least one month",
    "also_manic": "Also meets criteria for a manic episode",
    "also_depressive": "Also meets criteria for a depressive episode",
    "if_mood_psychosis_first": "If a mood episode is present, psychotic symptoms came first",
    "not_organic_or_substance": "Not due to organic brain disease or psychoactive substances",
    "behaviour_change": "Significant, consistent change in personal behaviour (simple type)",
    "performance_decline": "Marked decline in social, scholastic or occupational performance",
    "subtype_paranoid": "Paranoid schizophrenia (F20.0)",
    "subtype_hebephrenic": "Hebephrenic schizophrenia (F20.1)",
    "subtype_catatonic": "Catatonic schizophrenia (F20.2)",
    "subtype_undifferentiated": "Undifferentiated schizophrenia (F20.3)",
    "subtype_postschizophrenic_depression": "Post-schizophrenic depression (F20.4)",
    "subtype_residual": "Residual schizophrenia (F20.5)",
    "subtype_simple": "Simple schizophrenia (F20.6)",
    "subtype_cenesthopathic": "Cenesthopathic schizophrenia (F20.8)",
}


class Icd10Schizophrenia(Icd10Checklist):
    tablename = "icd10schizophrenia"
    sections = (
        ("G1: syndromes (a)–(d), at least one", SYNDROMES_A_TO_D),
        ("G1: syndromes (e)–(h), at least two", SYNDROMES_E_TO_H),
        ("G1: duration", ("present_one_month",)),
        ("G2: mood episodes", ("also_manic", "also_depressive", "if_mood_psychosis_first")),
        ("G3: exclusions", ("not_organic_or_substance",)),
        ("Simple schizophrenia", ("behaviour_change", "performance_decline")),
        ("Subtypes", SUBTYPES),
    )
    item_labels = SCHIZOPHRENIA_LABELS

    def meets_general_criteria(self, task: TaskData) -> Tri:
        g1 = tri_or(
            tri_or(*self.ts(task, SYNDROMES_A_TO_D)),
            at_least(self.ts(task, SYNDROMES_E_TO_H), 2),
        )
        mood = tri_or(self.t(task, "also_manic"), self.t(task, "also_depressive"))
        g2 = tri_or(tri_not(mood), self.t(task, "if_mood_psychosis_first"))
        return tri_and(
            g1, self.t(task, "present_one_month"), g2, self.t(task, "not_organic_or_substance")
        )

    def decided(self, task: TaskData) -> bool:
        return self.meets_general_criteria(task) is not None

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "meets_general_criteria",
                self.meets_general_criteria(task),
                "Meets general criteria for paranoid/hebephrenic/catatonic/undifferentiated "
                "schizophrenia (F20.0–F20.3)?",
                kind="bool",
            ),
            Summary(
                "n_syndromes_a_to_d",
                count_true(self.ts(task, SYNDROMES_A_TO_D)),
                "G1 syndromes (a)–(d) present (one suffices)",
                len(SYNDROMES_A_TO_D),
            ),
            Summary(
                "n_syndromes_e_to_h",
                count_true(self.ts(task, SYNDROMES_E_TO_H)),
                "G1 syndromes (e)–(h) present (two suffice)",
                len(SYNDROMES_E_TO_H),
            ),
        ]


SCHIZOTYPAL_A = tuple(f"a{n}" for n in range(1, 10))
SCHIZOTYPAL_THRESHOLD = 4


class Icd10Schizotypal(Icd10Checklist):
    tablename = "icd10schizotypal"
    sections = (
        ("A: features (at least four, for at least two years)", SCHIZOTYPAL_A),
        ("B: exclusion", ("b",)),
    )
    item_labels = {
        "a1": "Inappropriate or constricted affect (cold, aloof)",
        "a2": "Odd, eccentric or peculiar behaviour or appearance",
        "a3": "Poor rapport with others; tendency to social withdrawal",
        "a4": "Odd beliefs or magical thinking",
        "a5": "Suspiciousness or paranoid ideas",
        "a6": "Ruminations without inner resistance",
        "a7": "Unusual perceptual experiences",
        "a8": "Vague, circumstantial, metaphorical or stereotyped thinking; odd speech",
        "a9": "Occasional transient quasi-psychotic episodes",
        "b": "Has never met the criteria for any schizophrenic disorder (F20)",
    }

    def meets_criteria(self, task: TaskData) -> Tri:
        if not self.decided(task):
            return None
        return tri_and(
            at_least(self.ts(task, SCHIZOTYPAL_A), SCHIZOTYPAL_THRESHOLD), self.t(task, "b")
        )

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "meets_criteria",
                self.meets_criteria(task),
                "Meets criteria for schizotypal disorder (F21)?",
                kind="bool",
            ),
            Summary(
                "n_a_features",
                count_true(self.ts(task, SCHIZOTYPAL_A)),
                "Criterion A features present (four needed)",
                9,
            ),
        ]


TASKS = (Icd10Schizophrenia(), Icd10Schizotypal())
