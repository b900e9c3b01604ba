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

    The extra string named like the item's column (e.g. ``q3``, the name the
    reference's string files use) is shown when the server has it, after the
    neutral label (``label_with_wording``, for scales whose labels carry the
    item number the wording lacks) or in its place; otherwise only the label is.
    """

    #: Show "label: wording" (True) or the wording alone (False) when installed.
    label_with_wording: bool = True

    def question_text(self, task: TaskData, item: str) -> str:
        """The neutral label and/or the installed wording (see ``label_with_wording``)."""
        label = self.question_label(item)
        wording = task.strings.get(item)
        if not wording:
            return label
        return f"{label}: {wording}" if self.label_with_wording else str(wording)

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        rows: list[tuple[str, h.HtmlCell]] = []
        for item in self.items:
            labels = self.option_labels_by_item.get(item, self.option_labels)
            rows.append((self.question_text(task, item), h.answer(task.get(item), labels)))
        return rows


__all__ = ["ExtraStringItemScale"]
