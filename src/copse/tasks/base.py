"""The shape of a task definition, and the plain data a task is judged on.

A *task definition* is pure logic over plain dicts: it never touches the
database or the web framework. The upload engine asks it whether a task is
complete (to fill the task index), the web layer asks it for scores and an
HTML view. Keeping it pure means the same answer is given on every path
(upload, reindex, web view, export) and that instruments can be unit-tested
from hand-made rows.

Conventions every task module follows (so behaviour is predictable across
the catalogue):

* ``is_complete`` returns ``None`` only for tasks without logic (the generic
  fallback); a task with logic always answers True or False. An answer that
  is outside the instrument's permitted values makes a task incomplete.
* Summaries are computed even for incomplete tasks, from the answers that are
  present and valid (absent or invalid answers count as 0), exactly as the
  reference computes its totals; the view's "Complete: No" row warns the
  reader. A summary that is undefined without all its inputs (e.g. a BMI,
  a converted metric score) is ``None`` instead.
* Nothing uploaded is trusted as markup: views are built with
  :mod:`copse.tasks.html`, which escapes every value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from markupsafe import Markup

from copse.schema.registry import TABLES, TableInfo
from copse.tasks import html as h
from copse.tasks.meta import (
    STANDARD_COLUMN_MEANINGS,
    Cutoff,
    DictionaryEntry,
    RiskFlag,
    SummaryKind,
    TrackerSpec,
    format_number,
    kind_of_sql_type,
)
from copse.tasks.values import parse_iso_datetime

#: Order-by column of each ancillary relationship (tasks.md §1.4). The
#: registry knows each child's parent and FK column but not its ordering.
#: The standard summary holding the task definition's completeness verdict.
COMPLETE_SUMMARY = "is_complete"
ANCILLARY_ORDER_BY: dict[str, str] = {
    "cardinal_expdet_trials": "trial",
    "cardinal_expdet_trialgroupspec": "group_num",
    "cardinal_expdetthreshold_trials": "trial",
    "diagnosis_icd10_item": "seqnum",
    "diagnosis_icd9cm_item": "seqnum",
    "ided3d_trials": "trial",
    "ided3d_stages": "stage",
    "khandaker_mojo_medication_item": "seqnum",
    "khandaker_mojo_therapy_item": "seqnum",
    "kirby_mcq_trials": "trial",
    "photosequence_photos": "seqnum",
}

SummaryValue = int | float | str | bool | None

CLINICIAN_FIELDS: tuple[tuple[str, str], ...] = (
    ("clinician_name", "Name"),
    ("clinician_specialty", "Specialty"),
    ("clinician_professional_registration", "Professional registration"),
    ("clinician_post", "Post"),
    ("clinician_service", "Service"),
    ("clinician_contact_details", "Contact details"),
)
RESPONDENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("respondent_name", "Name"),
    ("respondent_relationship", "Relationship to patient"),
)


@dataclass(frozen=True)
class BlobInfo:
    """What a view needs to know about one referenced BLOB (never its bytes).

    ``url`` is supplied by the web layer (it knows its routes and permissions);
    it may be None, in which case the view says the image is not viewable.
    """

    mimetype: str | None = None
    filename: str | None = None
    size: int | None = None
    url: str | None = None
    rotation_deg_cw: int | None = None


@dataclass(frozen=True)
class TaskData:
    """One task instance as plain data.

    ``row`` is the task's current row (client column names → values as
    uploaded: ints for booleans, ISO text for dates). ``ancillary`` holds the
    current child rows per ancillary table, already in the relationship's
    order. ``blobs`` maps client blob ids (same device and era) to
    :class:`BlobInfo`. ``patient`` is the current patient row if the caller has
    it; only a few rules need it (e.g. the PHQ-15 period item applies to
    female patients only). ``strings`` are the server's extra strings for
    this task (name → text, default locale), if the caller loaded them: the
    only place copyright-restricted question wording may come from.
    """

    row: Mapping[str, Any]
    ancillary: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    blobs: Mapping[int, BlobInfo] = field(default_factory=dict)
    patient: Mapping[str, Any] | None = None
    strings: Mapping[str, str] = field(default_factory=dict)
    #: Values a definition derived from this (immutable) task, by key, so that
    #: scoring does not validate the same answer again for every summary.
    memo: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def xstring(self, name: str, default: str) -> str:
        """An extra string of this task if the server has it, else ``default``."""
        text = self.strings.get(name)
        return text if text else default

    def get(self, column: str) -> Any:
        """The value of one column of the task row (None if absent)."""
        return self.row.get(column)

    def children(self, tablename: str) -> Sequence[Mapping[str, Any]]:
        """The current rows of one ancillary table (empty if none)."""
        return self.ancillary.get(tablename, ())

    @property
    def patient_sex(self) -> str | None:
        """The patient's sex letter (M/F/X) if known, else None."""
        if self.patient is None:
            return None
        sex = self.patient.get("sex")
        return sex.strip().upper() if isinstance(sex, str) and sex.strip() else None


@dataclass(frozen=True)
class Summary:
    """One calculated value: a score, a band, a flag.

    ``out_of`` is the maximum of a score, shown as "12 / 27" in views.
    ``kind`` is the column type downloads give it; it must be set whenever the
    value can be None (an empty task must still say what type its summary
    columns have, or a download of empty tasks would have untyped columns).
    Left unset, it is read from the value.
    """

    name: str
    value: SummaryValue
    description: str
    out_of: int | float | None = None
    kind: SummaryKind | None = None

    @property
    def column_kind(self) -> SummaryKind | None:
        """The declared kind, else the kind of the value (None if both unknown)."""
        if self.kind is not None:
            return self.kind
        value = self.value
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int):
            return "int"
        if isinstance(value, float):
            return "float"
        if isinstance(value, str):
            return "str"
        return None


class AncillaryInfo(NamedTuple):
    """One child table of a task: (table, FK column holding parent id, order-by)."""

    tablename: str
    fk_column: str
    order_by: str


class TaskDefinition:
    """Base class of every task definition; also usable as the generic fallback.

    Subclasses set the class attribute ``tablename`` and override
    ``is_complete``, ``summaries`` and ``body_html``. Interface facts
    (names, mixins, minimum client version, ancillary tables, BLOB columns)
    come from the registry, so they cannot drift from the upload whitelist.
    """

    tablename: str = ""
    #: False only for the generic fallback, which knows no instrument rules.
    has_logic: ClassVar[bool] = True
    #: Summaries charted in a patient's tracker (empty: nothing worth charting).
    trackers: ClassVar[tuple[TrackerSpec, ...]] = ()
    #: Meanings of this task's columns (and its ancillary tables' columns, as
    #: ``"table.column"``) for the data dictionary; standard columns and
    #: declared items are described without entries here.
    column_meanings: ClassVar[Mapping[str, str]] = {}
    #: Why a summary or rule knowingly differs from the CamCOPS server's
    #: computation (summary name or "is_complete" → reason), shown in the data
    #: dictionary so users comparing with old CamCOPS downloads know why.
    reference_differences: ClassVar[Mapping[str, str]] = {}

    def __init__(self, tablename: str | None = None) -> None:
        name = tablename if tablename is not None else type(self).tablename
        info = TABLES.get(name)
        if info is None or not info.is_task:
            raise ValueError(f"{name!r} is not a task table in the client-table registry")
        self.tablename = name
        self.info: TableInfo = info

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.tablename}>"

    # ----------------------------------------------------------------- facts
    @property
    def shortname(self) -> str:
        return self.info.shortname or self.tablename

    @property
    def longname(self) -> str:
        return self.info.longname or self.shortname

    @property
    def has_patient(self) -> bool:
        return self.info.has_patient

    @property
    def is_anonymous(self) -> bool:
        return not self.info.has_patient

    @property
    def has_clinician(self) -> bool:
        return self.info.has_clinician

    @property
    def has_respondent(self) -> bool:
        return self.info.has_respondent

    @property
    def min_client_version(self) -> str:
        return self.info.min_client_version

    @property
    def blob_fields(self) -> tuple[str, ...]:
        """BLOB-reference columns of the task row itself."""
        return self.info.blob_id_columns

    @property
    def ancillary(self) -> tuple[AncillaryInfo, ...]:
        """Child tables, with the FK and ordering the loader must use."""
        out: list[AncillaryInfo] = []
        for child in self.info.ancillary_tables:
            cinfo = TABLES[child]
            out.append(
                AncillaryInfo(child, cinfo.fk_to_parent or "", ANCILLARY_ORDER_BY.get(child, "id"))
            )
        return tuple(out)

    @property
    def all_tables(self) -> tuple[str, ...]:
        """The task table followed by its ancillary tables."""
        return (self.tablename, *self.info.ancillary_tables)

    # ----------------------------------------------------------------- logic
    def is_complete(self, task: TaskData) -> bool | None:
        """Whether all required answers are present; None = no rule known."""
        return None

    def summaries(self, task: TaskData) -> list[Summary]:
        """Task-specific calculated values (scores, bands, flags)."""
        return []

    def html_summaries(self, task: TaskData) -> list[Summary]:
        """What the view's summary box shows; may add display-only values."""
        return self.summaries(task)

    def standard_summaries(
        self, task: TaskData, server_version: str | None = None
    ) -> list[Summary]:
        """The values every scored task reports first in the reference exports.

        ``server_version`` is the server's version string, which only the
        caller knows; it is omitted when not given.
        """
        out = [
            Summary(COMPLETE_SUMMARY, self.is_complete(task), "Task complete?", kind="bool"),
            Summary(
                "seconds_from_creation_to_first_finish",
                seconds_to_first_finish(task.row),
                "Time (in seconds) from task creation to first exit, if that was a finish",
                kind="float",
            ),
        ]
        if server_version is not None:
            out.append(
                Summary("camcops_server_version", server_version, "Server version", kind="str")
            )
        return out

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        """Answers a clinician must not miss; none unless the instrument has them."""
        return []

    def clinical_summary(self, task: TaskData) -> str:
        """One line for the clinical text view, e.g. "PHQ-9: total 12/27, Moderate".

        The default lists the scores (with their maxima) and text bands of
        :meth:`summaries`; tasks override it where a better line exists.
        """
        parts: list[str] = []
        for s in self.summaries(task):
            if s.value is None or isinstance(s.value, bool):
                continue
            if isinstance(s.value, str):
                parts.append(f"{s.name.replace('_', ' ')} {s.value}")
            elif s.out_of is not None:
                parts.append(f"{s.name.replace('_', ' ')} {format_number(s.value)}/{s.out_of}")
            else:
                parts.append(f"{s.name.replace('_', ' ')} {format_number(s.value)}")
        complete = self.is_complete(task)
        if complete is False:
            parts.append("incomplete")
        flags = self.risk_flags(task)
        parts.extend(f.message for f in flags)
        return f"{self.shortname}: " + (", ".join(parts) if parts else "no scores")

    # ------------------------------------------------------- data dictionary
    def column_meaning(self, table: str, column: str) -> str | None:
        """What one stored column means, if this definition knows."""
        key = column if table == self.tablename else f"{table}.{column}"
        return self.column_meanings.get(key)

    def summary_columns(self) -> list[Summary]:
        """The summary columns every download of this task carries, in order.

        Computed on an empty task, so every summary must cope with all answers
        missing (which property tests check anyway).
        """
        empty = TaskData(row={})
        return [*self.standard_summaries(empty), *self.summaries(empty)]

    def data_dictionary(self) -> list[DictionaryEntry]:
        """Every stored and computed column of this task, with its meaning."""
        out: list[DictionaryEntry] = []
        for table in self.all_tables:
            for col in TABLES[table].columns:
                meaning = (
                    self.column_meaning(table, col.name)
                    or STANDARD_COLUMN_MEANINGS.get(col.name)
                    or ""
                )
                out.append(DictionaryEntry(table, col.name, col.kind, meaning))
        for s in self.summary_columns():
            meaning = s.description
            if s.name in self.reference_differences:
                meaning += f" (differs from CamCOPS: {self.reference_differences[s.name]})"
            out.append(
                DictionaryEntry(self.tablename, s.name, s.column_kind or "str", meaning, True)
            )
        return out

    # ------------------------------------------------------------------ HTML
    def render_html(self, task: TaskData) -> Markup:
        """The whole task view: summary box, people, then questions and answers."""
        return Markup('<div class="copse-task copse-task-{}">{}{}{}</div>').format(
            self.tablename,
            h.summary_table(self.is_complete(task), self.html_summaries(task)),
            self.people_html(task),
            self.body_html(task),
        )

    def people_html(self, task: TaskData) -> Markup:
        """Clinician and respondent details, for tasks that have them."""
        parts: list[Markup] = []
        if self.has_clinician:
            parts.append(
                h.section(
                    "Clinician",
                    h.table([(label, task.get(col)) for col, label in CLINICIAN_FIELDS]),
                )
            )
        if self.has_respondent:
            parts.append(
                h.section(
                    "Respondent",
                    h.table([(label, task.get(col)) for col, label in RESPONDENT_FIELDS]),
                )
            )
        return Markup("").join(parts)

    def body_html(self, task: TaskData) -> Markup:
        """The questions and answers; the default shows every column raw."""
        parts = [h.section("Fields", h.record_html(self.tablename, task.row, task.blobs))]
        for anc in self.ancillary:
            parts.append(
                h.section(
                    anc.tablename,
                    h.records_html(anc.tablename, task.children(anc.tablename), task.blobs),
                )
            )
        return Markup("").join(parts)


class GenericTask(TaskDefinition):
    """Fallback for task tables without a module: shows data, never guesses.

    Completeness is reported as unknown rather than guessed, because a wrong
    "complete" flag in the task index would mislead clinicians more than an
    honest "unknown".
    """

    has_logic: ClassVar[bool] = False

    def people_html(self, task: TaskData) -> Markup:
        # Every column, clinician and respondent ones included, is already in
        # the field table of the body.
        return Markup("")


def seconds_to_first_finish(row: Mapping[str, Any]) -> float | None:
    """Seconds from ``when_created`` to ``when_firstexit`` if that exit was a finish."""
    if row.get("firstexit_is_finish") not in (1, True):
        return None
    start = parse_iso_datetime(row.get("when_created"))
    end = parse_iso_datetime(row.get("when_firstexit"))
    if start is None or end is None:
        return None
    try:
        return (end - start).total_seconds()
    except TypeError:  # one naive, one aware: no meaningful difference
        return None


__all__ = [
    "AncillaryInfo",
    "BlobInfo",
    "Cutoff",
    "DictionaryEntry",
    "GenericTask",
    "RiskFlag",
    "Summary",
    "SummaryKind",
    "TaskData",
    "TaskDefinition",
    "TrackerSpec",
    "format_number",
    "kind_of_sql_type",
    "seconds_to_first_finish",
]
