"""Research downloads ("dumps"): CSV (zipped), Excel and SQLite files of filtered tasks.

Edges (CLI, web, API) build :class:`ExportOptions` with the parsers of
:mod:`~copse.services.export.options` and call :func:`run_export` inside
their transaction, writing to a path from :func:`atomic_output`.
"""

from copse.services.export.options import (
    ERAS,
    FORMATS,
    ExportError,
    ExportFilter,
    ExportOptions,
)
from copse.services.export.run import ExportResult, atomic_output, run_export

__all__ = [
    "ERAS",
    "FORMATS",
    "ExportError",
    "ExportFilter",
    "ExportOptions",
    "ExportResult",
    "atomic_output",
    "run_export",
]
