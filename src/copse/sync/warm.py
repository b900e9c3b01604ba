"""Compile the upload engine's largest statements when a server process starts.

perf: a few statements probe all ~150 client tables at once (which tables hold
a device's rows, whether an era is in use, whether a move left anything in
``NOW``).  SQLAlchemy compiles each once per process and caches it, but that
first compile costs ~170 ms in all (measured on SQLite), which the first upload
or finalize of every worker process paid.  Running them once at start-up, for
a device id that cannot exist, takes that cost out of the tablets' way.
"""

from __future__ import annotations

import sqlalchemy as sa

from copse.index.maintain import warm_up as warm_up_index
from copse.schema.columns import ERA_NOW
from copse.schema.registry import COMMIT_ORDER, TABLES
from copse.sync import queries
from copse.sync.replay_patients import REFERRING_TABLES

#: No device has this id (ids start at 1), so every probe finds nothing.
NO_DEVICE = -1


def warm_up(conn: sa.Connection) -> None:
    """Run each big probe once (read-only; finds nothing, changes nothing)."""
    for which in ("current", "all"):
        queries.tables_with_live_rows(conn, COMMIT_ORDER, NO_DEVICE, which=which)
    queries.tables_with_live_rows(conn, REFERRING_TABLES, NO_DEVICE, which="live")
    queries.era_in_use(conn, NO_DEVICE, ERA_NOW, TABLES)
    warm_up_index(conn, NO_DEVICE)
