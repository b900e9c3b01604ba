"""QoL-SG: quality of life by the standard gamble.

Source of the method: Torrance GW (1986) "Measurement of health state
utilities for economic appraisal", J Health Econ 5:1–30. The subject first
places their current state in a category (better than, or worse than, the
anchors), then chooses between their current state for certain and a
lottery with probability p of the better outcome and q = 1 − p of the worse
one; p is varied until they are indifferent. The utility of the current state
follows from that p (1 = full health, 0 = as bad as death, negative = worse
than death). The tablet computes and stores ``utility``; the server reports
it as the summary ``sg_utility`` (our own addition: the reference lists no
summaries for this task; a different name from the column so that exports
have no duplicate columns) so it can be charted over time.

Completeness: the task is complete once a utility has been reached
(``utility`` present), which is the reference's rule on its examples.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.forms import YES_NO, Field, FormTask, Section
from copse.tasks.values import as_float

LEFT_RIGHT = {0: "Lottery on the right", 1: "Lottery on the left"}


class QolSg(FormTask):
    tablename = "qolsg"
    sections = (
        Section(
            "Category choice",
            (
                Field("category_start_time", "When the category choice was shown"),
                Field("category_responded", "Category chosen", YES_NO),
                Field("category_response_time", "When the category was chosen"),
                Field("category_chosen", "Category chosen for the current state"),
            ),
        ),
        Section(
            "Gamble",
            (
                Field("gamble_fixed_option", "Certain (fixed) option offered"),
                Field("gamble_lottery_option_p", "Lottery outcome with probability p"),
                Field("gamble_lottery_option_q", "Lottery outcome with probability q = 1 − p"),
                Field("gamble_lottery_on_left", "Side of the screen for the lottery", LEFT_RIGHT),
                Field("gamble_starting_p", "Starting probability p"),
                Field("gamble_start_time", "When the gamble was shown"),
                Field("gamble_responded", "Gamble answered", YES_NO),
                Field("gamble_response_time", "When the gamble was answered"),
                Field("gamble_p", "Probability p at indifference"),
            ),
        ),
        Section(
            "Result",
            (
                Field(
                    "utility",
                    "Utility of the current state (1 = full health, 0 = death)",
                    need="present",
                ),
            ),
        ),
    )
    trackers = (TrackerSpec("sg_utility", "QoL-SG utility", -1, 1),)

    def extra_complete(self, task: TaskData) -> bool:
        return as_float(task.get("utility")) is not None

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "sg_utility",
                as_float(task.get("utility")),
                "Standard-gamble utility of the current state (1 = full health, 0 = death, "
                "negative = worse than death); not a reference summary",
                kind="float",
            )
        ]

    def clinical_summary(self, task: TaskData) -> str:
        utility = as_float(task.get("utility"))
        if utility is None:
            return f"{self.shortname}: no utility reached, incomplete"
        return f"{self.shortname}: utility {utility:.3g}"


TASKS = (QolSg(),)
