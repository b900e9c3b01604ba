"""GMC-PQ (General Medical Council Patient Questionnaire).

Source: General Medical Council (2012) *Patient questionnaire*, part of the
GMC's multi-source feedback for revalidation (colleague and patient
questionnaires; Campbell et al. 2008, BMJ Qual Saf 17:187). A patient's
feedback about one doctor: why they attended, the doctor's skills rated on
five-point scales (with "does not apply"), agreement statements about trust
and confidentiality, free-text comments and anonymous demographics. The GMC
aggregates many questionnaires per doctor; a single questionnaire has no
score, and the CamCOPS server computes none.

Completeness (our reading, consistent with the CamCOPS server's computed
examples): every closed question answered — reason for the visit, the six
yes/no reasons, visit type, the seven ratings, the two agreement statements,
the three yes/no questions, sex, age band and ethnicity; free text (the
doctor's name, "other" details, comments) is optional.

Codes are shown with the GMC's wording where it is a plain scale point and
with the server's extra strings otherwise.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import TaskData, TaskDefinition
from copse.tasks.values import as_int, int_in, int_in_range

YES_NO = {0: "no", 1: "yes"}
RATING = {0: "does not apply", 1: "poor", 2: "less than satisfactory", 3: "satisfactory",
          4: "good", 5: "very good"}  # fmt: skip
AGREEMENT = {0: "does not apply", 1: "strongly disagree", 2: "disagree", 3: "neutral",
             4: "agree", 5: "strongly agree"}  # fmt: skip
SEX = {"M": "male", "F": "female", "X": "other / prefer not to say"}
REASONS = ("q2a", "q2b", "q2c", "q2d", "q2e", "q2f")
RATINGS = ("q4a", "q4b", "q4c", "q4d", "q4e", "q4f", "q4g")
AGREEMENTS = ("q5a", "q5b")
YES_NO_ITEMS = ("q6", "q7", "q8")
CODED = ("q1", "q3", "q11", "q12")
LABELS = {
    "doctor": "Doctor's name",
    "q1": "1. Who is completing the questionnaire",
    "q2a": "2a. Reason for the visit: option a",
    "q2b": "2b. Reason for the visit: option b",
    "q2c": "2c. Reason for the visit: option c",
    "q2d": "2d. Reason for the visit: option d",
    "q2e": "2e. Reason for the visit: option e",
    "q2f": "2f. Reason for the visit: other",
    "q2f_details": "2f. Other reason (details)",
    "q3": "3. Question 3 (coded answer)",
    "q4a": "4a. Rating: being polite",
    "q4b": "4b. Rating: making you feel at ease",
    "q4c": "4c. Rating: listening to you",
    "q4d": "4d. Rating: assessing your medical condition",
    "q4e": "4e. Rating: explaining your condition and treatment",
    "q4f": "4f. Rating: involving you in decisions",
    "q4g": "4g. Rating: providing or arranging treatment",
    "q5a": "5a. Agreement: will keep information confidential",
    "q5b": "5b. Agreement: honest and trustworthy",
    "q6": "6. Confident about the doctor's ability",
    "q7": "7. Would be completely happy to see this doctor again",
    "q8": "8. Was this visit with your usual doctor",
    "q9": "9. Other comments",
    "q10": "10. Sex",
    "q11": "11. Age band",
    "q12": "12. Ethnic group",
    "q12_details": "12. Ethnic group (details, if other)",
}


class GmcPq(TaskDefinition):
    tablename = "gmcpq"
    column_meanings = {
        **LABELS,
        **{q: f"{LABELS[q]} (0 no, 1 yes)" for q in (*REASONS, *YES_NO_ITEMS)},
        **{q: f"{LABELS[q]} (0 does not apply, 1 poor … 5 very good)" for q in RATINGS},
        **{
            q: f"{LABELS[q]} (0 does not apply, 1 strongly disagree … 5 strongly agree)"
            for q in AGREEMENTS
        },
        **{q: f"{LABELS[q]} (code from the form's list)" for q in CODED},
        "q10": "10. Sex (M, F or X)",
    }

    def is_complete(self, task: TaskData) -> bool:
        return (
            all(int_in(task.get(q), (0, 1)) is not None for q in (*REASONS, *YES_NO_ITEMS))
            and all(int_in_range(task.get(q), 0, 5) is not None for q in (*RATINGS, *AGREEMENTS))
            and all((as_int(task.get(q)) or 0) >= 1 for q in CODED)
            and isinstance(task.get("q10"), str)
            and task.get("q10").strip().upper() in SEX
        )

    def clinical_summary(self, task: TaskData) -> str:
        given = [int_in_range(task.get(q), 1, 5) for q in RATINGS]
        rated = [v for v in given if v is not None]
        text = (
            f"{sum(1 for v in rated if v >= 4)}/{len(rated)} ratings good or very good"
            if rated
            else "no ratings"
        )
        return f"{self.shortname}: {text}" + ("" if self.is_complete(task) else ", incomplete")

    def body_html(self, task: TaskData) -> Markup:
        def coded(q: str) -> h.HtmlCell:
            code = as_int(task.get(q))
            if code is None:
                return h.answer(task.get(q))
            return Markup("{} — {}").format(code, task.xstring(f"{q}_option{code}", f"code {code}"))

        rows: list[tuple[str, h.HtmlCell]] = [(LABELS["doctor"], task.get("doctor"))]
        for q in LABELS:
            if q == "doctor":
                continue
            if q in REASONS or q in YES_NO_ITEMS:
                cell: h.HtmlCell = h.answer(task.get(q), YES_NO)
            elif q in RATINGS:
                cell = h.answer(task.get(q), RATING)
            elif q in AGREEMENTS:
                cell = h.answer(task.get(q), AGREEMENT)
            elif q in CODED:
                cell = coded(q)
            elif q == "q10":
                cell = h.answer(task.get(q), SEX)
            else:
                cell = task.get(q)
            rows.append((task.xstring(q, LABELS[q]), cell))
        return h.section(
            "Questions and answers",
            h.table(rows, header=("Question", "Answer"), css_class="copse-answers"),
        )


TASKS = (GmcPq(),)
