"""Body mass index.

Rule per tasks.md §3: complete when ``height_m`` and ``mass_kg`` are present
and height, mass and (if given) waist are ≥ 0. BMI = mass_kg / height_m²,
None if incomplete or the height is 0. The category uses the thresholds
13, 15, 16, 17, 17.5, 18.5, 25, 30, 35 and 40 kg/m² (tasks.md §3): the WHO
adult classification (thinness grades at 16/17/18.5, normal from 18.5,
overweight from 25, obesity classes from 30/35/40) with the extra
eating-disorder thresholds 13, 15 and 17.5. A BMI equal to a threshold
belongs to the band above it. The category labels are our own wording.
The category is shown in the view; the reference's summary is the BMI only.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.scales import band
from copse.tasks.values import as_float

CATEGORIES: tuple[tuple[float, str], ...] = (
    (13, "Severely underweight (13 ≤ BMI < 15)"),
    (15, "Underweight: severe thinness (15 ≤ BMI < 16)"),
    (16, "Underweight: moderate thinness (16 ≤ BMI < 17)"),
    (17, "Underweight: mild thinness (17 ≤ BMI < 17.5)"),
    (17.5, "Underweight: mild thinness (17.5 ≤ BMI < 18.5)"),
    (18.5, "Normal weight (18.5 ≤ BMI < 25)"),
    (25, "Overweight (25 ≤ BMI < 30)"),
    (30, "Obese class I (30 ≤ BMI < 35)"),
    (35, "Obese class II (35 ≤ BMI < 40)"),
    (40, "Obese class III (BMI ≥ 40)"),
)
BELOW_ALL = "Very severely underweight (BMI < 13)"


def bmi_category(bmi: float | None) -> str | None:
    """The category label for a BMI (None if there is no BMI)."""
    return band(bmi, CATEGORIES, BELOW_ALL)


class Bmi(TaskDefinition):
    tablename = "bmi"

    def _measure(self, task: TaskData, column: str) -> float | None:
        return as_float(task.get(column))

    def is_complete(self, task: TaskData) -> bool | None:
        for col in ("height_m", "mass_kg", "waist_cm"):
            raw = task.get(col)
            v = self._measure(task, col)
            if raw is not None and (v is None or v < 0):
                return False
        return task.get("height_m") is not None and task.get("mass_kg") is not None

    def bmi(self, task: TaskData) -> float | None:
        if not self.is_complete(task):
            return None
        height = self._measure(task, "height_m")
        mass = self._measure(task, "mass_kg")
        if height is None or mass is None:
            return None
        # A height so small that its square underflows to 0 (any height 0) has no BMI.
        area = height * height
        return None if area == 0 else mass / area

    def summaries(self, task: TaskData) -> list[Summary]:
        return [Summary("bmi", self.bmi(task), "Body mass index (kg/m²)", kind="float")]

    def html_summaries(self, task: TaskData) -> list[Summary]:
        return [
            *self.summaries(task),
            Summary("category", bmi_category(self.bmi(task)), "BMI category", kind="str"),
        ]

    def body_html(self, task: TaskData) -> Markup:
        rows = [
            ("Height (m)", task.get("height_m")),
            ("Mass (kg)", task.get("mass_kg")),
            ("Waist circumference (cm)", task.get("waist_cm")),
            ("Comment", task.get("comment")),
        ]
        return h.section("Measurements", h.table(rows, css_class="copse-answers"))


TASKS = (Bmi(),)
