"""Force-finalize: an administrator moves all of a device's live records to a new era.

data-model.md §10.1.  This is the engine function; the web action
(:mod:`copse.web.views_manage`: permission checks, the confirmation page)
calls it inside its request's transaction, holding the device lock
(:mod:`copse.records.devicelock`, taken here too) so it never interleaves with an upload.
Pending rows of an interrupted stepwise batch move too, still flagged pending,
and the device's batch and dirty list are left alone (reference behaviour):
the next rollback, which ignores eras, cleans them up.
"""

from __future__ import annotations

import datetime
import logging

import sqlalchemy as sa

from copse.audit import audit
from copse.records.devicelock import lock_device
from copse.schema.columns import ERA_NOW
from copse.schema.registry import COMMIT_ORDER
from copse.schema.tables import CLIENT_TABLES, devices
from copse.sync import queries
from copse.sync.batch import Batch, UploadContext
from copse.sync.changes import TableChanges
from copse.sync.commit import update_indexes
from copse.sync.upsert import preserve_now_values
from copse.wire.version import Version

logger = logging.getLogger(__name__)


def force_finalize(
    conn: sa.Connection,
    device_id: int,
    user_id: int,
    now_utc: datetime.datetime,
    *,
    remote_addr: str | None = None,
    write_audit: bool = True,
) -> list[TableChanges]:
    """Preserve every ``_era='NOW'`` row of the device (any state) and its notes.

    Returns one TableChanges per table that had rows (preservation = all of
    them, current = the current ones), for the index maintenance.  Writes the
    reference's audit entry (source ``webviewer``) unless ``write_audit`` is
    False.
    """
    lock_device(conn, device_id)
    ctx = UploadContext(
        device_id=device_id,
        user_id=user_id,
        group_id=0,
        username=None,
        client_version=Version(0, 0, 0),
        client_version_str="",
        now_utc=now_utc,
        remote_addr=remote_addr,
    )
    batch = Batch(ctx, now_utc)
    changes: list[TableChanges] = []
    for table in COMMIT_ORDER:
        t = CLIENT_TABLES[table]
        rows = conn.execute(
            sa.select(t.c._pk, t.c._current).where(t.c._device_id == device_id, t.c._era == ERA_NOW)
        ).all()
        if not rows:
            continue
        ch = TableChanges(table)
        ch.preservation_pks = {pk for pk, _ in rows}
        ch.current_pks = {pk for pk, cur in rows if cur}
        conn.execute(
            sa.update(t)
            .where(t.c._device_id == device_id, t.c._era == ERA_NOW)
            .values(**preserve_now_values(batch, conn, forcibly=True))
        )
        changes.append(ch)
    queries.move_all_notes(conn, device_id, batch.era(conn))
    update_indexes(conn, batch, changes)
    if write_audit:
        name = conn.execute(
            sa.select(devices.c.friendly_name).where(devices.c.id == device_id)
        ).scalar()
        pk_text = "; ".join(f"{c.table} {sorted(c.preservation_pks)}" for c in changes)
        text = f"Live records for device {device_id} ({name}) forcibly finalized (PKs: {pk_text})"
        logger.info(text)
        audit(
            conn,
            text,
            source="webviewer",
            now=now_utc,
            remote_addr=remote_addr,
            user_id=user_id,
            device_id=device_id,
        )
    return changes
