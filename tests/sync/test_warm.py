"""Start-up preparation of the engine's big statements (``copse.sync.warm``)."""

from __future__ import annotations

import sqlalchemy as sa

from copse.db.tx import transaction
from copse.schema.tables import CLIENT_TABLES
from copse.sync.warm import warm_up
from tests.sync.conftest import Harness, when


def test_warm_up_reads_only_and_then_uploads_work(h: Harness) -> None:
    # Run where writing is refused (SQLite: query_only; PostgreSQL/MariaDB: a
    # read-only transaction), as the server's start-up does.
    with transaction(h.engine, read_only=True) as conn:
        warm_up(conn)
        warm_up(conn)  # idempotent
    sat = ["id", "rating", "when_created", "when_last_modified", "_move_off_tablet"]
    h.onestep({"ref_satis_gen": (sat, [[1, 3, when(0), when(0), 0]])}, finalizing=True)
    t = CLIENT_TABLES["ref_satis_gen"]
    with h.engine.connect() as conn:
        eras = conn.execute(sa.select(t.c._era).where(t.c._current == sa.true())).scalars().all()
    assert len(eras) == 1 and eras[0] != "NOW"
