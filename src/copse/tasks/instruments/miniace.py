"""Mini-ACE (Mini-Addenbrooke's Cognitive Examination).

Source: Hsieh et al. (2015) Dement Geriatr Cogn Disord 39:1. Total /30:
orientation to time (4), the third learning trial of the seven-element name
and address (7), animal fluency scored 0–7 (7), clock drawing 0–5 (5), and
delayed recall of the address (7). Cut-offs: ≤25 (sensitivity 0.85,
specificity 0.87) and ≤21 (specificity 1.0) suggest dementia. Completeness
(our reading): every scored item present. Scoring helpers are shared with
the ACE-III module, whose items these are.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.instruments.ace3 import (
    ADDRESS_RECALL,
    ADDRESS_TRIAL3,
    field_groups_html,
    fields_valid,
    score,
    total,
)
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.values import qfields

TIME = qfields("attn_time", 1, 4)
SCORED = (*TIME, *ADDRESS_TRIAL3, "fluency_animals_score", "vsp_draw_clock", *ADDRESS_RECALL)


class MiniAce(TaskDefinition):
    tablename = "miniace"
    trackers = (
        TrackerSpec(
            "mini_ace",
            "Mini-ACE total (≤25 and ≤21 suggest dementia)",
            0,
            30,
            (Cutoff(22, "Above 21"), Cutoff(26, "Above 25")),
        ),
    )

    def is_complete(self, task: TaskData) -> bool | None:
        return fields_valid(task, SCORED) and all(score(task, f) is not None for f in SCORED)

    def summaries(self, task: TaskData) -> list[Summary]:
        attention = total(task, TIME)
        memory = total(task, (*ADDRESS_TRIAL3, *ADDRESS_RECALL))
        fluency = total(task, ("fluency_animals_score",))
        visuospatial = total(task, ("vsp_draw_clock",))
        grand = attention + memory + fluency + visuospatial
        return [
            Summary("mini_ace", grand, "Mini-ACE total score", 30),
            Summary("attention", attention, "Attention (orientation to time)", 4),
            Summary("memory", memory, "Memory (address learning trial 3 and delayed recall)", 14),
            Summary("fluency", fluency, "Fluency (animals)", 7),
            Summary("visuospatial", visuospatial, "Visuospatial (clock)", 5),
            Summary("at_or_below_25", grand <= 25, "At or below the higher cut-off (≤25)"),
            Summary("at_or_below_21", grand <= 21, "At or below the lower cut-off (≤21)"),
        ]

    def body_html(self, task: TaskData) -> Markup:
        groups = [
            (
                "Background",
                (
                    "task_edition",
                    "task_address_version",
                    "remote_administration",
                    "age_at_leaving_full_time_education",
                    "occupation",
                    "handedness",
                ),
            ),
            ("Attention", TIME),
            (
                "Memory",
                (
                    *qfields("mem_repeat_address_trial1_", 1, 7),
                    *qfields("mem_repeat_address_trial2_", 1, 7),
                    *ADDRESS_TRIAL3,
                    *ADDRESS_RECALL,
                ),
            ),
            ("Fluency", ("fluency_animals_score",)),
            ("Visuospatial", ("vsp_draw_clock",)),
        ]
        return field_groups_html(self, task, groups)


TASKS = (MiniAce(),)
