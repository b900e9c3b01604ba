"""Item scales whose question wording may only come from the server's extra strings.

Many instruments are copyright-restricted: sites that hold a licence install
the wording as extra strings, and everyone else must see a neutral label.
Declaring such a scale through :class:`XStringItemScale` keeps that rule in
one place: the view asks the extra strings for each item (by its column
name, the name the reference's string files use) and falls back to the
neutral ``item_labels`` the module declares, so no restricted wording ever
needs to be written in code.
"""

from __future__ import annotations

from copse.tasks import html as h
from copse.tasks.base import TaskData
from copse.tasks.scales import ItemScale


class XStringItemScale(ItemScale):
    """An :class:`ItemScale` that shows each question from the extra strings if present."""

    def question_text(self, task: TaskData, item: str) -> str:
        """The item's wording from the extra strings, else its neutral label."""
        return task.xstring(item, self.question_label(item))

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        rows: list[tuple[str, h.HtmlCell]] = []
        for item in self.items:
            labels = self.option_labels_by_item.get(item, self.option_labels)
            rows.append((self.question_text(task, item), h.answer(task.get(item), labels)))
        return rows


__all__ = ["XStringItemScale"]
