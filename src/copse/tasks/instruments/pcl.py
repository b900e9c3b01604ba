"""PTSD Checklist for DSM-IV: civilian (PCL-C), military (PCL-M), specific (PCL-S).

Source: Weathers, Litz, Herman, Huska & Keane (1993), "The PTSD Checklist
(PCL): reliability, validity, and diagnostic utility", ISTSS annual meeting;
National Center for PTSD scoring notes for the PCL (public domain). Seventeen
items rated 1 ("not at all") to 5 ("extremely"); total 17–85. The three
versions differ only in what the items refer to (any stressful experience;
a military one; one specified event, whose description and date the PCL-S
records).

DSM-IV symptom-cluster scoring: an item is *symptomatic* at ≥3
("moderately" or more); a provisional PTSD diagnosis needs ≥1 symptomatic
item in cluster B (re-experiencing, items 1–5), ≥3 in cluster C
(avoidance/numbing, items 6–12) and ≥2 in cluster D (hyperarousal, items
13–17). Like the reference, the counts and the diagnosis are computed from
whatever answers are present. Tracker cut-offs: 44 (Blanchard et al. 1996,
Behav Res Ther 34:669, civilian samples) for PCL-C/PCL-S, 50 (Weathers et
al. 1993, veterans) for PCL-M.

All seventeen items are required; the PCL-S event description and date are
recorded but not required (the reference's completeness reads the items only).
Item labels are our own paraphrases of the DSM-IV symptom each item covers.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, count_where, numbered
from copse.tasks.values import qfields

ITEMS = qfields("q", 1, 17)
SYMPTOMATIC_AT = 3
#: cluster → (items, symptomatic items needed for DSM-IV PTSD, meaning)
CLUSTERS: dict[str, tuple[tuple[str, ...], int, str]] = {
    "B": (qfields("q", 1, 5), 1, "re-experiencing"),
    "C": (qfields("q", 6, 12), 3, "avoidance and numbing"),
    "D": (qfields("q", 13, 17), 2, "hyperarousal"),
}
_SYMPTOMS = (
    "Repeated disturbing memories, thoughts or images of the experience",
    "Repeated disturbing dreams of it",
    "Suddenly acting or feeling as if it were happening again",
    "Feeling very upset when something reminds you of it",
    "Physical reactions when something reminds you of it",
    "Avoiding thinking or talking about it, or feelings about it",
    "Avoiding activities or situations that remind you of it",
    "Trouble remembering important parts of it",
    "Loss of interest in activities you used to enjoy",
    "Feeling distant or cut off from other people",
    "Feeling emotionally numb",
    "Feeling as if your future will somehow be cut short",
    "Trouble falling or staying asleep",
    "Feeling irritable or having angry outbursts",
    "Difficulty concentrating",
    "Being super-alert, watchful or on guard",
    "Feeling jumpy or easily startled",
)


class PclCommon(ItemScale):
    """What the three DSM-IV PCL versions share; subclasses set table and cut-off."""

    items = ITEMS
    permitted = (1, 2, 3, 4, 5)
    item_labels = numbered(_SYMPTOMS)
    option_labels = {
        1: "not at all",
        2: "a little bit",
        3: "moderately",
        4: "quite a bit",
        5: "extremely",
    }

    def cluster_counts(self, task: TaskData) -> dict[str, int]:
        return {
            name: count_where(self.values(task, items), lambda v: v >= SYMPTOMATIC_AT)
            for name, (items, _needed, _meaning) in CLUSTERS.items()
        }

    def summaries(self, task: TaskData) -> list[Summary]:
        counts = self.cluster_counts(task)
        ptsd = all(counts[name] >= needed for name, (_i, needed, _m) in CLUSTERS.items())
        out = [
            Summary("total", self.total(task), "Total score (17–85; answered items only)", 85),
            Summary(
                "num_symptomatic",
                sum(counts.values()),
                "Items rated symptomatic (≥3, 'moderately' or more)",
                17,
            ),
        ]
        for name, (items, _needed, meaning) in CLUSTERS.items():
            out.append(
                Summary(
                    f"num_symptomatic_{name}",
                    counts[name],
                    f"Symptomatic items in cluster {name} ({meaning})",
                    len(items),
                )
            )
        out.append(
            Summary(
                "ptsd",
                ptsd,
                "Meets DSM-IV symptom criteria for PTSD (≥1 of B, ≥3 of C, ≥2 of D symptomatic)",
            )
        )
        return out

    def clinical_summary(self, task: TaskData) -> str:
        s = {x.name: x.value for x in self.summaries(task)}
        parts = [
            f"total {s['total']}/85",
            f"symptomatic B {s['num_symptomatic_B']}/5, C {s['num_symptomatic_C']}/7, "
            f"D {s['num_symptomatic_D']}/5",
            "meets DSM-IV PTSD symptom criteria" if s["ptsd"] else "DSM-IV PTSD criteria not met",
        ]
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + ", ".join(parts)


def _tracker(cutoff: float, source: str) -> tuple[TrackerSpec, ...]:
    return (
        TrackerSpec("total", "Total score", 17, 85, (Cutoff(cutoff, f"PTSD likely ({source})"),)),
    )


class PclC(PclCommon):
    tablename = "pclc"
    questions_title = "Problems in the last month, in response to stressful experiences"
    trackers = _tracker(44, "Blanchard 1996")


class PclM(PclCommon):
    tablename = "pclm"
    questions_title = "Problems in the last month, in response to stressful military experiences"
    trackers = _tracker(50, "Weathers 1993")


class PclS(PclCommon):
    tablename = "pcls"
    questions_title = "Problems in the last month, in response to the specified experience"
    trackers = _tracker(44, "Blanchard 1996")
    column_meanings = {
        "event": "The specific stressful experience the answers refer to (free text)",
        "eventdate": "When that experience happened (free text)",
    }

    def body_html(self, task: TaskData) -> Markup:
        event = h.section(
            "Stressful experience",
            h.table([("Event", task.get("event")), ("Date of event", task.get("eventdate"))]),
        )
        return Markup("").join((event, super().body_html(task)))


TASKS = (PclC(), PclM(), PclS())
