"""Research downloads ("dumps"): CSV (zipped), Excel and SQLite files of filtered tasks.

Edges (CLI, web, API) build :class:`ExportOptions` with the parsers of
:mod:`~copse.services.export.options` and call :func:`run_export` inside
their transaction, writing to a path from :func:`atomic_output`.

The names below are loaded on first use (PEP 562), not when the package is:
the file writer's process (:mod:`copse.services.export.writer_child`) imports
its modules from this package and must not load the schema and the task
definitions that :func:`run_export` needs (~0.4 s of start-up).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from copse.services.export.options import (
        ERAS,
        FORMATS,
        ExportError,
        ExportFilter,
        ExportOptions,
    )
    from copse.services.export.run import ExportResult, atomic_output, run_export

_HOMES = {
    "ERAS": "options",
    "FORMATS": "options",
    "ExportError": "options",
    "ExportFilter": "options",
    "ExportOptions": "options",
    "ExportResult": "run",
    "atomic_output": "run",
    "run_export": "run",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
