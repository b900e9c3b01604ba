"""Question tables for instruments whose item wording is copyright-restricted.

Many rating scales may be used freely but their question texts may not be
reproduced (PANSS, IES-R, MFI-20, NPI-Q, MDS-UPDRS, ISAAQ, ...). The code
therefore only holds a neutral label per item (its number and, where harmless,
a one- or two-word topic); the wording itself reaches a view only through the
server's extra strings, which a site installs under its own licence. One
mixin gives every such instrument the same behaviour, so a site that installs
strings sees them everywhere, and one that does not sees neutral labels.
"""

from __future__ import annotations

from copse.tasks import html as h
from copse.tasks.base import TaskData
from copse.tasks.scales import ItemScale


class ExtraStringItemScale(ItemScale):
    """An :class:`ItemScale` whose question texts come from extra strings.

    The extra string named like the item's column (e.g. ``q3``) is shown after
    the neutral label when the server has it; otherwise only the label is.
    """

    def question_text(self, task: TaskData, item: str) -> str:
        """The neutral label, followed by the installed wording if any."""
        label = self.question_label(item)
        wording = task.strings.get(item)
        return f"{label}: {wording}" if wording else label

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        rows: list[tuple[str, h.HtmlCell]] = []
        for item in self.items:
            labels = self.option_labels_by_item.get(item, self.option_labels)
            rows.append((self.question_text(task, item), h.answer(task.get(item), labels)))
        return rows


__all__ = ["ExtraStringItemScale"]
