"""Declarative clinical and research forms: sections of labelled fields.

Many tasks are not rating scales but forms: a referral, a medical history, a
contact log. What they need is always the same — show every answer under its
section with its label, coded answers as words (never bare codes), free text
exactly as written (line breaks kept), a data-dictionary meaning for every
column, and a completeness rule of the shape "these fields answered; this
detail given when that box is ticked". Declaring a form as data gives all of
that once, so a form module only lists its fields and states the rules that
are particular to it.

Labels are our own short neutral descriptions of what a field records; where
a form's exact wording is wanted it comes from the server's extra strings
(``TaskData.xstring``), never from code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import RiskFlag, TaskData, TaskDefinition, format_number
from copse.tasks.values import as_float, as_int, is_nonempty_text

#: Codes of a yes/no (Boolean) answer.
YES_NO: Mapping[Any, str] = {0: "No", 1: "Yes"}

#: How a field's presence is judged.
#: "none": optional; "present": must not be NULL; "text": must hold non-blank text.
Need = Literal["none", "present", "text"]


@dataclass(frozen=True)
class Field:
    """One column of a form.

    ``options`` maps permitted codes to their meaning (a coded answer outside
    them makes the form incomplete and is shown marked as invalid); Boolean
    columns get :data:`YES_NO` automatically. ``need`` says whether the field
    is required ("present" / "text") or optional ("none"). ``when`` makes the
    requirement conditional: ``(other_column, codes)`` — the field is required
    only while ``other_column`` holds one of ``codes`` (e.g. details of a
    ticked box). ``unit`` is appended to numbers when shown. ``blob`` marks
    a BLOB reference, shown as the picture when the web layer can serve it.
    """

    column: str
    label: str
    options: Mapping[Any, str] | None = None
    need: Need = "none"
    when: tuple[str, tuple[Any, ...]] | None = None
    unit: str = ""
    blob: bool = False
    xoptions: str | None = None


@dataclass(frozen=True)
class Section:
    """A titled group of fields, shown as one table."""

    title: str
    fields: tuple[Field, ...]


def yes(task: TaskData, column: str) -> bool:
    """True if a yes/no column holds "yes" (1)."""
    return as_int(task.get(column)) == 1


def code_of(value: Any, options: Mapping[Any, str]) -> Any:
    """The key of ``options`` that ``value`` stands for, or None if it is not one.

    Integral floats count as their integer; text codes compare exactly (a
    tablet sends them as stored), so "m" is not "M".
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value in options else None
    i = as_int(value)
    return i if i is not None and i in options else None


class FormTask(TaskDefinition):
    """A task shown and judged as a form of :class:`Section` objects.

    Subclasses set ``sections``; ``risk_answers`` maps a column to
    ``(codes, message)`` for answers a clinician must not miss;
    ``headline`` lists the columns worth naming in the one-line clinical
    summary. ``extra_complete`` adds rules the declarations cannot express.
    """

    sections: ClassVar[tuple[Section, ...]] = ()
    risk_answers: ClassVar[Mapping[str, tuple[tuple[Any, ...], str]]] = {}
    headline: ClassVar[tuple[str, ...]] = ()

    # --------------------------------------------------------------- fields
    def fields(self) -> Iterator[Field]:
        for section in self.sections:
            yield from section.fields

    def options_of(self, f: Field) -> Mapping[Any, str] | None:
        """Declared options, else yes/no for a Boolean column."""
        if f.options is not None:
            return f.options
        col = self.info.column_map.get(f.column)
        return YES_NO if col is not None and col.kind == "bool" else None

    def required(self, task: TaskData, f: Field) -> bool:
        """Whether ``f`` must be answered on this task (its ``when`` condition holds)."""
        if f.need == "none":
            return False
        if f.when is None:
            return True
        other, codes = f.when
        value = task.get(other)
        return any(
            (value == c if isinstance(c, str) else as_int(value) == c)
            for c in codes
            if value is not None
        )

    def answered(self, task: TaskData, f: Field) -> bool:
        value = task.get(f.column)
        if f.need == "text":
            return is_nonempty_text(value)
        return value is not None

    def valid(self, task: TaskData, f: Field) -> bool:
        """A present value is one of the field's permitted codes (if it has any)."""
        value = task.get(f.column)
        options = self.options_of(f)
        if value is None or options is None:
            return True
        return code_of(value, options) is not None

    # ---------------------------------------------------------------- logic
    def extra_complete(self, task: TaskData) -> bool:
        """Further completeness rules of a particular form (default: none)."""
        return True

    def is_complete(self, task: TaskData) -> bool | None:
        for f in self.fields():
            if not self.valid(task, f):
                return False
            if self.required(task, f) and not self.answered(task, f):
                return False
        return self.extra_complete(task)

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        out: list[RiskFlag] = []
        for column, (codes, message) in self.risk_answers.items():
            value = task.get(column)
            if value is not None and (code_of(value, dict.fromkeys(codes, "")) is not None):
                out.append(RiskFlag(column, message))
        return out

    def clinical_summary(self, task: TaskData) -> str:
        """Headline answers as text, numeric summaries, "incomplete", risk flags."""
        parts: list[str] = []
        by_column = {f.column: f for f in self.fields()}
        for column in self.headline:
            f = by_column[column]
            text = self.answer_text(task, f)
            if text is not None:
                parts.append(f"{f.label.lower()}: {text}")
        for s in self.summaries(task):
            if isinstance(s.value, (int, float)) and not isinstance(s.value, bool):
                shown = format_number(s.value)
                if s.out_of is not None:
                    shown += f"/{format_number(s.out_of)}"
                parts.append(f"{s.name.replace('_', ' ')} {shown}")
        if self.is_complete(task) is False:
            parts.append("incomplete")
        parts.extend(flag.message for flag in self.risk_flags(task))
        return f"{self.shortname}: " + ("; ".join(parts) if parts else "recorded")

    def answer_text(self, task: TaskData, f: Field) -> str | None:
        """One answer as plain text (label of a code, number with unit, text)."""
        value = task.get(f.column)
        if value is None:
            return None
        options = self.options_of(f)
        if options is not None:
            code = code_of(value, options)
            text = self.option_text(task, f, code) if code is not None else f"{value!s} (invalid)"
            return " ".join(text.split())
        if isinstance(value, str):
            return " ".join(value.split())[:80] or None
        number = as_float(value)
        if number is not None:
            shown = str(int(number)) if number.is_integer() else f"{number:g}"
            return f"{shown} {f.unit}".strip()
        return " ".join(str(value).split())

    # ------------------------------------------------------ data dictionary
    def column_meaning(self, table: str, column: str) -> str | None:
        declared = super().column_meaning(table, column)
        if declared is not None or table != self.tablename:
            return declared
        for f in self.fields():
            if f.column == column:
                options = self.options_of(f)
                meaning = f.label
                if f.unit:
                    meaning += f" ({f.unit})"
                if options:
                    codes = "; ".join(f"{code} = {text}" for code, text in options.items())
                    meaning += f" ({codes})"
                return meaning
        return None

    # ------------------------------------------------------------------ HTML
    def cell(self, task: TaskData, f: Field) -> Markup:
        """One answer for the view: option text, number with unit, or free text."""
        value = task.get(f.column)
        if value is None:
            return h.NULL_HTML
        if f.blob:
            return h.blob_html(as_int(value), task.blobs, f.label)
        options = self.options_of(f)
        if options is not None:
            code = code_of(value, options)
            if code is not None:
                return h.value_html(self.option_text(task, f, code))
            return h.answer(value, options)
        if f.xoptions is not None and as_int(value) is not None:
            # A code whose meanings only the extra strings hold: show both.
            text = task.strings.get(f.xoptions.format(as_int(value)))
            if text:
                return Markup("{} — {}").format(as_int(value), text)
        if f.unit and as_float(value) is not None:
            return Markup("{} {}").format(h.value_html(value), f.unit)
        return h.value_html(value)

    def option_text(self, task: TaskData, f: Field, code: Any) -> str:
        """The meaning of a permitted code: the server's wording if it has it."""
        options = self.options_of(f) or {}
        default = options.get(code, str(code))
        if f.xoptions is None:
            return default
        return task.xstring(f.xoptions.format(code), default)

    def section_rows(self, task: TaskData, section: Section) -> list[tuple[str, Markup]]:
        return [(task.xstring(f.column, f.label), self.cell(task, f)) for f in section.fields]

    def body_html(self, task: TaskData) -> Markup:
        parts = [
            h.section(
                s.title,
                h.table(
                    self.section_rows(task, s),
                    header=("Question", "Answer"),
                    css_class="copse-answers",
                ),
            )
            for s in self.sections
        ]
        parts.append(self.ancillary_html(task))
        return Markup("").join(parts)

    def ancillary_html(self, task: TaskData) -> Markup:
        """Child-table views of forms that have them (none by default)."""
        return Markup("")


def fields_of(sections: Sequence[Section]) -> tuple[str, ...]:
    """Every column the sections declare, in order (for coverage tests)."""
    return tuple(f.column for s in sections for f in s.fields)


__all__ = ["YES_NO", "Field", "FormTask", "Section", "code_of", "fields_of", "yes"]
