"""CIS-R diagnostic algorithm: ICD-10 criteria counts, disorder flags, ranked diagnoses.

Sources: Lewis, Pelosi, Araya & Dunn (1992) Psychol Med 22:465 (the CIS-R
and its ICD-10 algorithm) and the ICD-10 DCR (WHO 1993): depressive episode
mild = ≥2 key symptoms (depressed mood, loss of interest, fatigue) and ≥4
symptoms in all; moderate ≥2 key and ≥6; severe 3 key and ≥8; somatic
syndrome ≥4 of 8 somatic symptoms; duration ≥2 weeks. GAD: anxiety (score
≥2) lasting ≥6 months. Phobias and panic disorder: section score ≥2, typed
by the feared situation; panics not only in phobic situations. OCD (F42):
obsessions or compulsions (score ≥2), resisted, distressing, for ≥2 weeks.
Neurasthenia: fatigue (≥2) with other symptoms; chronic fatigue when that
has lasted ≥6 months. Mixed anxiety and depressive disorder: total ≥12 with
no depressive episode and no GAD. Diagnoses are ranked by the CIS-R
program's numbering (higher = more severe) into primary and secondary.
Thresholds the publications leave open were fixed to reproduce the CamCOPS
server's results on the reference examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from copse.tasks.cisr_interview import (
    AGORAPHOBIC_TYPES,
    DUR_2_WEEKS,
    DUR_6_MONTHS,
    NO,
    SCORE_NAMES,
    SOCIAL_TYPES,
    TOTAL_CUTOFF,
    YES,
    Depression,
    Walk,
    walk_interview,
)

# code → (text, ICD-10), the CIS-R program's diagnosis numbering (higher = ranked first).
# Codes 4 and 8 (the non-"mild" mixed disorder and GAD) are kept so stored
# codes can be read, but the algorithm here only reaches 1 and 2: the
# reference examples show 1 and 2 for totals up to 18 and the publications we
# could consult do not give the rule separating the two grades.
DIAGNOSES: dict[int, tuple[str, str]] = {
    1: ("Mixed anxiety and depressive disorder (mild)", "F41.2"),
    2: ("Generalized anxiety disorder (mild)", "F41.1"),
    3: ("Obsessive–compulsive disorder", "F42"),
    4: ("Mixed anxiety and depressive disorder", "F41.2"),
    5: ("Specific (isolated) phobia", "F40.2"),
    6: ("Social phobia", "F40.1"),
    7: ("Agoraphobia", "F40.0"),
    8: ("Generalized anxiety disorder", "F41.1"),
    9: ("Panic disorder", "F41.0"),
    10: ("Mild depressive episode", "F32.0"),
    11: ("Moderate depressive episode", "F32.1"),
    12: ("Severe depressive episode", "F32.2"),
}
INCOMPLETE_TEXT = "INFORMATION INCOMPLETE"
NO_DIAGNOSIS_TEXT = "No diagnosis identified"


@dataclass
class Result:
    """Everything the interview yields; scores are zero past an unanswered question."""

    complete: bool
    walk: Walk
    depcrit1: int = 0
    depcrit2: int = 0
    depcrit3: int = 0
    neurasthenia: int = 0
    disorders: dict[str, bool] = field(default_factory=dict)
    diagnoses: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.walk.scores.values())


DISORDER_NAMES = (
    "ocd",
    "depression_mild",
    "depression_moderate",
    "depression_severe",
    "cfs",
    "gad",
    "agoraphobia",
    "social_phobia",
    "specific_phobia",
    "panic_disorder",
)


def evaluate(row: Mapping[str, Any]) -> Result:
    """Walk the interview and apply the diagnostic algorithm."""
    w = walk_interview(row)
    if w.missing is not None:
        # Like the CamCOPS server, nothing but what the opening appetite and
        # weight questions established survives an unfinished interview.
        w.scores = {n: 0 for n, _, _ in SCORE_NAMES}
        w.sleep_change = 0
        res = Result(False, w)
        res.depcrit3 = int(w.appetite_loss) + int(w.weight_change == 3)
        res.disorders = {n: False for n in DISORDER_NAMES}
        return res
    return _diagnose(Result(True, w), w.depression, w.phobia_kind, w.unprovoked_panic)


def _num(row: Mapping[str, Any], column: str) -> int:
    value = row.get(column)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


DEPRESSIVE_IDEAS = tuple(f"depth{n}" for n in range(1, 11))


def _ocd(sc: Mapping[str, int], row: Mapping[str, Any]) -> bool:
    """ICD-10 F42: obsessions or compulsions (score ≥2) for ≥2 weeks, resisted and distressing."""
    obsessions = (
        sc["obsessions"] >= 2
        and _num(row, "obsess2") == YES
        and _num(row, "obsess3") >= 3
        and _num(row, "obsess_dur") >= DUR_2_WEEKS
    )
    compulsions = (
        sc["compulsions"] >= 2
        and _num(row, "comp2") == YES
        and _num(row, "comp3") == YES
        and _num(row, "comp_dur") >= DUR_2_WEEKS
    )
    return obsessions or compulsions


def _diagnose(res: Result, dep: Depression, phobia_kind: int | None, panic_free: bool) -> Result:
    w, sc, row = res.walk, res.walk.scores, res.walk.row
    # Depressive ideas are only asked after an affirmative depression section.
    ideas = {c: _num(row, c) if dep.entered else 0 for c in DEPRESSIVE_IDEAS}
    motor = ideas["depth3"] == YES or ideas["depth4"] == YES
    res.depcrit1 = int(dep.mood) + int(dep.anhedonia) + int(sc["fatigue"] >= 2)
    res.depcrit2 = (
        int(w.weight_change >= 2)
        + int(sc["concentration_poor"] >= 2)
        # Sleep disturbance of any type, counted at the section maximum: lower
        # sleep scores do not count in the reference results.
        + int(sc["sleep_problems"] >= 4)
        + int(motor)
        + int(ideas["depth5"] >= 3)
        + int(ideas["depth6"] == YES)
        + int(ideas["depth8"] not in (0, NO))
    )
    res.depcrit3 = (
        int(dep.anhedonia)
        + int(dep.no_reactivity)
        + int(w.sleep_change == 1)
        + int(ideas["depth1"] == 1)
        + int(motor)
        + int(w.appetite_loss)
        + int(w.weight_change == 3)
        + int(ideas["depth2"] == 4)
    )
    fatigue = sc["fatigue"] >= 2
    res.neurasthenia = (
        int(sc["somatic_symptoms"] >= 2)
        + int(sc["sleep_problems"] >= 2)
        + int(sc["irritability"] >= 2)
        if fatigue
        else 0
    )
    key, allsym = res.depcrit1, res.depcrit1 + res.depcrit2
    lasting = _num(row, "depr_dur") >= DUR_2_WEEKS and dep.entered
    mild = lasting and key >= 2 and allsym >= 4
    moderate = mild and allsym >= 6
    severe = lasting and key >= 3 and allsym >= 8
    phobia = sc["phobias"] >= 2 and phobia_kind is not None
    d = {
        "ocd": _ocd(sc, row),
        "depression_mild": mild,
        "depression_moderate": moderate,
        "depression_severe": severe,
        "cfs": res.neurasthenia >= 2 and _num(row, "fatigue_dur") >= DUR_6_MONTHS,
        "gad": sc["anxiety"] >= 2 and _num(row, "anx_dur") >= DUR_6_MONTHS,
        "agoraphobia": phobia and phobia_kind in AGORAPHOBIC_TYPES,
        "social_phobia": phobia and phobia_kind in SOCIAL_TYPES,
        "specific_phobia": phobia
        and phobia_kind not in AGORAPHOBIC_TYPES
        and phobia_kind not in SOCIAL_TYPES,
        "panic_disorder": sc["panic"] >= 2 and panic_free,
    }
    res.disorders = d
    found: list[int] = []
    if severe:
        found.append(12)
    elif moderate:
        found.append(11)
    elif mild:
        found.append(10)
    for name, code in (
        ("panic_disorder", 9),
        ("agoraphobia", 7),
        ("social_phobia", 6),
        ("specific_phobia", 5),
        ("ocd", 3),
    ):
        if d[name]:
            found.append(code)
    if d["gad"]:
        found.append(2)
    elif not mild and res.total >= TOTAL_CUTOFF:
        found.append(1)
    res.diagnoses = sorted(found, reverse=True)
    return res
