"""FFT (NHS Friends and Family Test).

Source: NHS England (2019) *Friends and Family Test: implementation
guidance*. One question about the person's overall experience of a named
service, rated 1 (very good) to 5 (very poor), with 6 = don't know, plus the
service's name. There is no score; the task is complete when the rating is
given.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import TaskData
from copse.tasks.scales import ItemScale

RATINGS = {
    1: "very good",
    2: "good",
    3: "neither good nor poor",
    4: "poor",
    5: "very poor",
    6: "don't know",
}


class Fft(ItemScale):
    tablename = "fft"
    items = ("rating",)
    permitted = tuple(RATINGS)
    item_labels = {"rating": "Overall experience of the service"}
    option_labels = RATINGS
    column_meanings = {"service": "Name of the service being rated (free text)"}

    def clinical_summary(self, task: TaskData) -> str:
        rating = self.value(task, "rating")
        return f"{self.shortname}: " + (
            f"experience rated {RATINGS[rating]}" if rating is not None else "no rating"
        )

    def body_html(self, task: TaskData) -> Markup:
        service = h.section("Service", h.table([("Service rated", task.get("service"))]))
        return Markup("{}{}").format(service, super().body_html(task))


TASKS = (Fft(),)
