"""The shape of an output table: plain data shared by the layout and the file writers.

Why apart from :mod:`copse.services.export.layout`: the file writers
(:mod:`~copse.services.export.sqlite_out`, ``csv_out``, ``xlsx_out``) run in
a process of their own for large downloads (:mod:`copse.services.export.
writer_process`), which must start in a fraction of a second; this module and
they import nothing of copse's schema or task definitions.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Literal

SqlType = Literal["INTEGER", "REAL", "TEXT", "BLOB"]
Format = Literal["csv", "xlsx", "sqlite"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "sqlite")

SUMMARY_PREFIX = "summary_"
DICTIONARY_TABLE = "data_dictionary"
#: Column of an ancillary row holding its task row's ``_pk``.
TASK_PK = "_task_pk"


@dataclass(frozen=True)
class OutColumn:
    name: str
    type: SqlType
    meaning: str = ""


@dataclass(frozen=True)
class OutTable:
    """One output table; ``parent`` set means ``_task_pk`` references ``parent._pk``."""

    name: str
    columns: tuple[OutColumn, ...]
    primary_key: str
    parent: str | None = None
    indexed: tuple[str, ...] = ()
    #: A task table's columns are its own, then ``patient_columns`` patient
    #: facts, then ``summary_columns`` summaries (see :func:`task_table`).
    patient_columns: int = 0
    summary_columns: int = 0
    #: A task table: its rows are written in ``_pk`` order (keyset-paged batches).
    is_task: bool = False

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        """Column names, computed once: every output row is built from them."""
        return tuple(c.name for c in self.columns)

    @functools.cached_property
    def parts(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """A task table's own column names, its patient facts' names, and its
        summaries' names without their prefix (as the task definition names them)."""
        n_own = len(self.names) - self.patient_columns - self.summary_columns
        own = self.names[:n_own]
        patient = self.names[n_own : n_own + self.patient_columns]
        summary = tuple(
            c.removeprefix(SUMMARY_PREFIX) for c in self.names[n_own + self.patient_columns :]
        )
        return own, patient, summary


class FileRefused(Exception):
    """A file the writer cannot make (e.g. a sheet over Excel's row limit); the
    message is for the user, and the download fails with it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TaskRows:
    """A batch's task rows without their summary columns, and each row's stored
    summaries (JSON, :mod:`copse.tasks.summaries_store`), completed by the file writer.

    perf: decoding the summaries and putting them in column order was ~0.2 s of
    a 100,000-task download in the process reading the database, which is the
    one that sets the pace; a large download's writer process (on the other
    core) has time to spare.  Values go in as decoded: JSON's true and false
    are stored by SQLite as 1 and 0, as the general path writes them.
    """

    rows: list[tuple[Any, ...]]
    summaries: list[str]

    def complete(self, table: OutTable) -> list[tuple[Any, ...]]:
        names = table.parts[2]
        return [
            (*r, *[d.get(n) for n in names])
            for r, d in zip(self.rows, map(json.loads, self.summaries), strict=True)
        ]


#: What a writer is given for one table: output rows, or task rows to complete.
Rows = list[tuple[Any, ...]] | TaskRows
