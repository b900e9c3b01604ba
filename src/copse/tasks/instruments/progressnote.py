"""Clinical progress note.

Rule per tasks.md §3: complete when ``note`` is truthy (present and
non-empty). We read "non-empty" as containing some non-whitespace text, since
a blank note records nothing. No summaries (the reference has none).
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import TaskData, TaskDefinition
from copse.tasks.values import is_nonempty_text


class ProgressNote(TaskDefinition):
    tablename = "progressnote"

    def is_complete(self, task: TaskData) -> bool | None:
        return is_nonempty_text(task.get("note"))

    def body_html(self, task: TaskData) -> Markup:
        rows = [("Location", task.get("location")), ("Note", task.get("note"))]
        return h.section("Progress note", h.table(rows, css_class="copse-answers"))


TASKS = (ProgressNote(),)
