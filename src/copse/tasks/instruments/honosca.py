"""HoNOSCA: Health of the Nation Outcome Scales for Children and Adolescents.

Source: Gowers et al. (1999) Br J Psychiatry 174:413 (and the HoNOSCA
glossary). Fifteen clinician-rated scales, each 0 (no problem) to 4 (severe
to very severe problem), 9 = not known. Section A (scales 1–13) rates the
young person's problems; section B (scales 14–15) the lack of information
the family has about the problems and about services. A rating of 9 is
left out of every sum (it is not a score of 9).

The reference's ``total`` (/60) sums all fifteen scales; the HoNOSCA
glossary's usual total is section A alone (/52), so we add ``section_a_total``
and ``section_b_total`` beside it. Completeness (our reading, as for HoNOS):
every scale rated 0–4 or 9; the period rated is shown but not required.
Scale names are our own short labels.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, numbered
from copse.tasks.values import qfields

RATINGS = {
    0: "no problem",
    1: "minor problem requiring no action",
    2: "mild problem but definitely present",
    3: "moderately severe problem",
    4: "severe to very severe problem",
    9: "not known",
}
SECTION_A = qfields("q", 1, 13)
SECTION_B = qfields("q", 14, 15)


class Honosca(ItemScale):
    tablename = "honosca"
    items = (*SECTION_A, *SECTION_B)
    permitted = (0, 1, 2, 3, 4, 9)
    option_labels = RATINGS
    item_labels = numbered(
        (
            "Disruptive, antisocial or aggressive behaviour",
            "Overactivity, attention and concentration",
            "Non-accidental self-injury",
            "Alcohol, substance or solvent misuse",
            "Scholastic or language skills",
            "Physical illness or disability problems",
            "Hallucinations and delusions",
            "Non-organic somatic symptoms",
            "Emotional and related symptoms",
            "Peer relationships",
            "Self-care and independence",
            "Family life and relationships",
            "Poor school attendance",
            "Lack of knowledge about the nature of the difficulties (parents/carers)",
            "Lack of information about services or management (parents/carers)",
        )
    )
    column_meanings = {"period_rated": "The period the ratings cover (free text)"}
    trackers = (TrackerSpec("section_a_total", "HoNOSCA section A total (scales 1–13)", 0, 52),)

    def item_score(self, task: TaskData, item: str) -> int:
        v = self.value(task, item)
        return v if v is not None and v != 9 else 0

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "total", self.total(task), "Total of all 15 scales (9 = not known counts 0)", 60
            ),
            Summary(
                "section_a_total",
                self.total(task, SECTION_A),
                "Section A total: scales 1–13, the young person's problems",
                52,
            ),
            Summary(
                "section_b_total",
                self.total(task, SECTION_B),
                "Section B total: scales 14–15, lack of information for family/carers",
                8,
            ),
        ]

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Self-injury is flagged at any rating above "no problem"; aggressive
        # behaviour (harm to others) from "moderately severe" up.
        flags: list[RiskFlag] = []
        injury = self.value(task, "q3")
        if injury is not None and 1 <= injury <= 4:
            flags.append(RiskFlag("q3", f"scale 3 (self-injury) = {injury}, {RATINGS[injury]}"))
        aggression = self.value(task, "q1")
        if aggression is not None and 3 <= aggression <= 4:
            flags.append(
                RiskFlag(
                    "q1", f"scale 1 (aggressive behaviour) = {aggression}, {RATINGS[aggression]}"
                )
            )
        return flags

    def body_html(self, task: TaskData) -> Markup:
        details = h.section("Details", h.table([("Period rated", task.get("period_rated"))]))
        return Markup("{}{}").format(details, super().body_html(task))


TASKS = (Honosca(),)
