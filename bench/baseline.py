"""The floor: the same rows bulk-inserted straight into the same database.

One transaction, one ``executemany`` per table (SQLAlchemy Core, so the same
column types and driver paths copse uses), full server-side rows (client
columns plus the server's bookkeeping columns).  The rows go into a separate
era (``BASELINE``) of the benchmark's own device, and are deleted afterwards
(not timed), so they never meet the upload engine.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from bench.datagen import TabletData
from copse.schema.registry import COMMIT_ORDER
from copse.schema.tables import CLIENT_TABLES, devices, users

BASELINE_ERA = "BASELINE"


def _server_fields(device_id: int, user_id: int, group_id: int) -> dict[str, Any]:
    return {
        "_device_id": device_id,
        "_era": BASELINE_ERA,
        "_current": False,
        "_when_added_exact": "2024-01-08T09:00:00.000000+00:00",
        "_adding_user_id": user_id,
        "_forcibly_preserved": False,
        "_manually_erased": False,
        "_camcops_version": "2.4.24",
        "_addition_pending": False,
        "_removal_pending": False,
        "_group_id": group_id,
    }


def ids_for(engine: sa.Engine, device: str, username: str = "admin") -> tuple[int, int, int]:
    with engine.connect() as conn:
        dev = conn.execute(sa.select(devices.c.id).where(devices.c.name == device)).scalar_one()
        uid, gid = conn.execute(
            sa.select(users.c.id, users.c.upload_group_id).where(users.c.username == username)
        ).one()
    return int(dev), int(uid), int(gid)


def raw_insert(engine: sa.Engine, data: TabletData, device: str) -> float:
    """Seconds to insert every row of ``data`` in one transaction (then removed, untimed)."""
    device_id, user_id, group_id = ids_for(engine, device)
    extra = _server_fields(device_id, user_id, group_id)
    prepared = {
        t: [{**r, **extra} for r in data.db[t].values()] for t in COMMIT_ORDER if data.db.get(t)
    }
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for t, rows in prepared.items():
            conn.execute(CLIENT_TABLES[t].insert(), rows)
    elapsed = time.perf_counter() - t0
    with engine.begin() as conn:
        for t in prepared:
            tab = CLIENT_TABLES[t]
            conn.execute(sa.delete(tab).where(tab.c._era == BASELINE_ERA))
    return elapsed
