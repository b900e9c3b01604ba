"""CIS-R interview walk: section scores, ICD-10 criteria and diagnoses.

Sources of the rules: Lewis, Pelosi, Araya & Dunn (1992) Psychol Med 22:465
(the CIS-R: fourteen symptom sections, each scored 0–4 — depressive ideas
0–5 — summed to a total out of 57, ≥12 = clinically significant; a symptom
scores when it was present on ≥4 days of the past week, lasted >3 hours,
was very unpleasant, interfered, etc.), and the ICD-10 (WHO 1992/1993
DCR-10) criteria the CIS-R diagnostic algorithm applies: depressive episode
mild (≥2 key symptoms, ≥4 in all), moderate (≥2 key, ≥6 in all), severe
(3 key, ≥8 in all), somatic syndrome (≥4 of 8); GAD (anxiety for ≥6 months);
phobias and panic; OCD; neurasthenia / chronic fatigue; mixed anxiety and
depressive disorder for a significant total without another diagnosis.

The interview is routed: each section opens with one or two "mandatory"
questions and only an affirmative opening leads into the scored questions.
The walk below follows that routing and stops at the first routed question
left unanswered; the interview is then incomplete and, like the CamCOPS
server, nothing after that point is scored ("INFORMATION INCOMPLETE").

Answer codes were fixed from the published answer sets and from the
reference examples (shared/spec/task_examples.json): most yes/no openers are
1 = no, 2 = yes; "days in the past week" items are 1 = none, 2 = 1–3 days,
3 = ≥4 days. Where a scored threshold was ambiguous we picked the reading
that reproduces the CamCOPS server's results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NO, YES = 1, 2
DAYS_NONE, DAYS_4PLUS = 1, 3
# Durations: 1 <2 weeks, 2 2 weeks–6 months, 3 6–12 months, 4 1–2 years, 5 ≥2 years.
DUR_6_MONTHS = 3
DUR_2_WEEKS = 2
TOTAL_MAX = 57
TOTAL_CUTOFF = 12

# Phobia focus (phobias_type1) → ICD-10 phobia group.
AGORAPHOBIC_TYPES = frozenset({1, 2})
SOCIAL_TYPES = frozenset({3})

SCORE_NAMES = (
    ("somatic_symptoms", "somatic symptoms", 4),
    ("fatigue", "fatigue", 4),
    ("concentration_poor", "concentration and forgetfulness", 4),
    ("sleep_problems", "sleep problems", 4),
    ("irritability", "irritability", 4),
    ("hypochondria", "worry about physical health", 4),
    ("depression", "depression", 4),
    ("depressive_thoughts", "depressive ideas", 5),
    ("worry", "worry", 4),
    ("anxiety", "anxiety", 4),
    ("phobias", "phobias", 4),
    ("panic", "panic", 4),
    ("compulsions", "compulsions", 4),
    ("obsessions", "obsessions", 4),
)

# code → (text, ICD-10), the CIS-R program's diagnosis numbering (higher = ranked first).
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


class Incomplete(Exception):
    """Raised by the walk at the first routed question without an answer."""

    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


@dataclass
class Walk:
    """State of one interview walk; ``asked`` lists the routed questions in order."""

    row: Mapping[str, Any]
    asked: list[str] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=lambda: {n: 0 for n, _, _ in SCORE_NAMES})
    weight_change: int = 0
    sleep_change: int = 0
    appetite_loss: bool = False
    missing: str | None = None

    def ask(self, column: str) -> int:
        """The answer to a routed question; stops the walk when it is missing."""
        value = self.row.get(column)
        self.asked.append(column)
        if isinstance(value, bool) or not isinstance(value, int):
            raise Incomplete(column)
        return value

    def add(self, section: str, points: int) -> None:
        self.scores[section] += points


def _appetite_weight(w: Walk) -> None:
    if w.ask("appetite1") == YES:
        w.appetite_loss = True
        w.weight_change = 1
        if w.ask("weight1") == YES and w.ask("weight2") == NO:
            w.weight_change = 3 if w.ask("weight3") == YES else 2
    else:
        w.ask("appetite2")
        if w.ask("weight4") == YES:
            w.weight_change = 4 if w.ask("weight5") == YES else 2
    w.ask("gp_year")
    if w.ask("disable") == YES:
        w.ask("illness")


def _four_items(w: Walk, section: str, days: str, rest: tuple[tuple[str, int], ...]) -> bool:
    """Days item (≥4 days scores) then items scoring at or above a threshold.

    Returns False when the symptom was absent in the past week (no further
    questions in that branch).
    """
    d = w.ask(days)
    if d == DAYS_NONE:
        return False
    w.add(section, int(d >= DAYS_4PLUS))
    for column, threshold in rest:
        w.add(section, int(w.ask(column) >= threshold))
    return True


def _somatic(w: Walk) -> None:
    done = False
    if w.ask("somatic_mand1") == YES and w.ask("somatic_pain1") != NO:
        pain = (("somatic_pain3", YES), ("somatic_pain4", 3), ("somatic_pain5", YES))
        done = _four_items(w, "somatic_symptoms", "somatic_pain2", pain)
    elif w.ask("somatic_mand2") == YES and w.ask("somatic_dis1") != NO:
        dis = (("somatic_dis3", YES), ("somatic_dis4", 3), ("somatic_dis5", YES))
        done = _four_items(w, "somatic_symptoms", "somatic_dis2", dis)
    if done:
        w.ask("somatic_dur")


FATIGUE_CAUSE_EXERCISE = 6


def _fatigue(w: Walk) -> None:
    done = False
    if w.ask("fatigue_mand1") == YES and w.ask("fatigue_cause1") != FATIGUE_CAUSE_EXERCISE:
        tired = (("fatigue_tired2", YES), ("fatigue_tired3", YES), ("fatigue_tired4", 2))
        done = _four_items(w, "fatigue", "fatigue_tired1", tired)
    if not done and (
        w.ask("fatigue_mand2") == YES and w.ask("fatigue_cause2") != FATIGUE_CAUSE_EXERCISE
    ):
        energy = (("fatigue_energy2", YES), ("fatigue_energy3", YES), ("fatigue_energy4", 2))
        done = _four_items(w, "fatigue", "fatigue_energy1", energy)
    if done:
        w.ask("fatigue_dur")


def _concentration(w: Walk) -> None:
    conc = w.ask("conc_mand1") == YES
    forget = w.ask("conc_mand2") == YES
    if not (conc or forget):
        return
    section = "concentration_poor"
    w.add(section, int(w.ask("conc1") >= DAYS_4PLUS))
    if conc:
        w.add(section, int(w.ask("conc2") == YES))
        w.add(section, int(w.ask("conc3") == YES))
        w.ask("conc_dur")
    if forget:
        w.add(section, int(w.ask("conc4") == YES))  # forgot something important
        w.ask("forget_dur")


def _sleep(w: Walk) -> None:
    section = "sleep_problems"
    if w.ask("sleep_mand1") == YES:
        nights = w.ask("sleep_lose1")
        if nights == DAYS_NONE:
            return
        w.add(section, int(nights >= DAYS_4PLUS))
        longest = w.ask("sleep_lose2")
        w.add(section, int(longest >= 3) + int(longest >= 4))
        if longest >= 4:
            w.add(section, int(w.ask("sleep_lose3") >= DAYS_4PLUS))
        emw = w.ask("sleep_emw") == YES
        w.sleep_change = 1 if emw else 2
        w.ask("sleep_cause")
        w.ask("sleep_dur")
    elif w.ask("sleep_mand2") != NO:
        nights = w.ask("sleep_gain1")
        if nights == DAYS_NONE:
            return
        w.sleep_change = 3
        w.add(section, int(nights >= DAYS_4PLUS))
        longest = w.ask("sleep_gain2")
        w.add(section, int(longest >= 3) + int(longest >= 4))
        if longest >= 4:
            w.add(section, int(w.ask("sleep_gain3") >= DAYS_4PLUS))
        w.ask("sleep_dur")
    w.scores[section] = min(w.scores[section], 4)


def _irritability(w: Walk) -> None:
    if w.ask("irrit_mand1") == YES or w.ask("irrit_mand2") == YES:
        rest = (("irrit2", YES), ("irrit3", 2), ("irrit4", 3))
        if _four_items(w, "irritability", "irrit1", rest):
            w.ask("irrit_dur")


def _hypochondria(w: Walk) -> None:
    if w.ask("hypo_mand1") == YES or w.ask("hypo_mand2") == YES:
        rest = (("hypo2", YES), ("hypo3", 3), ("hypo4", YES))
        if _four_items(w, "hypochondria", "hypo1", rest):
            w.ask("hypo_dur")


@dataclass
class Depression:
    """Answers of the depression sections that the ICD-10 criteria use."""

    mood: bool = False
    anhedonia: bool = False
    no_reactivity: bool = False
    entered: bool = False


def _depression(w: Walk, dep: Depression) -> None:
    month_mood = w.ask("depr_mand1")
    dep.mood = w.ask("depr1") == YES
    month_anh = w.ask("depr_mand2")
    if month_anh != NO:
        dep.anhedonia = w.ask("depr2") >= 2
    if month_mood != YES and month_anh == NO:
        return
    dep.entered = True
    w.add("depression", int(dep.anhedonia))
    dep.no_reactivity = w.ask("depr3") == NO
    w.add("depression", int(dep.no_reactivity))
    w.add("depression", int(w.ask("depr4") == YES))
    w.ask("depr_content")
    w.add("depression", int(w.ask("depr5") == NO))
    w.ask("depr_dur")
    _depressive_ideas(w)


def _depressive_ideas(w: Walk) -> None:
    s = "depressive_thoughts"
    w.ask("depth1")
    w.ask("depth2")
    w.ask("depth3")
    w.ask("depth4")
    w.add(s, int(w.ask("depth5") >= 3))  # blames self sometimes/often
    w.add(s, int(w.ask("depth6") == YES))  # not as good as others
    w.add(s, int(w.ask("depth7") == YES))  # hopeless
    if w.ask("depth8") != NO:  # life not worth living
        w.add(s, 1)
        if w.ask("depth9") == 3:  # thoughts of suicide (fitted code)
            w.add(s, 1)
            w.ask("depth10")
            w.ask("doctor")


def _worry(w: Walk) -> None:
    if w.ask("worry_mand1") == YES or w.ask("worry_mand2") == YES:
        w.ask("worry_cont1")
        rest = (("worry3", YES), ("worry4", 3), ("worry5", YES))
        if _four_items(w, "worry", "worry2", rest):
            w.ask("worry_dur")


def _anxiety(w: Walk) -> bool:
    """Anxiety section; returns whether the anxiety was tied to phobic situations."""
    if w.ask("anx_mand1") != YES and w.ask("anx_mand2") == NO:
        return False
    phobic = w.ask("anx_phobia1") == YES
    if phobic and w.ask("anx_phobia2") == NO:
        return True
    rest = (("anx3", 3), ("anx4", YES), ("anx5", YES))
    if _four_items(w, "anxiety", "anx2", rest):
        w.ask("anx_dur")
    return phobic


PHOBIAS_MAND_YES = 1  # fitted to the reference: this opener is coded 1 = yes


def _phobias(w: Walk, phobic: bool) -> int | None:
    """Phobia section; returns the phobia focus code when the section was entered."""
    if not phobic and w.ask("phobias_mand") != PHOBIAS_MAND_YES:
        return None
    kind = w.ask("phobias_type1")
    s = "phobias"
    n = w.ask("phobias1")
    if n == DAYS_NONE:
        return kind
    w.add(s, int(n >= DAYS_4PLUS))
    w.add(s, int(w.ask("phobias2") == YES))
    if w.ask("phobias3") == YES:
        avoided = w.ask("phobias4")
        w.add(s, 2 if avoided >= 3 else int(avoided == 2))
    w.ask("phobias_dur")
    w.scores[s] = min(w.scores[s], 4)
    return kind


def _panic(w: Walk) -> bool:
    """Panic section; returns whether panics also came outside phobic situations."""
    if w.ask("panic_mand") != YES:
        return False
    times = w.ask("panic1")
    if times == DAYS_NONE:
        return False
    w.add("panic", 2 if times >= 3 else 1)
    w.add("panic", int(w.ask("panic2") >= 3))
    w.add("panic", int(w.ask("panic3") == YES))
    w.ask("panic4")
    for letter in "abcdefghijklm":
        w.ask(f"pansym_{letter}")
    unprovoked = w.ask("panic5") == YES
    w.ask("panic_dur")
    return unprovoked


def _compulsions(w: Walk) -> None:
    if w.ask("comp_mand1") != NO:  # 2 and 3: repeated acts, with or without checking
        rest = (("comp2", YES), ("comp3", YES), ("comp4", 3))
        if _four_items(w, "compulsions", "comp1", rest):
            w.ask("comp_dur")


def _obsessions(w: Walk) -> None:
    if w.ask("obsess_mand1") == YES and w.ask("obsess_mand2") == NO:
        rest = (("obsess2", YES), ("obsess3", 3), ("obsess4", YES))
        if _four_items(w, "obsessions", "obsess1", rest):
            w.ask("obsess_dur")


DEMOGRAPHICS = ("overall2", "empstat", "emptype", "ethnic", "home", "married")


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
    w = Walk(row)
    dep = Depression()
    phobia_kind: int | None = None
    unprovoked_panic = False
    try:
        _appetite_weight(w)
        _somatic(w)
        _fatigue(w)
        _concentration(w)
        _sleep(w)
        _irritability(w)
        _hypochondria(w)
        _depression(w, dep)
        _worry(w)
        phobic = _anxiety(w)
        phobia_kind = _phobias(w, phobic)
        unprovoked_panic = _panic(w)
        _compulsions(w)
        _obsessions(w)
        for column in DEMOGRAPHICS:
            w.ask(column)
    except Incomplete as stop:
        w.missing = stop.column
        # Like the CamCOPS server, nothing but what the opening appetite and
        # weight questions established survives an unfinished interview.
        w.scores = {n: 0 for n, _, _ in SCORE_NAMES}
        w.sleep_change = 0
        res = Result(False, w)
        res.depcrit3 = int(w.appetite_loss) + int(w.weight_change == 3)
        res.disorders = {n: False for n in DISORDER_NAMES}
        return res
    return _diagnose(Result(True, w), dep, phobia_kind, unprovoked_panic)


def _num(row: Mapping[str, Any], column: str) -> int:
    value = row.get(column)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _diagnose(res: Result, dep: Depression, phobia_kind: int | None, panic_free: bool) -> Result:
    w, sc, row = res.walk, res.walk.scores, res.walk.row
    motor = _num(row, "depth3") == YES or _num(row, "depth4") == YES
    res.depcrit1 = int(dep.mood) + int(dep.anhedonia) + int(sc["fatigue"] >= 2)
    res.depcrit2 = (
        int(w.weight_change >= 2)
        + int(sc["concentration_poor"] >= 2)
        + int(sc["sleep_problems"] >= 1 and w.sleep_change in (1, 2))
        + int(motor)
        + int(_num(row, "depth5") >= 3)
        + int(_num(row, "depth6") == YES)
        + int(_num(row, "depth8") not in (0, NO))
    )
    res.depcrit3 = (
        int(dep.anhedonia)
        + int(dep.no_reactivity)
        + int(w.sleep_change == 1)
        + int(_num(row, "depth1") == 1)
        + int(motor)
        + int(w.appetite_loss)
        + int(w.weight_change == 3)
        + int(_num(row, "depth2") == 4)
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
        "ocd": sc["obsessions"] >= 2 and sc["compulsions"] >= 2,
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
