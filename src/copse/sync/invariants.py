"""Consistency checks of the record lifecycle, for tests and diagnostics.

These are the invariants the engine maintains (data-model.md §4): at most one current
row per (table, device, era, client PK); predecessor/successor links agree;
and once a device has no ongoing batch, none of its rows is pending or
flagged for preservation.  Not used on the request path (it reads every
client table).
"""

from __future__ import annotations

import sqlalchemy as sa

from copse.db.probe import tables_with_rows
from copse.schema.registry import COMMIT_ORDER
from copse.schema.tables import CLIENT_TABLES, devices


def check_invariants(conn: sa.Connection, device_id: int | None = None) -> list[str]:
    """Return a description of every violation found (empty list = all good)."""
    problems: list[str] = []
    idle = {
        d
        for (d,) in conn.execute(
            sa.select(devices.c.id).where(devices.c.ongoing_upload_batch_utc.is_(None))
        )
    }
    # Tables with no rows (of the device) can break no invariant: skip them.
    used = tables_with_rows(
        conn,
        [CLIENT_TABLES[n] for n in COMMIT_ORDER],
        (lambda t: t.c._device_id == device_id) if device_id is not None else None,
    )
    for table in COMMIT_ORDER:
        if table not in used:
            continue
        t = CLIENT_TABLES[table]
        dev = [t.c._device_id == device_id] if device_id is not None else []
        q = (
            sa.select(t.c._device_id, t.c._era, t.c.id, sa.func.count())
            .where(t.c._current == sa.true(), *dev)
            .group_by(t.c._device_id, t.c._era, t.c.id)
            .having(sa.func.count() > 1)
        )
        for d, era, cid, n in conn.execute(q):
            problems.append(f"{table}: {n} current rows for device {d}, era {era}, id {cid}")
        succ = t.alias("succ")
        q = (
            sa.select(t.c._pk, t.c._successor_pk, succ.c._predecessor_pk)
            .select_from(t.outerjoin(succ, succ.c._pk == t.c._successor_pk))
            .where(t.c._successor_pk.is_not(None), *dev)
            .where(
                sa.or_(
                    succ.c._pk.is_(None),
                    succ.c._predecessor_pk.is_(None),
                    succ.c._predecessor_pk != t.c._pk,
                )
            )
        )
        for pk, spk, back in conn.execute(q):
            problems.append(f"{table}: _pk {pk} has successor {spk} whose predecessor is {back}")
        q = sa.select(t.c._pk, t.c._device_id).where(
            sa.or_(
                t.c._addition_pending == sa.true(),
                t.c._removal_pending == sa.true(),
                sa.and_(t.c._era == "NOW", t.c._move_off_tablet != 0),
            ),
            *dev,
        )
        for pk, d in conn.execute(q):
            if d in idle:
                problems.append(f"{table}: _pk {pk} is pending/flagged but device {d} has no batch")
    return problems
