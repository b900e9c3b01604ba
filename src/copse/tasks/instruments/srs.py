"""SRS (Session Rating Scale), version 3.0.

Source: Duncan, Miller, Sparks, Claud, Reynolds, Brown & Johnson (2003)
J Brief Ther 3:3. The client marks four 10-cm visual analogue lines at the
end of a therapy session: relationship, goals and topics, approach or
method, and overall; each is scored 0–10 (to the nearest mm or tenth), the
total 0–40. A total below 36 suggests a problem in the alliance worth
discussing (Duncan et al. 2003; Miller & Duncan's SRS manual). The reference
computes no summary columns; ``total`` is copse's own, None unless all four
lines are marked. Completeness needs the session number, the date and all
four ratings (each 0–10).
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.meta import format_number
from copse.tasks.values import as_float, as_int, is_nonempty_text

SCALES = (
    ("q_relationship", "Relationship: felt heard, understood and respected"),
    ("q_goals", "Goals and topics: worked on what the client wanted"),
    ("q_approach", "Approach or method: a good fit for the client"),
    ("q_overall", "Overall: the session was right for the client"),
)
SCALE_MAX = 10.0
CONCERN_BELOW = 36


def _rating(value: object) -> float | None:
    f = as_float(value)
    return f if f is not None and 0 <= f <= SCALE_MAX else None


class Srs(TaskDefinition):
    tablename = "srs"
    column_meanings = {
        "q_session": "Session number (1 = first)",
        "q_date": "Date of the session",
        **{col: f"{label} (0–10 visual analogue scale)" for col, label in SCALES},
    }
    trackers = (
        TrackerSpec("total", "SRS total", 0, 40, (Cutoff(CONCERN_BELOW, "good alliance (≥36)"),)),
    )

    def is_complete(self, task: TaskData) -> bool | None:
        session = as_int(task.get("q_session"))
        return (
            session is not None
            and session >= 1
            and is_nonempty_text(task.get("q_date"))
            and all(_rating(task.get(col)) is not None for col, _ in SCALES)
        )

    def total(self, task: TaskData) -> float | None:
        ratings = [_rating(task.get(col)) for col, _ in SCALES]
        if any(r is None for r in ratings):
            return None
        return sum(r for r in ratings if r is not None)

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary(
                "total",
                total,
                "Total of the four ratings (0–40; copse's own, not in CamCOPS)",
                40,
                kind="float",
            ),
            Summary(
                "alliance_concern",
                None if total is None else total < CONCERN_BELOW,
                "Total below 36: the alliance may need discussing",
                kind="bool",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        total = self.total(task)
        session = as_int(task.get("q_session"))
        parts: list[str] = [] if session is None else [f"session {session}"]
        parts.append("total ?" if total is None else f"total {format_number(total)}/40")
        if total is not None and total < CONCERN_BELOW:
            parts.append("below 36, discuss the alliance")
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[str, h.HtmlCell]] = [
            ("Session number", task.get("q_session")),
            ("Date", task.get("q_date")),
        ]
        rows.extend((label, task.get(col)) for col, label in SCALES)
        return h.section("Ratings", h.table(rows, header=("Question", "Answer")))


TASKS = (Srs(),)
