"""The task catalogue: completeness, scores and HTML views as pure logic.

Callers normally need only :func:`get_task` and :class:`TaskData`::

    from copse.tasks import TaskData, get_task

    task_def = get_task("phq9")
    data = TaskData(row=current_row, ancillary=children, blobs=blob_infos)
    task_def.is_complete(data), task_def.summaries(data), task_def.render_html(data)

Instrument modules live in :mod:`copse.tasks.instruments`.
"""

from __future__ import annotations

from copse.tasks.base import AncillaryInfo, BlobInfo, Summary, TaskData, TaskDefinition
from copse.tasks.catalogue import (
    all_tasks,
    get_task,
    is_task_table,
    task_owning_table,
    tasks_with_logic,
)

__all__ = [
    "AncillaryInfo",
    "BlobInfo",
    "Summary",
    "TaskData",
    "TaskDefinition",
    "all_tasks",
    "get_task",
    "is_task_table",
    "task_owning_table",
    "tasks_with_logic",
]
