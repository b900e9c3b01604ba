"""The server's two indexes, `_task_index` and `_idnum_index`, kept exact.

* :mod:`copse.index.compute` — the one rule for what each entry must be;
* :mod:`copse.index.maintain` — :func:`update_after_changes` after every
  commit path, and re-indexers for web actions;
* :mod:`copse.index.rebuild` — :func:`reindex_all` and :func:`check_index`;
* :mod:`copse.index.tasklist` — the task list answered from the index.

The reference leaves its index stale on several paths (data-model.md §9.7);
copse keeps it equal to a full rebuild after every transaction.
"""

from copse.index.maintain import (
    reindex_idnums,
    reindex_patients,
    reindex_rows,
    reindex_tasks,
    update_after_changes,
)
from copse.index.rebuild import check_index, reindex_all

__all__ = [
    "check_index",
    "reindex_all",
    "reindex_idnums",
    "reindex_patients",
    "reindex_rows",
    "reindex_tasks",
    "update_after_changes",
]
