"""Clinical Interview Schedule, Revised (CIS-R).

Source: Lewis G, Pelosi AJ, Araya R, Dunn G (1992) Measuring psychiatric
disorder in the community: a standardized assessment for use by lay
interviewers. Psychol Med 22:465–486. Fourteen symptom sections scored 0–4
(depressive ideas 0–5), a total out of 57 (≥12 = clinically significant
psychiatric morbidity), and an algorithm giving ICD-10 (WHO 1992) diagnoses:
depressive episode (mild / moderate / severe, with or without the somatic
syndrome), panic disorder, phobias, OCD, generalized anxiety disorder and
mixed anxiety and depressive disorder, ranked into a primary and a secondary
diagnosis. The interview walk lives in ``copse.tasks.cisr_interview`` and
the algorithm in ``copse.tasks.cisr_diagnosis``; this module is the task
definition (summaries, view, trackers, risk flags).

Question wording is the instrument's own and is only shown through extra
strings; labels here are our short paraphrases of each question's topic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.cisr_diagnosis import (
    DIAGNOSES,
    DISORDER_NAMES,
    INCOMPLETE_TEXT,
    NO_DIAGNOSIS_TEXT,
    Result,
    evaluate,
)
from copse.tasks.cisr_interview import SCORE_NAMES, TOTAL_CUTOFF, TOTAL_MAX

NO_YES = {1: "No", 2: "Yes"}
DAYS = {1: "None", 2: "1–3 days", 3: "4 days or more"}
DURATION = {
    1: "Less than 2 weeks",
    2: "2 weeks to 6 months",
    3: "6 months to 1 year",
    4: "1 to 2 years",
    5: "2 years or more",
}
NEVER_ALWAYS = {1: "Never", 2: "Sometimes", 3: "Always"}

# (section title, score key or None, ((column, paraphrase, labels or None), ...))
_Q = tuple[str, str, Mapping[int, str] | None]
SECTIONS: tuple[tuple[str, str | None, tuple[_Q, ...]], ...] = (
    (
        "Appetite, weight and physical health",
        None,
        (
            ("appetite1", "Marked loss of appetite in the past month", NO_YES),
            ("weight1", "Lost weight in the past month", NO_YES),
            ("weight2", "Trying to lose weight", NO_YES),
            ("weight3", "Lost half a stone or more", NO_YES),
            ("appetite2", "Marked increase in appetite (code)", None),
            ("weight4", "Gained weight in the past month (code)", None),
            ("weight5", "Gained half a stone or more", NO_YES),
            ("gp_year", "Visits to the GP in the past year (code)", None),
            ("disable", "Long-standing illness or disability", NO_YES),
            ("illness", "Kind of illness or disability (code)", None),
        ),
    ),
    (
        "A. Somatic symptoms",
        "somatic_symptoms",
        (
            ("somatic_mand1", "Any ache or pain in the past month", NO_YES),
            ("somatic_pain1", "Pain brought on or made worse by low mood or stress", NEVER_ALWAYS),
            ("somatic_pain2", "Days with the pain in the past week", DAYS),
            ("somatic_pain3", "Pain lasted more than 3 hours on any day", NO_YES),
            ("somatic_pain4", "How unpleasant the pain was (code)", None),
            ("somatic_pain5", "Pain bothered you while doing something interesting", NO_YES),
            ("somatic_mand2", "Any bodily discomfort in the past month", NO_YES),
            ("somatic_dis1", "Discomfort brought on or made worse by stress", NEVER_ALWAYS),
            ("somatic_dis2", "Days with the discomfort in the past week", DAYS),
            ("somatic_dis3", "Discomfort lasted more than 3 hours on any day", NO_YES),
            ("somatic_dis4", "How unpleasant the discomfort was (code)", None),
            ("somatic_dis5", "Discomfort bothered you while doing something interesting", NO_YES),
            ("somatic_dur", "How long the somatic symptoms have lasted", DURATION),
        ),
    ),
    (
        "B. Fatigue",
        "fatigue",
        (
            ("fatigue_mand1", "Getting tired in the past month", NO_YES),
            ("fatigue_cause1", "Main reason for tiredness (code)", None),
            ("fatigue_tired1", "Days tired in the past week", DAYS),
            ("fatigue_tired2", "Tired for more than 3 hours on any day", NO_YES),
            ("fatigue_tired3", "So tired you had to push yourself to get things done", NO_YES),
            ("fatigue_tired4", "Tired even doing things you enjoy (code)", None),
            ("fatigue_mand2", "Lacking energy in the past month", NO_YES),
            ("fatigue_cause2", "Main reason for lacking energy (code)", None),
            ("fatigue_energy1", "Days lacking energy in the past week", DAYS),
            ("fatigue_energy2", "Lacking energy for more than 3 hours on any day", NO_YES),
            ("fatigue_energy3", "Had to push yourself to get things done", NO_YES),
            ("fatigue_energy4", "Lacking energy even for things you enjoy (code)", None),
            ("fatigue_dur", "How long the fatigue has lasted", DURATION),
        ),
    ),
    (
        "C. Concentration and forgetfulness",
        "concentration_poor",
        (
            ("conc_mand1", "Problems concentrating in the past month", NO_YES),
            ("conc_mand2", "Problems with forgetting things", NO_YES),
            ("conc1", "Days with these problems in the past week", DAYS),
            ("conc2", "Could not concentrate on TV, reading or conversation", NO_YES),
            ("conc3", "Concentration problems stopped you doing things", NO_YES),
            ("conc_dur", "How long the concentration problems have lasted", DURATION),
            ("conc4", "Forgot something important", NO_YES),
            ("forget_dur", "How long the forgetfulness has lasted", DURATION),
        ),
    ),
    (
        "D. Sleep problems",
        "sleep_problems",
        (
            ("sleep_mand1", "Problems getting to sleep or back to sleep", NO_YES),
            ("sleep_lose1", "Nights with sleep problems in the past week", DAYS),
            ("sleep_lose2", "Time spent trying to get to sleep on the worst night (code)", None),
            ("sleep_lose3", "Nights spending 3 hours or more trying to sleep", DAYS),
            ("sleep_emw", "Woke more than 2 hours early and could not get back to sleep", NO_YES),
            ("sleep_cause", "Main cause of the sleep problems (code)", None),
            ("sleep_mand2", "Sleeping more than usual (code)", None),
            ("sleep_gain1", "Nights sleeping more in the past week", DAYS),
            ("sleep_gain2", "Extra sleep on the longest night (code)", None),
            ("sleep_gain3", "Nights sleeping 3 hours or more extra", DAYS),
            ("sleep_dur", "How long the sleep problems have lasted", DURATION),
        ),
    ),
    (
        "E. Irritability",
        "irritability",
        (
            ("irrit_mand1", "Irritable or short-tempered in the past month", NO_YES),
            ("irrit_mand2", "Short-tempered over things that now seem trivial", NO_YES),
            ("irrit1", "Days irritable in the past week", DAYS),
            ("irrit2", "Irritable for more than an hour on any day", NO_YES),
            ("irrit3", "Wanted to shout at someone (code)", None),
            ("irrit4", "Arguments or lost temper (code)", None),
            ("irrit_dur", "How long the irritability has lasted", DURATION),
        ),
    ),
    (
        "F. Worry about physical health",
        "hypochondria",
        (
            ("hypo_mand1", "Worried about physical health in the past month", NO_YES),
            ("hypo_mand2", "Worried about having a serious illness", NO_YES),
            ("hypo1", "Days with this worry in the past week", DAYS),
            ("hypo2", "Worrying too much in view of actual health", NO_YES),
            ("hypo3", "How unpleasant the worry was (code)", None),
            ("hypo4", "Could not be distracted from the worry", NO_YES),
            ("hypo_dur", "How long the worry has lasted", DURATION),
        ),
    ),
    (
        "G. Depression",
        "depression",
        (
            ("depr_mand1", "Sad, miserable or depressed in the past month (code)", None),
            ("depr1", "Sad, miserable or depressed in the past week", NO_YES),
            ("depr_mand2", "Able to enjoy things as usual in the past month (code)", None),
            ("depr2", "Able to enjoy things as usual in the past week (code)", None),
            ("depr3", "Could be cheered up (code)", None),
            ("depr4", "Days depressed in the past week (code)", None),
            ("depr_content", "Main thing causing the depression (code)", None),
            ("depr5", "Depressed for more than 3 hours on any day (code)", None),
            ("depr_dur", "How long the depression has lasted", DURATION),
        ),
    ),
    (
        "H. Depressive ideas",
        "depressive_thoughts",
        (
            ("depth1", "Time of day the depression is worst (code)", None),
            ("depth2", "Change in interest in sex (code)", None),
            ("depth3", "Restless, could not sit still", NO_YES),
            ("depth4", "Slowed down, doing things more slowly", NO_YES),
            ("depth5", "Blamed yourself or felt guilty (code)", None),
            ("depth6", "Felt not as good as other people", NO_YES),
            ("depth7", "Felt hopeless", NO_YES),
            ("depth8", "Felt life is not worth living (code)", None),
            ("depth9", "Thoughts of killing yourself (code)", None),
            ("depth10", "Talked to your doctor about these thoughts (code)", None),
            ("doctor", "Advised to see a doctor about suicidal thoughts (code)", None),
        ),
    ),
    (
        "I. Worry",
        "worry",
        (
            ("worry_mand1", "Worrying more than necessary in the past month (code)", None),
            ("worry_mand2", "Any worries at all", NO_YES),
            ("worry_cont1", "Main worry (code)", None),
            ("worry2", "Days worrying in the past week", DAYS),
            ("worry3", "Worrying too much in view of the circumstances", NO_YES),
            ("worry4", "How unpleasant the worrying was (code)", None),
            ("worry5", "Worried for more than 3 hours on any day", NO_YES),
            ("worry_dur", "How long the worry has lasted", DURATION),
        ),
    ),
    (
        "J. Anxiety",
        "anxiety",
        (
            ("anx_mand1", "Anxious or nervous in the past month", NO_YES),
            ("anx_mand2", "Muscle tension or could not relax (code)", None),
            ("anx_phobia1", "Anxiety brought on by specific situations or things", NO_YES),
            ("anx_phobia2", "Anxious also at other times", NO_YES),
            ("anx2", "Days anxious in the past week", DAYS),
            ("anx3", "How unpleasant the anxiety was (code)", None),
            ("anx4", "Physical symptoms with the anxiety", NO_YES),
            ("anx5", "Anxious for more than 3 hours on any day", NO_YES),
            ("anx_dur", "How long the anxiety has lasted", DURATION),
        ),
    ),
    (
        "K. Phobias",
        "phobias",
        (
            ("phobias_mand", "Anxious about specific situations without real danger (code)", None),
            ("phobias_type1", "Situation or thing feared most (code)", None),
            ("phobias1", "Times anxious in that situation in the past week (code)", None),
            ("phobias2", "Physical symptoms in that situation", NO_YES),
            ("phobias3", "Avoided the situation in the past week", NO_YES),
            ("phobias4", "Times the situation was avoided (code)", None),
            ("phobias_dur", "How long the phobia has lasted", DURATION),
        ),
    ),
    (
        "L. Panic",
        "panic",
        (
            ("panic_mand", "Anxiety so bad you got in a panic", NO_YES),
            ("panic1", "Panics in the past week (code)", None),
            ("panic2", "How unpleasant the panics were (code)", None),
            ("panic3", "A panic lasted 10 minutes or more", NO_YES),
            ("panic4", "Panics came on suddenly (code)", None),
            *((f"pansym_{c}", f"Panic symptom {c.upper()}", NO_YES) for c in "abcdefghijklm"),
            ("panic5", "Panics also came outside phobic situations", NO_YES),
            ("panic_dur", "How long the panics have lasted", DURATION),
        ),
    ),
    (
        "M. Compulsions",
        "compulsions",
        (
            ("comp_mand1", "Did things over again that were already done (code)", None),
            ("comp1", "Days with repeated actions in the past week", DAYS),
            ("comp2", "Tried to stop repeating things", NO_YES),
            ("comp3", "Upset or annoyed with yourself for repeating", NO_YES),
            ("comp4", "Times an action was repeated (code)", None),
            ("comp_dur", "How long the compulsions have lasted", DURATION),
        ),
    ),
    (
        "N. Obsessions",
        "obsessions",
        (
            ("obsess_mand1", "Same unpleasant thoughts over and over (code)", None),
            ("obsess_mand2", "The same thought each time (code)", None),
            ("obsess1", "Days with these thoughts in the past week", DAYS),
            ("obsess2", "Tried to stop the thoughts", NO_YES),
            ("obsess3", "How upset the thoughts made you (code)", None),
            ("obsess4", "The thoughts lasted 15 minutes or more", NO_YES),
            ("obsess_dur", "How long the obsessions have lasted", DURATION),
        ),
    ),
    (
        "Overall effect and background",
        None,
        (
            ("overall2", "Overall effect of the symptoms on daily activities (code)", None),
            ("empstat", "Employment status (code)", None),
            ("emptype", "Type of employment (code)", None),
            ("ethnic", "Ethnic group (code)", None),
            ("home", "Housing (code)", None),
            ("married", "Marital status (code)", None),
        ),
    ),
)
SCORE_LABELS = {key: (label, out_of) for key, label, out_of in SCORE_NAMES}
SUICIDAL_ITEMS = (("depth8", "life not worth living"), ("depth9", "thoughts of suicide"))


def _diagnosis(res: Result, n: int) -> tuple[int, str, str]:
    """Code, text and ICD-10 of diagnosis ``n`` (1 = primary, 2 = secondary)."""
    if not res.complete:
        return 0, INCOMPLETE_TEXT if n == 1 else "", ""
    if len(res.diagnoses) < n:
        return 0, NO_DIAGNOSIS_TEXT if n == 1 else "", ""
    code = res.diagnoses[n - 1]
    text, icd = DIAGNOSES[code]
    if code in (10, 11):  # mild/moderate episodes carry the somatic-syndrome digit
        icd += "1" if res.depcrit3 >= 4 else "0"
    # The CamCOPS server reports the secondary diagnosis's ICD-10 code in
    # its text column too; we keep that so exports agree column for column.
    return code, text if n == 1 else icd, icd


class Cisr(TaskDefinition):
    tablename = "cisr"
    trackers = (
        TrackerSpec(
            "score_total",
            "CIS-R total score",
            0,
            TOTAL_MAX,
            (Cutoff(TOTAL_CUTOFF, "clinically significant (≥12)"),),
        ),
    )
    column_meanings: ClassVar[Mapping[str, str]] = {
        col: f"{title}: {label}"
        + (" (" + "; ".join(f"{k} = {v}" for k, v in labels.items()) + ")" if labels else "")
        for title, _, questions in SECTIONS
        for col, label, labels in questions
    }

    def is_complete(self, task: TaskData) -> bool:
        return evaluate(task.row).complete

    def summaries(self, task: TaskData) -> list[Summary]:
        res = evaluate(task.row)
        out: list[Summary] = []
        for n, which in ((1, "primary"), (2, "secondary")):
            code, text, icd = _diagnosis(res, n)
            out += [
                Summary(f"diagnosis_{n}_code", code, f"Possible {which} diagnosis (CIS-R code)"),
                Summary(f"diagnosis_{n}_text", text, f"Possible {which} diagnosis (text)"),
                Summary(f"diagnosis_{n}_icd10", icd, f"Possible {which} diagnosis (ICD-10)"),
            ]
        out.append(Summary("score_total", res.total, "CIS-R total score (≥12 significant)", 57))
        for key, label, out_of in SCORE_NAMES:
            out.append(Summary(f"score_{key}", res.walk.scores[key], f"Score: {label}", out_of))
        out += [
            Summary(
                "sleep_change",
                res.walk.sleep_change,
                "Sleep change (0 none; 1 early waking; 2 insomnia without it; 3 more sleep)",
            ),
            Summary(
                "weight_change",
                res.walk.weight_change,
                "Weight change (0 none; 1 appetite loss only; 2 change <½ st; "
                "3 loss ≥½ st; 4 gain ≥½ st)",
            ),
            Summary("depcrit1_score", res.depcrit1, "ICD-10 depression key symptoms", 3),
            Summary("depcrit2_score", res.depcrit2, "ICD-10 depression other symptoms", 7),
            Summary("depcrit3_score", res.depcrit3, "ICD-10 somatic syndrome symptoms", 8),
            Summary(
                "depcrit3_met_somatic_syndrome",
                res.depcrit3 >= 4,
                "Somatic syndrome criterion met (≥4)",
            ),
            Summary("neurasthenia_score", res.neurasthenia, "Neurasthenia score", 3),
        ]
        for name in DISORDER_NAMES:
            label = name.replace("_", " ").replace("ocd", "OCD").replace("gad", "GAD")
            out.append(Summary(f"disorder_{name}", res.disorders[name], f"Disorder: {label}"))
        return out

    def html_summaries(self, task: TaskData) -> list[Summary]:
        # The stored secondary-diagnosis text repeats its ICD-10 code (see
        # _diagnosis); the view names the diagnosis instead.
        res = evaluate(task.row)
        code = res.diagnoses[1] if res.complete and len(res.diagnoses) > 1 else 0
        return [
            Summary(s.name, DIAGNOSES[code][0], s.description, kind="str")
            if s.name == "diagnosis_2_text" and code
            else s
            for s in self.summaries(task)
        ]

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Suicidal ideas must reach a clinician even if the interview stopped early.
        flags: list[RiskFlag] = []
        for column, what in SUICIDAL_ITEMS:
            value = task.get(column)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 2:
                flags.append(RiskFlag(column, f"{what} (answer {value})"))
        return flags

    def clinical_summary(self, task: TaskData) -> str:
        res = evaluate(task.row)
        if not res.complete:
            parts = ["incomplete interview"]
        else:
            parts = [f"total {res.total}"]
            for n, which in ((1, "primary"), (2, "secondary")):
                code, _, icd = _diagnosis(res, n)
                if code:
                    parts.append(f"{which} diagnosis: {DIAGNOSES[code][0]} ({icd})")
            if not res.diagnoses:
                parts.append(NO_DIAGNOSIS_TEXT.lower())
        parts.extend(f.message for f in self.risk_flags(task))
        return "CIS-R: " + "; ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        res = evaluate(task.row)
        parts: list[Markup] = []
        if res.walk.missing:
            parts.append(
                h.section(
                    "Interview",
                    h.table([("Stopped at the unanswered question", res.walk.missing)]),
                )
            )
        for title, key, questions in SECTIONS:
            heading = title
            if key is not None:
                label, out_of = SCORE_LABELS[key]
                heading = f"{title} — score {res.walk.scores[key]}/{out_of}"
            rows = [
                (task.xstring(col, label), h.answer(task.get(col), labels))
                for col, label, labels in questions
            ]
            parts.append(h.section(heading, h.table(rows, header=("Question", "Answer"))))
        return Markup("").join(parts)


TASKS = (Cisr(),)
