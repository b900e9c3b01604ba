"""CECA-Q3 (Childhood Experience of Care and Abuse Questionnaire, version 3).

Sources: Bifulco, Bernazzani, Moran & Jacobs (2005) Br J Clin Psychol
44:563 (validation); the authors' *CECA.Q scoring* instructions
(cecainterview.com). All experiences are before age 17.

* Parental loss: any death of the mother or father figure, or any
  continuous separation of a year or more, is a loss risk factor; a
  separation for abandonment or "other" reasons (reason codes 5 and 6) is a
  higher risk.
* Antipathy (per parent, 8 items, 8–40): reverse items 8 and 11 (6 − answer),
  then sum items 1, 4, 6, 8, 9, 10, 11, 16 of section 2A (mother) or 3A
  (father). Neglect (8–40): reverse items 2, 3, 5, 12, 13, 14, then sum items
  2, 3, 5, 7, 12, 13, 14, 15. Published cut-offs: none are applied here
  (they differ between the authors' papers).
* Psychological abuse (per parent, sections 2B/3B): the 17 items (0 no,
  1 unsure, 2 yes) plus their frequency ratings (0–3), summed (0–85), as the
  reference computes it; the authors give no validated cut-off.
* Role reversal (section 3C): sum of its 17 items, each 1–5 (17–85).
* Physical abuse (section 5C): the screen is the answer to "ever hit
  repeatedly by a parent figure" (0 no, 1 yes). Severity per parent, 0–4:
  one point each for being hit more than once, being hit with an implement
  or punched/kicked (method codes 1–2: our reading of the method list),
  being injured, and the parent being out of control; 0 when there was no
  physical abuse or not by that parent.
* Sexual abuse (section 6): the screen counts the three screening questions
  answered other than "no" (0–3); the score of the first and of any other
  experience counts the features present (person known, relative, in the
  household, more than once, touching of the subject, touching of the
  other person, intercourse; 0–7).

A parent's scores are None when the respondent had no such parent figure
(``which_*_figure`` = 0) or an item they need is unanswered, as the
reference computes them. Completeness (our rule, the reference agrees on its
examples): the loss, institution, parent-figure, role-reversal, physical- and
sexual-abuse screening questions answered, with their follow-ups where the
screen is positive; each parent figure's care and psychological-abuse items
answered unless there was none; a ticked "other" choice (and a "relative"
figure) described in words, as the reference requires. Sexual or physical abuse disclosed raises a
risk flag, since such answers should not pass unread. Item wording via extra
strings only (© the authors).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from markupsafe import Markup

from copse.schema.registry import TABLES
from copse.tasks import html as h
from copse.tasks.base import RiskFlag, Summary, TaskData, TaskDefinition
from copse.tasks.values import int_in, is_nonempty_text

ANTIPATHY_ITEMS = (1, 4, 6, 8, 9, 10, 11, 16)
ANTIPATHY_REVERSED = frozenset({8, 11})
NEGLECT_ITEMS = (2, 3, 5, 7, 12, 13, 14, 15)
NEGLECT_REVERSED = frozenset({2, 3, 5, 12, 13, 14})
HIGH_RISK_REASONS = frozenset({5, 6})  # abandonment, other
SEVERE_HIT_METHODS = frozenset({1, 2})
SEX_FEATURES = ("person_known", "relative", "in_household", "more_than_once",
                "touch_privates_subject", "touch_privates_other", "intercourse")  # fmt: skip
SEX_SCREEN = ("s6_any_unwanted_sexual_experience", "s6_unwanted_intercourse",
              "s6_upsetting_sexual_adult_authority")  # fmt: skip
NO_YES = (0, 1)
YES_NO_LABELS = {0: "no", 1: "yes"}
SECTIONS = (
    ("1. Parent figures, loss and separation", "s1"),
    ("2. Mother figure", "s2"),
    ("3. Father figure and role reversal", "s3"),
    ("4. Confidants", "s4"),
    ("5. Physical abuse", "s5"),
    ("6. Unwanted sexual experiences", "s6"),
    ("Other comments", "any_other"),
)
#: Check-box answers that carry a free-text ``<column>_detail`` when ticked.
DETAILED_CHOICES = (
    "s1a_motherfigure_femalerelative", "s1a_motherfigure_other",
    "s1a_fatherfigure_malerelative", "s1a_fatherfigure_other",
    "s4a_adultconfidant_other", "s4b_childconfidant_other", "s4c_closest_other",
)  # fmt: skip
#: ``which_*_figure`` code of "another person" (its description is then required).
OTHER_FIGURE = 5
#: (section prefix of the care items, of the psychological-abuse items, figure column)
PARENTS = {
    "mother": ("s2a", "s2b", "s2a_which_mother_figure"),
    "father": ("s3a", "s3b", "s3a_which_father_figure"),
}
#: Permitted codes of the coded columns (others are free text or measurements).
RANGES: dict[str, tuple[int, ...]] = {
    **{f"{s}_q{n}": tuple(range(1, 6)) for s in ("s2a", "s3a") for n in range(1, 17)},
    **{f"{s}_q{n}": (0, 1, 2) for s in ("s2b", "s3b") for n in range(1, 18)},
    **{f"{s}_q{n}_frequency": (0, 1, 2, 3) for s in ("s2b", "s3b") for n in range(1, 18)},
    **{f"s3c_q{n}": tuple(range(1, 6)) for n in range(1, 18)},
    "s2a_which_mother_figure": tuple(range(6)),
    "s3a_which_father_figure": tuple(range(6)),
    "s3c_which_parent_cared_for": tuple(range(5)),
    "s3c_parent_mental_problem": (0, 1, 2),
    "s3c_parent_physical_problem": (0, 1, 2),
    "s1c_mother_separation_reason": tuple(range(1, 7)),
    "s1c_father_separation_reason": tuple(range(1, 7)),
    "s5c_mother_hit_how": (1, 2, 3, 4),
    "s5c_father_hit_how": (1, 2, 3, 4),
    **dict.fromkeys(SEX_SCREEN, (0, 1, 2)),
}


#: Column-name stems → what the section records, for the data dictionary.
STEM_MEANINGS = (
    ("s1a_motherfigure_", "Section 1A: the mother figure(s) included"),
    ("s1a_fatherfigure_", "Section 1A: the father figure(s) included"),
    ("s1b_", "Section 1B: time in an institution (children's home)"),
    ("s1c_", "Section 1C: parental death or separation"),
    ("s2a_", "Section 2A: care by the mother figure (items 1–5)"),
    (
        "s2b_",
        "Section 2B: psychological abuse by the mother figure (0 no, 1 unsure, 2 yes; "
        "frequency 0–3)",
    ),
    ("s3a_", "Section 3A: care by the father figure (items 1–5)"),
    (
        "s3b_",
        "Section 3B: psychological abuse by the father figure (0 no, 1 unsure, 2 yes; "
        "frequency 0–3)",
    ),
    ("s3c_", "Section 3C: role reversal / caring for a parent (items 1–5)"),
    ("s4a_", "Section 4A: adult confidant in childhood"),
    ("s4b_", "Section 4B: child confidant in childhood"),
    ("s4c_", "Section 4C: closest person in childhood"),
    ("s5c_", "Section 5C: physical abuse"),
    ("s6_", "Section 6: unwanted sexual experiences"),
    ("any_other_comments", "Any other comments"),
)


def _generic_meanings() -> dict[str, str]:
    """A meaning for every content column, from its section and its own name."""
    out: dict[str, str] = {}
    for col in TABLES["cecaq3"].columns:
        for stem, section in STEM_MEANINGS:
            if col.name.startswith(stem):
                detail = col.name[len(stem) :].replace("_", " ").strip()
                kind = " (0 no, 1 yes)" if col.kind == "bool" else ""
                out[col.name] = f"{section}: {detail}{kind}" if detail else section
                break
    return out


def _shown(score: int | None) -> str:
    return "—" if score is None else str(score)


def _int(task: TaskData, column: str) -> int | None:
    """A coded answer if permitted (0/1 for flags), else None."""
    return int_in(task.get(column), RANGES.get(column, NO_YES))


def _all_present(task: TaskData, columns: Iterable[str]) -> bool:
    return all(_int(task, c) is not None for c in columns)


class Cecaq3(TaskDefinition):
    tablename = "cecaq3"
    column_meanings: ClassVar[dict[str, str]] = {
        **_generic_meanings(),
        "s2a_which_mother_figure": "Which mother figure sections 2A/2B describe (0 = none)",
        "s3a_which_father_figure": "Which father figure sections 3A/3B describe (0 = none)",
        "s1c_mother_separation_reason": "Reason for separation from mother (coded 1–6; 5, 6 = "
        "abandonment, other)",
        "s1c_father_separation_reason": "Reason for separation from father (coded 1–6; 5, 6 = "
        "abandonment, other)",
        "s3c_which_parent_cared_for": "Which parent the respondent cared for (coded)",
        "s5c_physicalabuse": "Hit repeatedly by a parent figure (0 no, 1 yes)",
        "s5c_mother_hit_how": "How hit by mother (coded 1–4; 1–2 = implement, punched/kicked)",
        "s5c_father_hit_how": "How hit by father (coded 1–4; 1–2 = implement, punched/kicked)",
        **{
            c: f"Sexual-abuse screening question {i} (0 no, 1 unsure, 2 yes)"
            for i, c in enumerate(SEX_SCREEN, start=1)
        },  # fmt: skip
    }

    # ------------------------------------------------------------ scores
    @staticmethod
    def has_figure(task: TaskData, parent: str) -> bool:
        figure = _int(task, PARENTS[parent][2])
        return figure is not None and figure != 0

    def care_scale(self, task: TaskData, parent: str, numbers: tuple[int, ...],
                   reversed_: frozenset[int]) -> int | None:  # fmt: skip
        if not self.has_figure(task, parent):
            return None
        prefix = PARENTS[parent][0]
        values = [_int(task, f"{prefix}_q{n}") for n in numbers]
        if any(v is None for v in values):
            return None
        return sum(6 - (v or 0) if n in reversed_ else (v or 0)
                   for n, v in zip(numbers, values, strict=True))  # fmt: skip

    def psychological_abuse(self, task: TaskData, parent: str) -> int | None:
        if not self.has_figure(task, parent):
            return None
        prefix = PARENTS[parent][1]
        cols = [f"{prefix}_q{n}{sfx}" for n in range(1, 18) for sfx in ("", "_frequency")]
        if not _all_present(task, cols):
            return None
        return sum(_int(task, c) or 0 for c in cols)

    @staticmethod
    def role_reversal(task: TaskData) -> int | None:
        cols = [f"s3c_q{n}" for n in range(1, 18)]
        return sum(_int(task, c) or 0 for c in cols) if _all_present(task, cols) else None

    @staticmethod
    def loss(task: TaskData) -> tuple[bool, bool]:
        risk = high = False
        for parent in ("mother", "father"):
            if _int(task, f"s1c_{parent}_died") == 1:
                risk = True
            if _int(task, f"s1c_separated_from_{parent}") == 1:
                risk = True
                if _int(task, f"s1c_{parent}_separation_reason") in HIGH_RISK_REASONS:
                    high = True
        return risk, high

    @staticmethod
    def physical_severity(task: TaskData, parent: str) -> int | None:
        if _int(task, "s5c_physicalabuse") == 0 or _int(task, f"s5c_abused_by_{parent}") == 0:
            return 0
        more = _int(task, f"s5c_{parent}_hit_more_than_once")
        how = _int(task, f"s5c_{parent}_hit_how")
        injured = _int(task, f"s5c_{parent}_injured")
        wild = _int(task, f"s5c_{parent}_out_of_control")
        if more is None or how is None or injured is None or wild is None:
            return None
        return more + int(how in SEVERE_HIT_METHODS) + injured + wild

    @staticmethod
    def sexual_screen(task: TaskData) -> int | None:
        answers = [_int(task, c) for c in SEX_SCREEN]
        if any(a is None for a in answers):
            return None
        return sum(1 for a in answers if a)

    @staticmethod
    def sexual_score(task: TaskData, which: str) -> int | None:
        cols = [f"s6_{which}_{f}" for f in SEX_FEATURES]
        return sum(_int(task, c) or 0 for c in cols) if _all_present(task, cols) else None

    def parent_summaries(self, task: TaskData, parent: str) -> list[Summary]:
        who = f"{parent.capitalize()} figure"
        antipathy = self.care_scale(task, parent, ANTIPATHY_ITEMS, ANTIPATHY_REVERSED)
        neglect = self.care_scale(task, parent, NEGLECT_ITEMS, NEGLECT_REVERSED)
        psych = self.psychological_abuse(task, parent)
        return [
            Summary(f"{parent}_antipathy", antipathy, f"{who}: antipathy (8–40)", 40, kind="int"),
            Summary(f"{parent}_neglect", neglect, f"{who}: neglect (8–40)", 40, kind="int"),
            Summary(f"{parent}_psychological_abuse", psych,
                    f"{who}: psychological abuse (items + frequency, 0–85)", 85, kind="int"),
        ]  # fmt: skip

    def summaries(self, task: TaskData) -> list[Summary]:
        risk, high = self.loss(task)
        return [
            Summary("parental_loss_risk", risk, "Parental death or separation ≥1 year"),
            Summary("parental_loss_high_risk", high, "Separation by abandonment or other reason"),
            *self.parent_summaries(task, "mother"),
            *self.parent_summaries(task, "father"),
            Summary("role_reversal", self.role_reversal(task), "Role reversal (17–85)", 85,
                    kind="int"),
            Summary("physical_abuse_screen", _int(task, "s5c_physicalabuse"),
                    "Physical abuse screen (1 = yes)", 1, kind="int"),
            Summary("physical_abuse_severity_mother", self.physical_severity(task, "mother"),
                    "Physical abuse by mother figure: severity (0–4)", 4, kind="int"),
            Summary("physical_abuse_severity_father", self.physical_severity(task, "father"),
                    "Physical abuse by father figure: severity (0–4)", 4, kind="int"),
            Summary("sexual_abuse_screen", self.sexual_screen(task),
                    "Sexual abuse screening questions not answered 'no' (0–3)", 3, kind="int"),
            Summary("sexual_abuse_score_first", self.sexual_score(task, "first"),
                    "First unwanted sexual experience: features present (0–7)", 7, kind="int"),
            Summary("sexual_abuse_score_other", self.sexual_score(task, "other"),
                    "Other unwanted sexual experience: features present (0–7)", 7, kind="int"),
        ]  # fmt: skip

    # ------------------------------------------------------ completeness
    def is_complete(self, task: TaskData) -> bool:
        for column in RANGES:
            if task.get(column) is not None and _int(task, column) is None:
                return False
        required = ["s1b_institution", "s1c_mother_died", "s1c_father_died",
                    "s1c_separated_from_mother", "s1c_separated_from_father",
                    "s2a_which_mother_figure", "s3a_which_father_figure",
                    *(f"s3c_q{n}" for n in range(1, 18)), "s3c_which_parent_cared_for",
                    "s4a_adultconfidant", "s4b_childconfidant", "s5c_physicalabuse",
                    "s5c_abuse_by_nonparent", *SEX_SCREEN]  # fmt: skip
        for parent, (care, psych, _) in PARENTS.items():
            if _int(task, f"s1c_separated_from_{parent}") == 1:
                required.append(f"s1c_{parent}_separation_reason")
            if self.has_figure(task, parent):
                required += [f"{care}_q{n}" for n in range(1, 17)]
                required += [f"{psych}_q{n}{s}" for n in range(1, 18) for s in ("", "_frequency")]
            if _int(task, "s5c_physicalabuse") == 1:
                required.append(f"s5c_abused_by_{parent}")
                if _int(task, f"s5c_abused_by_{parent}") == 1:
                    required += [f"s5c_{parent}_{x}"
                                 for x in ("hit_more_than_once", "hit_how", "injured",
                                           "out_of_control")]  # fmt: skip
        if self.sexual_screen(task):
            required += [f"s6_first_{f}" for f in SEX_FEATURES]
        if not _all_present(task, required):
            return False
        # A ticked "other" (or "relative") choice needs its description.
        for flag in DETAILED_CHOICES:
            if _int(task, flag) == 1 and not is_nonempty_text(task.get(f"{flag}_detail")):
                return False
        for _care, _psych, figure in PARENTS.values():
            if _int(task, figure) == OTHER_FIGURE and not is_nonempty_text(
                task.get(f"{figure}_other_detail")
            ):
                return False
        return True

    def clinical_summary(self, task: TaskData) -> str:
        risk, high = self.loss(task)
        parts = [f"parental loss {'high risk' if high else 'yes' if risk else 'no'}"]
        for parent in ("mother", "father"):
            if not self.has_figure(task, parent):
                continue
            ant = self.care_scale(task, parent, ANTIPATHY_ITEMS, ANTIPATHY_REVERSED)
            neg = self.care_scale(task, parent, NEGLECT_ITEMS, NEGLECT_REVERSED)
            parts.append(f"{parent} antipathy {_shown(ant)}/40, neglect {_shown(neg)}/40")
        parts.append(f"role reversal {_shown(self.role_reversal(task))}/85")
        if not self.is_complete(task):
            parts.append("incomplete")
        parts.extend(f.message for f in self.risk_flags(task))
        return f"{self.shortname}: " + ", ".join(parts)

    # --------------------------------------------------------------- flags
    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Disclosures of abuse must be seen by the clinician who reads the task.
        flags: list[RiskFlag] = []
        if _int(task, "s5c_physicalabuse") == 1:
            flags.append(RiskFlag("s5c_physicalabuse", "physical abuse by a parent disclosed"))
        if any(_int(task, c) == 2 for c in SEX_SCREEN):
            flags.append(RiskFlag("s6_any_unwanted_sexual_experience",
                                  "unwanted sexual experience disclosed"))  # fmt: skip
        return flags

    # ---------------------------------------------------------------- view
    def body_html(self, task: TaskData) -> Markup:
        # Every answered column, section by section, in the table's own order;
        # yes/no columns shown as words (the wording of the questions is the
        # authors', so the column name stands in unless extra strings exist).
        sections: list[Markup] = []
        for title, prefix in SECTIONS:
            rows: list[tuple[h.HtmlCell, h.HtmlCell]] = []
            for col in TABLES[self.tablename].columns:
                if not col.name.startswith(prefix):
                    continue
                value = task.get(col.name)
                if value is None or (isinstance(value, str) and not is_nonempty_text(value)):
                    continue
                shown = h.answer(value, YES_NO_LABELS) if col.kind == "bool" else value
                rows.append((task.xstring(col.name, col.name), shown))
            sections.append(h.section(title, h.table(rows, header=("Question", "Answer"))))
        return Markup("").join(sections)


TASKS = (Cecaq3(),)
