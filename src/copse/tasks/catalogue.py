"""The task catalogue: one definition for every task table in the registry.

Task modules live in :mod:`copse.tasks.instruments` and are discovered by a
package scan, so a new instrument needs no edit here. Every task table the
registry knows gets a definition, falling back to :class:`GenericTask` (which
shows data and claims no completeness rule), so callers never have to handle
"no definition" for a table the upload whitelist accepts.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from copse.schema.registry import TABLES, TASK_TABLES
from copse.tasks import instruments
from copse.tasks.base import GenericTask, TaskDefinition


@cache
def _definitions() -> dict[str, TaskDefinition]:
    defs: dict[str, TaskDefinition] = {}
    for mod_info in sorted(pkgutil.iter_modules(instruments.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{instruments.__name__}.{mod_info.name}")
        tasks = getattr(module, "TASKS", None)
        if tasks is None:
            raise RuntimeError(f"task module {module.__name__} does not export TASKS")
        for task in tasks:
            if not isinstance(task, TaskDefinition):
                raise RuntimeError(f"{module.__name__}.TASKS holds a non-task {task!r}")
            if task.tablename in defs:
                raise RuntimeError(f"task table {task.tablename!r} is defined twice")
            defs[task.tablename] = task
    for name in TASK_TABLES:
        defs.setdefault(name, GenericTask(name))
    return dict(sorted(defs.items()))


def is_task_table(tablename: str) -> bool:
    """True if ``tablename`` is a task base table (not ancillary, not core)."""
    info = TABLES.get(tablename)
    return info is not None and info.is_task


def get_task(tablename: str) -> TaskDefinition:
    """The definition of one task table.

    Raises KeyError for anything that is not a task table (ancillary and
    core tables are not tasks; use :func:`task_owning_table` for those).
    """
    try:
        return _definitions()[tablename]
    except KeyError:
        raise KeyError(f"{tablename!r} is not a task table") from None


def all_tasks() -> list[TaskDefinition]:
    """Every task definition, alphabetically by table name."""
    return list(_definitions().values())


def tasks_with_logic() -> list[TaskDefinition]:
    """The task definitions that know their instrument's rules."""
    return [t for t in _definitions().values() if t.has_logic]


def task_owning_table(tablename: str) -> TaskDefinition | None:
    """The task a client table belongs to: itself, or an ancillary table's parent.

    Useful when a child row changes and the parent's completeness (which
    depends on its children) must be re-evaluated. None for core tables.
    """
    info = TABLES.get(tablename)
    if info is None:
        return None
    if info.is_task:
        return get_task(tablename)
    if info.kind == "ancillary" and info.parent is not None:
        return get_task(info.parent)
    return None
