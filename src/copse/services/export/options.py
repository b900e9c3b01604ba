"""What a download asks for, checked before anything is read or written.

Why a separate module: the CLI, the web form and (later) the read API all
turn user input into :class:`ExportOptions`; validating here once gives the
same error message, naming the field, on every edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from copse.errors import UserError
from copse.schema.registry import TASK_TABLES
from copse.services.export import xlsx_out
from copse.services.export.shapes import FORMATS as FORMATS
from copse.services.export.shapes import Format as Format

Era = Literal["live", "finalized", "all"]

ERAS: tuple[Era, ...] = ("live", "finalized", "all")
#: File name suffix of each format (the CSV files travel in one ZIP).
SUFFIXES: dict[Format, str] = {"csv": ".zip", "xlsx": ".xlsx", "sqlite": ".sqlite"}


class ExportError(UserError):
    """Bad export input or a refused export; the message names the field or the reason."""


@dataclass(frozen=True)
class ExportFilter:
    """The task-list filters a download honours; empty means "don't filter"."""

    group_ids: tuple[int, ...] = ()
    task_types: tuple[str, ...] = ()
    which_idnum: int | None = None
    idnum_value: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    complete_only: bool = False
    era: Era = "all"

    def describe(self) -> str:
        """The filter as one audit-friendly line (no patient data beyond the ID filter)."""
        parts = [f"era={self.era}"]
        if self.group_ids:
            parts.append("groups=" + ",".join(str(g) for g in self.group_ids))
        if self.task_types:
            parts.append("tasks=" + ",".join(self.task_types))
        if self.which_idnum is not None:
            parts.append(f"idnum={self.which_idnum}={self.idnum_value}")
        if self.created_from:
            parts.append(f"from={self.created_from.isoformat()}")
        if self.created_to:
            parts.append(f"to={self.created_to.isoformat()}")
        if self.complete_only:
            parts.append("complete_only")
        return " ".join(parts)


@dataclass(frozen=True)
class ExportOptions:
    """A whole download request."""

    format: Format
    filter: ExportFilter = field(default_factory=ExportFilter)
    all_versions: bool = False
    deidentify: bool = False
    blobs: bool = False

    def describe(self) -> str:
        flags = [
            name
            for name, on in (
                ("all_versions", self.all_versions),
                ("deidentify", self.deidentify),
                ("blobs", self.blobs),
            )
            if on
        ]
        return f"format={self.format} {self.filter.describe()} " + " ".join(flags)


def parse_format(text: str) -> Format:
    for f in FORMATS:
        if text == f:
            return f
    raise ExportError(f"format: {text!r} is not offered (choose one of {', '.join(FORMATS)})")


def parse_era(text: str) -> Era:
    for e in ERAS:
        if text == e:
            return e
    raise ExportError(f"era: {text!r} is not one of {', '.join(ERAS)}")


def parse_date(field_name: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ExportError(f"{field_name}: {text!r} is not a date (YYYY-MM-DD)") from None


def parse_task_types(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    known = set(TASK_TABLES)
    for n in names:
        if n not in known:
            raise ExportError(f"task: {n!r} is not a task type")
    return tuple(dict.fromkeys(names))


def parse_idnum(text: str) -> tuple[int, int]:
    """``TYPE=VALUE`` with both parts integers."""
    which, sep, value = text.partition("=")
    try:
        if not sep:
            raise ValueError
        return int(which.strip()), int(value.strip())
    except ValueError:
        raise ExportError(f"idnum: {text!r} is not TYPE=VALUE (two whole numbers)") from None


def check_dates(f: ExportFilter) -> None:
    if f.created_from and f.created_to and f.created_from > f.created_to:
        raise ExportError("from: the start date is after the end date (to)")


def check_xlsx_rows(table: str, n_rows: int) -> None:
    """Refuse, before starting, an Excel download with a table too big for a sheet."""
    if not xlsx_out.fits(n_rows):
        raise ExportError(xlsx_out.too_big_message(table, n_rows))
