"""Shared machinery for questionnaires made of coded items.

Most instruments are "N items, each with a small set of permitted codes, some
scores derived from them". Declaring the items once (columns, labels, codes)
gives completeness, a total and a question/answer view for free, so each
instrument module only states what is particular to it: its bands, its
reverse-scored items, its skip rules.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import TaskData, TaskDefinition
from copse.tasks.values import int_in

#: Where :meth:`ItemScale.coded` keeps a task's checked answers (``TaskData.memo``).
_CODED = "ItemScale.coded"


def band(value: float | None, cutoffs: Sequence[tuple[float, str]], below: str) -> str | None:
    """The label of the highest cut-off that ``value`` reaches.

    ``cutoffs`` are ``(threshold, label)`` pairs; a value equal to a
    threshold belongs to that threshold's band ("≥ cut-off" convention, as the
    published tables state their ranges). Below every threshold → ``below``.
    """
    if value is None:
        return None
    label = below
    for threshold, name in sorted(cutoffs):
        if value >= threshold:
            label = name
    return label


def numbered(labels: Sequence[str], prefix: str = "q", first: int = 1) -> dict[str, str]:
    """Map ``q1``, ``q2``, ... to "1. label", "2. label", ... for question tables."""
    return {f"{prefix}{n}": f"{n}. {text}" for n, text in enumerate(labels, start=first)}


def count_where(values: Sequence[int | None], predicate: Any) -> int:
    """How many of the non-None values satisfy ``predicate``."""
    return sum(1 for v in values if v is not None and predicate(v))


class ItemScale(TaskDefinition):
    """A task whose required content is a fixed list of coded items.

    Class attributes to set: ``items`` (column names, in display order),
    ``permitted`` (codes each item may take; ``permitted_by_item`` overrides
    per column), ``item_labels`` (column → short question text) and
    ``option_labels`` (code → meaning; ``option_labels_by_item`` overrides).
    """

    items: ClassVar[tuple[str, ...]] = ()
    permitted: ClassVar[tuple[int, ...]] = ()
    permitted_by_item: ClassVar[Mapping[str, tuple[int, ...]]] = {}
    item_labels: ClassVar[Mapping[str, str]] = {}
    option_labels: ClassVar[Mapping[int, str]] = {}
    option_labels_by_item: ClassVar[Mapping[str, Mapping[int, str]]] = {}
    questions_title: ClassVar[str] = "Questions and answers"

    def permitted_for(self, item: str) -> tuple[int, ...]:
        return self.permitted_by_item.get(item, self.permitted)

    @functools.cached_property
    def _item_codes(self) -> tuple[tuple[str, frozenset[int]], ...]:
        """(item, permitted codes) of every item, worked out once per definition."""
        return tuple((i, frozenset(self.permitted_for(i))) for i in self.items)

    def coded(self, task: TaskData) -> dict[str, int | None]:
        """Every item's code if it is a permitted answer, else None (worked out once per task).

        perf: scoring asks for the same answers many times (completeness,
        totals, subscales, bands: ~47 look-ups per PHQ-9), and downloads, the
        index rebuild and every upload judge tasks by the hundred thousand; the
        answers are checked once, in one pass, and then read from this dict.
        A plain int (the usual answer) is tested by set membership alone; any
        other value goes through :func:`int_in`, which says what counts.
        """
        memo = task.memo
        coded: dict[str, int | None] | None = memo.get(_CODED)
        if coded is None:
            get = task.row.get
            coded = {}
            for item, codes in self._item_codes:
                v = get(item)
                coded[item] = (v if v in codes else None) if type(v) is int else int_in(v, codes)
            memo[_CODED] = coded
        return coded

    def value(self, task: TaskData, item: str) -> int | None:
        """An item's code if it is a permitted answer, else None."""
        coded = self.coded(task)
        if item in coded:
            return coded[item]
        # A column that is not one of ``items`` (a definition's extra coded field).
        return int_in(task.get(item), self.permitted_for(item))

    def values(self, task: TaskData, items: Sequence[str] | None = None) -> list[int | None]:
        coded = self.coded(task)
        return [
            coded[i] if i in coded else self.value(task, i)
            for i in (self.items if items is None else items)
        ]

    def required_items(self, task: TaskData) -> Sequence[str]:
        """Items that must be answered; override for skip rules."""
        return self.items

    def is_complete(self, task: TaskData) -> bool | None:
        # Every present answer must be permitted, and every required one present.
        coded = self.coded(task)
        get = task.row.get
        for item, code in coded.items():
            if code is None and get(item) is not None:
                return False
        return all(v is not None for v in self.values(task, self.required_items(task)))

    def item_score(self, task: TaskData, item: str) -> int:
        """Score contributed by one item (its code by default; 0 if absent)."""
        return self.value(task, item) or 0

    def total(self, task: TaskData, items: Sequence[str] | None = None) -> int:
        chosen = self.items if items is None else items
        if type(self).item_score is not ItemScale.item_score:  # a definition's own scoring
            return sum(self.item_score(task, i) for i in chosen)
        return sum(v or 0 for v in self.values(task, chosen))

    def question_label(self, item: str) -> str:
        return self.item_labels.get(item, item)

    def column_meaning(self, table: str, column: str) -> str | None:
        """Declared meaning, else an item's question label with its answer codes."""
        declared = super().column_meaning(table, column)
        if declared is not None or table != self.tablename or column not in self.items:
            return declared
        labels = self.option_labels_by_item.get(column, self.option_labels)
        codes = "; ".join(f"{code} = {text}" for code, text in sorted(labels.items()))
        permitted = ", ".join(str(c) for c in self.permitted_for(column))
        return f"{self.question_label(column)} ({codes or 'permitted: ' + permitted})"

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        rows: list[tuple[str, h.HtmlCell]] = []
        for item in self.items:
            labels = self.option_labels_by_item.get(item, self.option_labels)
            rows.append((self.question_label(item), h.answer(task.get(item), labels)))
        return rows

    def body_html(self, task: TaskData) -> Markup:
        return h.section(
            self.questions_title,
            h.table(
                self.question_rows(task), header=("Question", "Answer"), css_class="copse-answers"
            ),
        )


__all__ = ["ItemScale", "band", "count_where", "numbered"]
