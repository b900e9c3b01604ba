"""``--jobs 2``: the task index's entries computed while the copy goes on.

perf: a first import copies every table, then rebuilds the index, whose
entries are mostly Python computing (the task definitions' completeness and
summaries); the copy keeps about one of two cores busy, the rebuild too.
Here a helper process (:mod:`copse.index.entry_process`) is offered each task
table as soon as it and every table its entries are computed from (patients,
its ancillary rows, BLOBs if it has any: copied before it, see
:func:`~.plan.build_plan`) are committed, and computes that table's entries
while the import copies the next ones.  The rebuild then writes and checks
what the helper has spooled, and shares with it what is left.

Only for a run that rebuilds the whole index (not a catch-up after a complete
import).  A resumed run may find copse rows that CamCOPS no longer has; they
are deleted at the end of the copy, so entries computed before that could
come from them: a task table with rows to delete is not offered during the
copy, nor any task table once a non-task table has some (a patient, an
ancillary row or a BLOB counts for any task).  Those are computed by the
rebuild, after the deletions.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType

import sqlalchemy as sa

from copse.db.statistics import analyze
from copse.index.compute import entry_sources
from copse.index.entry_process import EntryProcess, loaded_tables_ready
from copse.schema.registry import TABLES


class IndexAhead:
    """The import's side of the helper: told which tables are loaded, it offers those ready.

    Use as a context manager: leaving it stops the helper.
    """

    def __init__(self, engine: sa.Engine, now: datetime, counts: dict[str, int]) -> None:
        self._engine = engine
        #: Source rows per table: empty task tables are not offered.
        self._counts = counts
        self._loaded: set[str] = set()
        #: Task tables with rows to delete at the end of the copy.
        self._held: set[str] = set()
        #: A non-task table had rows to delete: no more task tables offered.
        self._stopped = False
        self._analysed: set[str] = set()
        self.helper = EntryProcess(engine.url.render_as_string(hide_password=False), now)
        #: Task tables offered to the helper, in order.
        self.offered: list[str] = []

    def __enter__(self) -> IndexAhead:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.helper.close()

    def loaded(self, table: str, deleting: bool = False) -> None:
        """``table`` is copied and committed (``deleting``: but for rows to delete at
        the end of the copy); offer the task tables this makes ready."""
        self._loaded.add(table)
        if deleting:
            if not TABLES[table].is_task:
                self._stopped = True
            self._held.add(table)
        if self._stopped:
            return
        ready = [
            t
            for t in loaded_tables_ready(self._loaded)
            if self._counts.get(t) and t not in self._held and t not in self.offered
        ]
        if not ready:
            return
        # The helper looks patients, ancillary rows and BLOBs up by key: give
        # the planner statistics of what was just loaded (copse.db.statistics).
        sources = {s for t in ready for s in entry_sources(t) if self._counts.get(s)}
        analyze(self._engine, sources - self._analysed)
        self._analysed |= sources
        self.helper.offer(ready)
        self.offered.extend(ready)
