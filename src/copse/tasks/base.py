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
from copse.tasks.values import parse_iso_datetime

#: Order-by column of each ancillary relationship (tasks.md §1.4). The
#: registry knows each child's parent and FK column but not its ordering.
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
    female patients only).
    """

    row: Mapping[str, Any]
    ancillary: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    blobs: Mapping[int, BlobInfo] = field(default_factory=dict)
    patient: Mapping[str, Any] | None = None

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
    """

    name: str
    value: SummaryValue
    description: str
    out_of: int | float | None = None


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
            Summary("is_complete", self.is_complete(task), "Task complete?"),
            Summary(
                "seconds_from_creation_to_first_finish",
                seconds_to_first_finish(task.row),
                "Time (in seconds) from task creation to first exit, if that was a finish",
            ),
        ]
        if server_version is not None:
            out.append(Summary("camcops_server_version", server_version, "Server version"))
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
