"""CIS-R interview walk: routing and the fourteen section scores.

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

Diagnoses from these scores are made in ``copse.tasks.cisr_diagnosis``.

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


class Incomplete(Exception):
    """Raised by the walk at the first routed question without an answer."""

    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


@dataclass
class Depression:
    """Answers of the depression sections that the ICD-10 criteria use."""

    mood: bool = False
    anhedonia: bool = False
    no_reactivity: bool = False
    entered: bool = False


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
    depression: Depression = field(default_factory=Depression)
    phobia_kind: int | None = None  # focus of the phobia section, if it was entered
    unprovoked_panic: bool = False  # panics also outside phobic situations

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


Scored = tuple[str, int, int | None]  # column, lowest scoring code, highest (None: no limit)


def _four_items(w: Walk, section: str, days: str, rest: tuple[Scored, ...]) -> bool:
    """Days item (exactly "≥4 days" scores) then items scoring within a code range.

    Exact codes rather than thresholds, because a code outside the answer set
    does not score in the reference unless the item is an open-ended
    severity ("unpleasant or worse"). Returns False when the symptom was
    absent in the past week (no further questions in that branch).
    """
    d = w.ask(days)
    if d == DAYS_NONE:
        return False
    w.add(section, int(d == DAYS_4PLUS))
    for column, lo, hi in rest:
        v = w.ask(column)
        w.add(section, int(lo <= v and (hi is None or v <= hi)))
    return True


def _somatic(w: Walk) -> None:
    done = False
    if w.ask("somatic_mand1") != NO and w.ask("somatic_pain1") != NO:
        pain = (
            ("somatic_pain3", YES, YES),
            ("somatic_pain4", 3, None),
            ("somatic_pain5", YES, YES),
        )
        done = _four_items(w, "somatic_symptoms", "somatic_pain2", pain)
    elif w.ask("somatic_mand2") != NO and w.ask("somatic_dis1") != NO:
        dis = (("somatic_dis3", YES, YES), ("somatic_dis4", 3, None), ("somatic_dis5", YES, YES))
        done = _four_items(w, "somatic_symptoms", "somatic_dis2", dis)
    if done:
        w.ask("somatic_dur")


FATIGUE_CAUSE_EXERCISE = 6


def _fatigue(w: Walk) -> None:
    done = False
    if w.ask("fatigue_mand1") != NO and w.ask("fatigue_cause1") != FATIGUE_CAUSE_EXERCISE:
        tired = (
            ("fatigue_tired2", YES, YES),
            ("fatigue_tired3", YES, YES),
            ("fatigue_tired4", 2, 2),
        )
        done = _four_items(w, "fatigue", "fatigue_tired1", tired)
    if not done and (
        w.ask("fatigue_mand2") != NO and w.ask("fatigue_cause2") != FATIGUE_CAUSE_EXERCISE
    ):
        energy = (
            ("fatigue_energy2", YES, YES),
            ("fatigue_energy3", YES, YES),
            ("fatigue_energy4", 2, 2),
        )
        done = _four_items(w, "fatigue", "fatigue_energy1", energy)
    if done:
        w.ask("fatigue_dur")


def _concentration(w: Walk) -> None:
    conc = w.ask("conc_mand1") != NO
    forget = w.ask("conc_mand2") != NO
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


SLEEP_MORE_YES = 3  # sleep_mand2: 1 no, 2 more sleep but not a problem, 3 yes (fitted)
LONGEST_15_MIN, LONGEST_3_HOURS = 2, 4  # worst night: <15 min, 15 min–1 h, 1–3 h, ≥3 h


def _sleep_items(w: Walk, nights_col: str, longest_col: str, long_nights_col: str) -> bool:
    """Nights ≥4 (1), worst night ≥15 min (1) and ≥3 h (1), ≥3 h on ≥4 nights (1)."""
    section = "sleep_problems"
    nights = w.ask(nights_col)
    if nights == DAYS_NONE:
        return False
    longest = w.ask(longest_col)
    w.add(section, int(nights == DAYS_4PLUS))
    w.add(section, int(LONGEST_15_MIN <= longest <= LONGEST_3_HOURS))
    w.add(section, int(longest == LONGEST_3_HOURS))
    w.add(section, int(w.ask(long_nights_col) == DAYS_4PLUS))
    return True


def _sleep(w: Walk) -> None:
    # The kind of sleep change is recorded only when the problem is
    # significant (section score ≥2), as the reference results show.
    if w.ask("sleep_mand1") != NO:
        if _sleep_items(w, "sleep_lose1", "sleep_lose2", "sleep_lose3"):
            emw = w.ask("sleep_emw") == YES
            if w.scores["sleep_problems"] >= 2:
                w.sleep_change = 1 if emw else 2
            w.ask("sleep_cause")
            w.ask("sleep_dur")
    elif w.ask("sleep_mand2") == SLEEP_MORE_YES:
        if _sleep_items(w, "sleep_gain1", "sleep_gain2", "sleep_gain3"):
            if w.scores["sleep_problems"] >= 2:
                w.sleep_change = 3
            w.ask("sleep_dur")


def _irritability(w: Walk) -> None:
    if w.ask("irrit_mand1") != NO or w.ask("irrit_mand2") != NO:
        rest = (("irrit2", YES, YES), ("irrit3", 2, 3), ("irrit4", 3, 3))
        if _four_items(w, "irritability", "irrit1", rest):
            w.ask("irrit_dur")


def _hypochondria(w: Walk) -> None:
    if w.ask("hypo_mand1") != NO or w.ask("hypo_mand2") != NO:
        rest = (("hypo2", YES, YES), ("hypo3", 3, None), ("hypo4", YES, YES))
        if _four_items(w, "hypochondria", "hypo1", rest):
            w.ask("hypo_dur")


def _depression(w: Walk, dep: Depression) -> None:
    w.ask("depr_mand1")
    dep.mood = w.ask("depr1") == YES
    month_anh = w.ask("depr_mand2")
    if month_anh != NO:
        dep.anhedonia = w.ask("depr2") >= 2
    if not dep.mood and month_anh == NO:
        return
    dep.entered = True
    w.add("depression", int(dep.anhedonia))
    dep.no_reactivity = w.ask("depr3") in (1, 2)  # never / only sometimes cheered up
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
    if w.ask("worry_mand1") != NO or w.ask("worry_mand2") != NO:
        w.ask("worry_cont1")
        rest = (("worry3", YES, YES), ("worry4", 3, None), ("worry5", YES, YES))
        if _four_items(w, "worry", "worry2", rest):
            w.ask("worry_dur")


def _anxiety(w: Walk) -> bool:
    """Anxiety section; returns whether the anxiety was tied to phobic situations."""
    if w.ask("anx_mand1") == NO and w.ask("anx_mand2") == NO:
        return False
    phobic = w.ask("anx_phobia1") == YES
    if phobic and w.ask("anx_phobia2") == NO:
        return True
    rest = (("anx3", 3, None), ("anx4", YES, YES), ("anx5", YES, YES))
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
    w.add(s, int(w.ask("phobias1") == DAYS_4PLUS))
    w.add(s, int(w.ask("phobias2") == YES))
    if w.ask("phobias3") != NO:
        avoided = w.ask("phobias4")
        w.add(s, {2: 1, 3: 2}.get(avoided, 0))  # avoided 1–3 times / ≥4 times
    w.ask("phobias_dur")
    w.scores[s] = min(w.scores[s], 4)
    return kind


def _panic(w: Walk) -> bool:
    """Panic section; returns whether panics also came outside phobic situations."""
    if w.ask("panic_mand") == NO:
        return False
    times = w.ask("panic1")
    if times == DAYS_NONE:
        return False
    w.add("panic", {2: 1, 3: 2}.get(times, 0))  # once / more than once
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
        rest = (("comp2", YES, YES), ("comp3", YES, YES), ("comp4", 3, 3))
        if _four_items(w, "compulsions", "comp1", rest):
            w.ask("comp_dur")


def _obsessions(w: Walk) -> None:
    # obsess_mand2 = 2: different thoughts each time, which is worry, not obsession
    if w.ask("obsess_mand1") != NO and w.ask("obsess_mand2") != 2:
        rest = (("obsess2", YES, YES), ("obsess3", 3, None), ("obsess4", YES, YES))
        if _four_items(w, "obsessions", "obsess1", rest):
            w.ask("obsess_dur")


DEMOGRAPHICS = ("overall2", "empstat", "emptype", "ethnic", "home", "married")


def walk_interview(row: Mapping[str, Any]) -> Walk:
    """Follow the interview's routing over one record, scoring as it goes.

    ``missing`` is set (and the walk stops) at the first routed question
    without an answer.
    """
    w = Walk(row)
    try:
        _appetite_weight(w)
        _somatic(w)
        _fatigue(w)
        _concentration(w)
        _sleep(w)
        _irritability(w)
        _hypochondria(w)
        _depression(w, w.depression)
        _worry(w)
        phobic = _anxiety(w)
        w.phobia_kind = _phobias(w, phobic)
        w.unprovoked_panic = _panic(w)
        _compulsions(w)
        _obsessions(w)
        for column in DEMOGRAPHICS:
            w.ask(column)
    except Incomplete as stop:
        w.missing = stop.column
    return w
