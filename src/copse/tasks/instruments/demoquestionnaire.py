"""Demonstration questionnaire (anonymous).

Not a clinical instrument: it shows each kind of question widget the tablet
offers (multiple choice, typed variables, dates, a thermometer, diagnostic
codes, photo and drawing canvases, spin boxes, sliders, pickers). Nothing
in it is required: it is complete once any widget has been answered (the
reference calls every instance complete; all its examples have answers, and
an instance with none records nothing). Every
answer is shown raw under the widget it came from; the pictures are shown
when the web layer can serve their BLOBs.
"""

from __future__ import annotations

from copse.tasks.base import TaskData
from copse.tasks.forms import Field, FormTask, Section


def _numbered(prefix: str, last: int, label: str) -> tuple[Field, ...]:
    return tuple(Field(f"{prefix}{n}", f"{label} {n}") for n in range(1, last + 1))


class DemoQuestionnaire(FormTask):
    tablename = "demoquestionnaire"
    sections = (
        Section(
            "Text and typed variables",
            (
                *(
                    Field(f"mcqtext_{n}{part}", f"Text beside multiple choice {n}{part}")
                    for n in (1, 2, 3)
                    for part in ("a", "b")
                ),
                Field("typedvar_text", "Typed variable: text"),
                Field("typedvar_text_multiline", "Typed variable: multi-line text"),
                Field("typedvar_text_rich", "Typed variable: rich text"),
                Field("typedvar_int", "Typed variable: integer"),
                Field("typedvar_real", "Typed variable: real number"),
            ),
        ),
        Section(
            "Dates, times and codes",
            (
                Field("date_only", "Date"),
                Field("date_time", "Date and time"),
                Field("time_only", "Time"),
                Field("thermometer", "Thermometer"),
                Field("diagnosticcode_code", "Diagnostic code 1: code"),
                Field("diagnosticcode_description", "Diagnostic code 1: description"),
                Field("diagnosticcode2_code", "Diagnostic code 2: code"),
                Field("diagnosticcode2_description", "Diagnostic code 2: description"),
            ),
        ),
        Section(
            "Pictures",
            (
                Field("photo_blobid", "Photograph", blob=True),
                Field("photo_rotation", "Photograph rotation (defunct)"),
                Field("canvas_blobid", "Drawing canvas 1", blob=True),
                Field("canvas2_blobid", "Drawing canvas 2", blob=True),
            ),
        ),
        Section(
            "Numbers",
            (
                Field("spinbox_int", "Spin box: integer"),
                Field("spinbox_real", "Spin box: real number"),
                Field("slider1", "Slider 1"),
                Field("slider2", "Slider 2"),
                Field("picker1", "Picker 1"),
                Field("picker2", "Picker 2"),
            ),
        ),
        Section(
            "Multiple choice",
            (
                *_numbered("mcq", 10, "Multiple choice question"),
                *_numbered("mcqbool", 3, "Multiple choice (Boolean) question"),
                *_numbered("multipleresponse", 6, "Multiple response option"),
                *_numbered("booltext", 22, "Boolean text option"),
                *_numbered("boolimage", 2, "Boolean image option"),
            ),
        ),
    )

    def is_complete(self, task: TaskData) -> bool | None:
        return any(task.get(f.column) is not None for f in self.fields())


TASKS = (DemoQuestionnaire(),)
