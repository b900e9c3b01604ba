"""CGI (Clinical Global Impressions).

Source: Guy W (1976) *ECDEU Assessment Manual for Psychopharmacology*, pp.
217–222. Severity of illness (q1) and global improvement (q2) are rated 1–7,
with 0 = not assessed. The efficacy index combines therapeutic effect (q3t:
1 marked … 4 unchanged or worse) and side effects (q3s: 1 none … 4 outweigh
the therapeutic effect), each with 0 = not assessed, in Guy's 4 × 4 grid:
index = 4 × (q3t − 1) + q3s, giving 1 (marked effect, no side effects) to
16 (unchanged or worse, side effects outweigh); 0 if either is not assessed.
The tablet stores its own computed index in q3; we also recompute it from q3t
and q3s (``efficacy_index``) and show both. Completeness: q1, q2, q3t, q3s and
the stored index q3 all present, as the CamCOPS server requires. ``total`` is
the CamCOPS server's summary q1 + q2 + q3 (the stored index), kept for
compatibility with its downloads; it is not a published CGI score.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale

SEVERITY = {
    0: "not assessed",
    1: "normal, not at all ill",
    2: "borderline mentally ill",
    3: "mildly ill",
    4: "moderately ill",
    5: "markedly ill",
    6: "severely ill",
    7: "among the most extremely ill patients",
}
IMPROVEMENT = {
    0: "not assessed",
    1: "very much improved",
    2: "much improved",
    3: "minimally improved",
    4: "no change",
    5: "minimally worse",
    6: "much worse",
    7: "very much worse",
}
THERAPEUTIC = {0: "not assessed", 1: "marked", 2: "moderate", 3: "minimal", 4: "unchanged or worse"}
SIDE_EFFECTS = {
    0: "not assessed",
    1: "none",
    2: "do not significantly interfere with functioning",
    3: "significantly interfere with functioning",
    4: "outweigh the therapeutic effect",
}


def efficacy_index(therapeutic: int | None, side_effects: int | None) -> int | None:
    """Guy's efficacy index (0 if either rating is 'not assessed')."""
    if therapeutic is None or side_effects is None:
        return None
    if therapeutic == 0 or side_effects == 0:
        return 0
    return 4 * (therapeutic - 1) + side_effects


class Cgi(ItemScale):
    tablename = "cgi"
    items = ("q1", "q2", "q3t", "q3s", "q3")
    permitted_by_item = {
        "q1": tuple(range(8)),
        "q2": tuple(range(8)),
        "q3t": tuple(range(5)),
        "q3s": tuple(range(5)),
        "q3": tuple(range(17)),
    }
    item_labels = {
        "q1": "1. Severity of illness",
        "q2": "2. Global improvement",
        "q3t": "3a. Efficacy: therapeutic effect",
        "q3s": "3b. Efficacy: side effects",
        "q3": "3. Efficacy index as recorded by the tablet (0–16)",
    }
    option_labels_by_item = {
        "q1": SEVERITY,
        "q2": IMPROVEMENT,
        "q3t": THERAPEUTIC,
        "q3s": SIDE_EFFECTS,
    }

    trackers = (
        TrackerSpec("severity", "CGI severity of illness (1 normal … 7 extremely ill)", 0, 7),
        TrackerSpec("improvement", "CGI global improvement (1 very much better … 7 worse)", 0, 7),
    )

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "total",
                self.total(task, ("q1", "q2", "q3")),
                "Sum of severity, improvement and the recorded efficacy index "
                "(the CamCOPS server's summary)",
                30,
            ),
            Summary(
                "severity",
                self.value(task, "q1"),
                "Severity of illness (0 not assessed, 1 normal … 7 extremely ill)",
                7,
                kind="int",
            ),
            Summary(
                "improvement",
                self.value(task, "q2"),
                "Global improvement (0 not assessed, 1 very much improved … 7 very much worse)",
                7,
                kind="int",
            ),
            Summary(
                "efficacy_index",
                efficacy_index(self.value(task, "q3t"), self.value(task, "q3s")),
                "Efficacy index 1–16 (1 best), 0 if not assessed",
                16,
                kind="int",
            ),
        ]


TASKS = (Cgi(),)
