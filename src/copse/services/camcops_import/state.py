"""The import's own bookkeeping in copse (``_import_state``, migration 0009).

The import commits in batches so that a large CamCOPS database is never one
giant transaction; this table is what makes that safe.  Each batch's rows
and the key of its last row are committed together, so after a kill the
table says exactly how far the copy got and a new run continues from there.
The ``*`` row names the source and the phase of the whole import:
``copying`` (running, or interrupted: the next run resumes), ``copied``
(every table copied and the index rebuilt, verification pending or failed)
and ``complete`` (verified).  copse's server refuses tablets while an
import is not complete.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from copse.schema.tables import import_state as state_table

#: The ``table_name`` of the row describing the whole import.
WHOLE = "*"
COPYING, COPIED, COMPLETE = "copying", "copied", "complete"
#: Phase of one table's row once the current run has copied all of it.
TABLE_DONE = "done"


@dataclass
class ImportState:
    """What ``_import_state`` says: the source, the phase, each table's progress."""

    source: str
    phase: str
    updated_at_utc: datetime
    #: Per table: (phase, key of the last committed row or None).
    tables: dict[str, tuple[str, tuple[Any, ...] | None]] = field(default_factory=dict)


def read_state(conn: sa.Connection) -> ImportState | None:
    """The recorded import, or None if this copse database was never imported into."""
    rows = conn.execute(sa.select(state_table)).all()
    whole = next((r for r in rows if r.table_name == WHOLE), None)
    if whole is None:
        return None
    st = ImportState(whole.source, whole.phase, whole.updated_at_utc)
    for r in rows:
        if r.table_name != WHOLE:
            key = None if r.last_key is None else tuple(json.loads(r.last_key))
            st.tables[r.table_name] = (r.phase, key)
    return st


def _upsert(conn: sa.Connection, name: str, values: dict[str, Any]) -> None:
    t = state_table
    done = conn.execute(sa.update(t).where(t.c.table_name == name).values(**values))
    if done.rowcount == 0:
        conn.execute(sa.insert(t).values(table_name=name, **values))


def start_run(conn: sa.Connection, source: str, resume: bool, now: datetime) -> None:
    """Mark the import as running; unless resuming, forget the tables' progress."""
    if not resume:
        conn.execute(sa.delete(state_table).where(state_table.c.table_name != WHOLE))
    set_phase(conn, source, COPYING, now)


def set_phase(conn: sa.Connection, source: str, phase: str, now: datetime) -> None:
    _upsert(
        conn,
        WHOLE,
        {"source": source, "phase": phase, "rows_written": 0, "updated_at_utc": now},
    )


def save_progress(
    conn: sa.Connection,
    source: str,
    table: str,
    last_key: tuple[Any, ...] | None,
    rows: int,
    now: datetime,
    done: bool = False,
) -> None:
    """Record, in the batch's own transaction, the key of its last row."""
    t = state_table
    values: dict[str, Any] = {
        "source": source,
        "phase": TABLE_DONE if done else COPYING,
        "updated_at_utc": now,
    }
    if last_key is not None:
        values["last_key"] = json.dumps(list(last_key))
    done_rows = conn.execute(
        sa.update(t)
        .where(t.c.table_name == table)
        .values(rows_written=t.c.rows_written + rows, **values)
    )
    if done_rows.rowcount == 0:
        conn.execute(sa.insert(t).values(table_name=table, rows_written=rows, **values))


def import_incomplete(conn: sa.Connection) -> str | None:
    """Why copse must not serve tablets yet (None: no import, or a complete one)."""
    row = conn.execute(
        sa.select(state_table.c.phase, state_table.c.source).where(
            state_table.c.table_name == WHOLE
        )
    ).one_or_none()
    if row is None or row.phase == COMPLETE:
        return None
    return (
        f"an import of the CamCOPS database {row.source} is not complete "
        f"(phase {row.phase}): run 'copse import-camcops' again to finish it"
    )
