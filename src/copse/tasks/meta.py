"""Plain facts a task definition declares beside its scores.

Trackers, risk flags and the data dictionary are read by views, exports and
charts that must not know any instrument; keeping their shapes here (with no
logic) lets every layer above :mod:`copse.tasks` use them without importing
a task module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: The column kinds a summary can have, as downloads type them. The names are
#: those of the reference's SQL types (task_summaries.json) reduced to four.
SummaryKind = Literal["bool", "int", "float", "str"]

#: SQL type names of the reference (task_summaries.json) → summary kinds.
SQL_TYPE_KIND: dict[str, SummaryKind] = {
    "BOOLEAN": "bool",
    "INTEGER": "int",
    "FLOAT": "float",
    "TEXT": "str",
}


def kind_of_sql_type(sql_type: str) -> SummaryKind:
    """The summary kind of a reference SQL type (``VARCHAR(n)`` is text)."""
    return "str" if sql_type.upper().startswith("VARCHAR") else SQL_TYPE_KIND[sql_type.upper()]


@dataclass(frozen=True)
class Cutoff:
    """A published threshold of a score: values at or above it are ``label``."""

    value: float
    label: str


@dataclass(frozen=True)
class TrackerSpec:
    """How one summary is charted over time in a patient's tracker.

    ``summary`` names a summary of the task; ``y_min``/``y_max`` are the
    scale's range (so that charts of different patients compare); ``cutoffs``
    are the instrument's published thresholds, drawn as lines with their band
    labels. Declared by the task definition, so every scored task gets a
    tracker without view code of its own.
    """

    summary: str
    label: str
    y_min: float
    y_max: float
    cutoffs: tuple[Cutoff, ...] = ()


@dataclass(frozen=True)
class RiskFlag:
    """An answer a clinician must not miss (e.g. thoughts of self-harm).

    ``column`` is the item that raised it; ``message`` is shown in the task
    list, the patient page and the task page.
    """

    column: str
    message: str


@dataclass(frozen=True)
class DictionaryEntry:
    """One row of the data dictionary: a column of a table and what it means.

    ``kind`` is the registry column kind for stored columns and the summary
    kind for computed ones (``is_summary``).
    """

    table: str
    column: str
    kind: str
    meaning: str
    is_summary: bool = False


#: Meanings of the columns every task (or many tasks) share (tasks.md §1).
STANDARD_COLUMN_MEANINGS: dict[str, str] = {
    "id": "Task's primary key on the tablet",
    "when_created": "When the task was created on the tablet",
    "when_last_modified": "When the record was last changed on the tablet",
    "_move_off_tablet": "Tablet flag: finalize (move off the tablet) at the next upload",
    "patient_id": "The tablet's patient record this task belongs to",
    "firstexit_is_finish": "The task was first left by finishing it",
    "firstexit_is_abort": "The task was first left by aborting it",
    "when_firstexit": "When the task was first left (finished or aborted)",
    "editing_time_s": "Time spent editing the task, in seconds",
    "clinician_specialty": "Clinician's specialty",
    "clinician_name": "Clinician's name",
    "clinician_professional_registration": "Clinician's professional registration",
    "clinician_post": "Clinician's post",
    "clinician_service": "Clinician's service",
    "clinician_contact_details": "Clinician's contact details",
    "respondent_name": "Respondent's name",
    "respondent_relationship": "Respondent's relationship to the patient",
    "comments": "Free-text comments",
}


def format_number(value: float) -> str:
    """A score as people write it: integers without ".0", others to 2 places."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(int(value))
