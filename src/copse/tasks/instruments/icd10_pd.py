"""ICD-10 checklist for specific personality disorders (F60).

Source of the rules: World Health Organization (1993) *The ICD-10
Classification of Mental and Behavioural Disorders: Diagnostic Criteria for
Research* (DCR-10), Geneva: WHO, F60.

General criteria (G1–G6): deviation from cultural expectation in more than
one area (G1: cognition, affectivity, impulse control, relating to others —
at least two of G1.1–G1.4, with G1 itself rated present), inflexible and
pervasive (G2), distress or adverse impact (G3), stable and long-lasting with
onset in late childhood or adolescence (G4), not explained by another mental
disorder (G5) or by organic disease (G6). Each specific disorder needs the
general criteria and a number of its own features: paranoid ≥4 of 7,
schizoid ≥4 of 9, dissocial ≥3 of 6, emotionally unstable impulsive type ≥3
of the 5 impulsive features one of which is quarrelsomeness (item 2),
borderline type ≥3 of those 5 plus ≥2 of the 5 borderline features,
histrionic ≥4 of 6, anankastic ≥4 of 8, anxious (avoidant) ≥4 of 5,
dependent ≥4 of 6. Missing ratings are unknown (Kleene logic). The "skip"
flags record that the clinician did not assess a disorder; they do not
change the result (CamCOPS-compatible), but make its items optional for
completeness.

Completeness: the date, the general criteria decided, and — when the general
criteria are met — every disorder either skipped or with all its items rated.

Item labels are our own short paraphrases of the DCR criteria.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from copse.tasks.base import RiskFlag, Summary, TaskData
from copse.tasks.checklist import Icd10Checklist
from copse.tasks.tristate import Tri, at_least, tri_and
from copse.tasks.values import qfields

G_AREAS = qfields("g1_", 1, 4)
GENERAL = qfields("g", 1, 6)


class Disorder(NamedTuple):
    """One specific personality disorder: its items, the skip flag and the threshold."""

    summary: str
    title: str
    prefix: str
    n_items: int
    threshold: int
    skip: str

    @property
    def items(self) -> tuple[str, ...]:
        return qfields(self.prefix, 1, self.n_items)


DISORDERS = (
    Disorder("paranoid_pd", "Paranoid (F60.0)", "paranoid", 7, 4, "skip_paranoid"),
    Disorder("schizoid_pd", "Schizoid (F60.1)", "schizoid", 9, 4, "skip_schizoid"),
    Disorder("dissocial_pd", "Dissocial (F60.2)", "dissocial", 6, 3, "skip_dissocial"),
    Disorder("histrionic_pd", "Histrionic (F60.4)", "histrionic", 6, 4, "skip_histrionic"),
    Disorder("anankastic_pd", "Anankastic (F60.5)", "anankastic", 8, 4, "skip_anankastic"),
    Disorder("anxious_pd", "Anxious (avoidant) (F60.6)", "anxious", 5, 4, "skip_anxious"),
    Disorder("dependent_pd", "Dependent (F60.7)", "dependent", 6, 4, "skip_dependent"),
)
EU_IMPULSIVE = qfields("eu", 1, 5)
EU_BORDERLINE = qfields("eu", 6, 10)
SKIPS = (*(d.skip for d in DISORDERS), "skip_eu")

LABELS: Mapping[str, str] = {
    "g1": "G1: deviation from cultural expectation in more than one area",
    "g1_1": "G1.1: cognition (perceiving and interpreting things, people, events)",
    "g1_2": "G1.2: affectivity (range, intensity, appropriateness of emotion)",
    "g1_3": "G1.3: control over impulses and gratification of needs",
    "g1_4": "G1.4: manner of relating to others and handling relationships",
    "g2": "G2: inflexible, maladaptive or dysfunctional across situations",
    "g3": "G3: personal distress or adverse impact on the social environment",
    "g4": "G4: stable and long-lasting, onset in late childhood or adolescence",
    "g5": "G5: not explained by another adult mental disorder",
    "g6": "G6: not due to organic brain disease, injury or dysfunction",
    "paranoid1": "Excessive sensitivity to setbacks and rebuffs",
    "paranoid2": "Persistently bears grudges",
    "paranoid3": "Suspiciousness; misconstrues others' actions as hostile",
    "paranoid4": "Combative, tenacious sense of personal rights",
    "paranoid5": "Recurrent unjustified suspicions about a partner's fidelity",
    "paranoid6": "Excessive self-importance or self-reference",
    "paranoid7": "Preoccupation with conspiratorial explanations",
    "schizoid1": "Few, if any, activities give pleasure",
    "schizoid2": "Emotional coldness, detachment or flattened affect",
    "schizoid3": "Limited capacity to express warm feelings or anger",
    "schizoid4": "Apparent indifference to praise or criticism",
    "schizoid5": "Little interest in sexual experiences with another person",
    "schizoid6": "Almost always chooses solitary activities",
    "schizoid7": "Excessive preoccupation with fantasy and introspection",
    "schizoid8": "No close friends or confiding relationships (or only one)",
    "schizoid9": "Marked insensitivity to prevailing social norms",
    "dissocial1": "Callous unconcern for the feelings of others",
    "dissocial2": "Gross, persistent irresponsibility and disregard for social norms",
    "dissocial3": "Unable to maintain enduring relationships",
    "dissocial4": "Very low tolerance of frustration; low threshold for aggression",
    "dissocial5": "Unable to feel guilt or to learn from experience or punishment",
    "dissocial6": "Marked readiness to blame others or rationalize",
    "eu1": "Acts unexpectedly, without considering consequences",
    "eu2": "Quarrelsome behaviour and conflicts (required for the impulsive type)",
    "eu3": "Outbursts of anger or violence, unable to control them",
    "eu4": "Difficulty keeping to actions with no immediate reward",
    "eu5": "Unstable and capricious mood",
    "eu6": "Disturbed or uncertain self-image, aims and preferences",
    "eu7": "Intense and unstable relationships, often emotional crises",
    "eu8": "Excessive efforts to avoid abandonment",
    "eu9": "Recurrent threats or acts of self-harm",
    "eu10": "Chronic feelings of emptiness",
    "histrionic1": "Self-dramatization, theatricality, exaggerated emotion",
    "histrionic2": "Suggestibility",
    "histrionic3": "Shallow and labile affect",
    "histrionic4": "Continually seeks excitement and attention",
    "histrionic5": "Inappropriate seductiveness",
    "histrionic6": "Over-concern with physical attractiveness",
    "anankastic1": "Excessive doubt and caution",
    "anankastic2": "Preoccupation with details, rules, lists, order or schedules",
    "anankastic3": "Perfectionism that interferes with finishing tasks",
    "anankastic4": "Excessive conscientiousness and scrupulousness",
    "anankastic5": "Undue preoccupation with productivity, excluding pleasure",
    "anankastic6": "Excessive pedantry and adherence to convention",
    "anankastic7": "Rigidity and stubbornness",
    "anankastic8": "Insists that others do things their way",
    "anxious1": "Persistent, pervasive tension and apprehension",
    "anxious2": "Believes self socially inept, unappealing or inferior",
    "anxious3": "Excessive preoccupation with criticism or rejection",
    "anxious4": "Avoids involvement unless certain of being liked",
    "anxious5": "Restricted lifestyle because of need for physical security",
    "dependent1": "Lets others make most important life decisions",
    "dependent2": "Subordinates own needs to those on whom they depend",
    "dependent3": "Unwilling to make even reasonable demands of those depended on",
    "dependent4": "Uncomfortable or helpless when alone",
    "dependent5": "Preoccupied with fears of being left to care for self",
    "dependent6": "Cannot make everyday decisions without much advice",
    "skip_paranoid": "Paranoid personality disorder not assessed",
    "skip_schizoid": "Schizoid personality disorder not assessed",
    "skip_dissocial": "Dissocial personality disorder not assessed",
    "skip_eu": "Emotionally unstable personality disorder not assessed",
    "skip_histrionic": "Histrionic personality disorder not assessed",
    "skip_anankastic": "Anankastic personality disorder not assessed",
    "skip_anxious": "Anxious (avoidant) personality disorder not assessed",
    "skip_dependent": "Dependent personality disorder not assessed",
    "other_pd_present": "Another specific personality disorder (F60.8) is present",
}


class Icd10SpecPd(Icd10Checklist):
    tablename = "icd10specpd"
    sections = (
        ("General criteria", ("g1", *G_AREAS, "g2", "g3", "g4", "g5", "g6")),
        *((d.title, d.items) for d in DISORDERS[:3]),
        ("Emotionally unstable (F60.3): impulsive features", EU_IMPULSIVE),
        ("Emotionally unstable (F60.31): borderline features", EU_BORDERLINE),
        *((d.title, d.items) for d in DISORDERS[3:]),
        ("Disorders not assessed; other disorders", (*SKIPS, "other_pd_present")),
    )
    item_labels = LABELS
    text_fields = (("vignette", "Vignette"), ("comments", "Comments"))
    column_meanings = {
        "date_pertains_to": "Date the ratings describe",
        "comments": "Clinician's free-text comments",
        "vignette": "Clinician's free-text description (vignette) of the personality",
    }

    def meets_general(self, task: TaskData) -> Tri:
        return tri_and(
            self.t(task, "g1"),
            at_least(self.ts(task, G_AREAS), 2),
            *self.ts(task, ("g2", "g3", "g4", "g5", "g6")),
        )

    def results(self, task: TaskData) -> dict[str, Tri]:
        general = self.meets_general(task)
        impulsive = self.ts(task, EU_IMPULSIVE)
        out = {
            d.summary: tri_and(general, at_least(self.ts(task, d.items), d.threshold))
            for d in DISORDERS
        }
        out["eupd_i"] = tri_and(general, at_least(impulsive, 3), self.t(task, "eu2"))
        out["eupd_b"] = tri_and(
            general, at_least(impulsive, 3), at_least(self.ts(task, EU_BORDERLINE), 2)
        )
        return out

    def decided(self, task: TaskData) -> bool:
        general = self.meets_general(task)
        if general is None:
            return False
        if general is False:
            return True
        groups = [(d.skip, d.items) for d in DISORDERS] + [
            ("skip_eu", EU_IMPULSIVE + EU_BORDERLINE)
        ]
        return all(
            self.t(task, skip) is True or all(v is not None for v in self.ts(task, group))
            for skip, group in groups
        )

    def summaries(self, task: TaskData) -> list[Summary]:
        r = self.results(task)
        order = (
            ("paranoid_pd", "paranoid PD"),
            ("schizoid_pd", "schizoid PD"),
            ("dissocial_pd", "dissocial PD"),
            ("eupd_i", "EUPD (impulsive type)"),
            ("eupd_b", "EUPD (borderline type)"),
            ("histrionic_pd", "histrionic PD"),
            ("anankastic_pd", "anankastic PD"),
            ("anxious_pd", "anxious PD"),
            ("dependent_pd", "dependent PD"),
        )
        return [
            Summary(
                "meets_general_criteria",
                self.meets_general(task),
                "Meets general criteria for personality disorder?",
                kind="bool",
            ),
            *(
                Summary(name, r[name], f"Meets criteria for {label}?", kind="bool")
                for name, label in order
            ),
        ]

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Self-harm threats or acts must be seen whatever the diagnosis.
        if self.t(task, "eu9") is True:
            return [RiskFlag("eu9", "recurrent threats or acts of self-harm")]
        return []

    def clinical_summary(self, task: TaskData) -> str:
        general = self.meets_general(task)
        met = [s.name for s in self.summaries(task)[1:] if s.value is True]
        if general is None:
            text = "general criteria for personality disorder undecided"
        elif general is False:
            text = "general criteria for personality disorder not met"
        else:
            text = "meets general criteria; " + (
                ", ".join(met) if met else "no specific disorder met"
            )
        parts = [text]
        if not self.is_complete(task):
            parts.append("incomplete")
        parts.extend(f.message for f in self.risk_flags(task))
        return f"{self.shortname}: " + ", ".join(parts)


TASKS = (Icd10SpecPd(),)
