"""Committing and rolling back stepwise batches; preservation into a new era.

``commit_all`` turns a batch's pending state into real state, table by table
in COMMIT_ORDER (patients, their ID numbers, other non-task tables, tasks),
and returns one :class:`TableChanges` per committed table so the audit and the
index maintenance (:func:`copse.index.maintain.update_after_changes`, called
here in the same transaction) see exactly what changed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

import sqlalchemy as sa

from copse.audit import audit
from copse.index.maintain import update_after_changes
from copse.patients.upload_policy import check_uploaded_patients
from copse.schema.columns import ERA_NOW
from copse.schema.registry import MOVE_OFF_TABLET_FIELD, commit_order
from copse.schema.tables import CLIENT_TABLES
from copse.sync import batch as batches
from copse.sync import queries, replay, replay_patients
from copse.sync.batch import Batch, UploadContext
from copse.sync.changes import TableChanges, upload_audit_text
from copse.sync.upsert import delete_now_values, preserve_now_values

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# Rollback
# ---------------------------------------------------------------------------


def rollback_table(conn: sa.Connection, device_id: int, table: str) -> None:
    """Undo a table's pending state for the device, in any era (§5.7).

    copse differs from the reference: un-flagged removals get
    ``_when_removed_exact`` cleared; ``_when_added_exact`` is kept (the
    reference clears the added time by mistake).
    """
    t = CLIENT_TABLES[table]
    dev = t.c._device_id == device_id
    conn.execute(sa.delete(t).where(dev, t.c._addition_pending == sa.true()))
    conn.execute(
        sa.update(t)
        .where(dev, t.c._removal_pending == sa.true())
        .values(
            _removal_pending=False,
            _when_removed_exact=None,
            _when_removed_batch_utc=None,
            _removing_user_id=None,
            _successor_pk=None,
        )
    )
    flag = t.c[MOVE_OFF_TABLET_FIELD]
    conn.execute(
        sa.update(t)
        .where(dev, sa.or_(flag.is_(None), flag != 0))
        .values({MOVE_OFF_TABLET_FIELD: False})
    )


def rollback_all(conn: sa.Connection, device_id: int) -> None:
    """Roll back every dirty table of the device, then clear the dirty list."""
    dirty = batches.get_dirty(conn, device_id)
    for table in commit_order(dirty):
        rollback_table(conn, device_id, table)
    if dirty:
        # perf: the list only changes under the device's lock, so an empty
        # read means there is nothing to delete (one round trip fewer).
        batches.clear_dirty(conn, device_id)


# ---------------------------------------------------------------------------
# Commit
# ---------------------------------------------------------------------------


def _drop_task_replays(
    conn: sa.Connection, device_id: int, table: str, replay_eras: Sequence[str]
) -> int:
    """Delete the table's pending additions that replay finalized records; how many."""
    if not replay_eras or not replay.applies_to(table):
        return 0
    t = CLIENT_TABLES[table]
    new_pending = conn.execute(
        sa.select(t.c._pk, t.c.id, t.c.when_last_modified).where(
            t.c._device_id == device_id,
            t.c._era == ERA_NOW,
            t.c._addition_pending == sa.true(),
            t.c._predecessor_pk.is_(None),
        )
    ).all()
    return len(replay.drop_pending_replays(conn, table, device_id, replay_eras, new_pending))


def commit_table(
    conn: sa.Connection, batch: Batch, table: str, n_replayed: int = 0
) -> TableChanges:
    """Make one table's pending changes real (§4.5 "Commit of one table").

    One SELECT finds every row needing work; then one UPDATE per kind of
    change.  The era change comes last, so rows removed in this batch are
    also carried into the new era when preserving.  Replays were already
    dropped (:func:`commit_all`); ``n_replayed`` only goes into the audit.
    """
    t = CLIENT_TABLES[table]
    ctx = batch.ctx
    q = sa.select(
        t.c._pk,
        t.c._current,
        t.c._addition_pending,
        t.c._removal_pending,
        t.c._successor_pk,
        t.c[MOVE_OFF_TABLET_FIELD],
    ).where(t.c._device_id == ctx.device_id, t.c._era == ERA_NOW)
    if not batch.preserving:
        q = q.where(
            sa.or_(
                t.c._current == sa.true(),
                t.c._addition_pending == sa.true(),
                t.c._removal_pending == sa.true(),
                t.c[MOVE_OFF_TABLET_FIELD] != 0,
            )
        )
    ch = TableChanges(table, n_replayed=n_replayed)
    for pk, current, add_pending, rem_pending, successor, move_off in conn.execute(q):
        if add_pending:
            ch.addition_pks.add(pk)
            ch.current_pks.add(pk)
        elif rem_pending:
            (ch.removal_modified_pks if successor is not None else ch.removal_deleted_pks).add(pk)
        elif current:
            ch.current_pks.add(pk)
        if batch.preserving or move_off:
            ch.preservation_pks.add(pk)
    if ch.addition_pks:
        queries.update_pks(
            conn,
            table,
            ch.addition_pks,
            {
                "_current": True,
                "_addition_pending": False,
                "_adding_user_id": ctx.user_id,
                "_when_added_exact": ctx.now_exact,
                "_when_added_batch_utc": batch.batchtime,
            },
        )
    removed = ch.removal_modified_pks | ch.removal_deleted_pks
    if removed:
        queries.update_pks(conn, table, removed, delete_now_values(batch))
    if ch.preservation_pks:
        values = preserve_now_values(batch, conn)
        if batch.preserving:
            # Every NOW row of the device: no need for a pk list.
            conn.execute(
                sa.update(t)
                .where(t.c._device_id == ctx.device_id, t.c._era == ERA_NOW)
                .values(**values)
            )
        else:
            queries.update_pks(conn, table, ch.preservation_pks, values)
            queries.move_notes_for_table(conn, table, ctx.device_id, batch.era(conn))
    return ch


def commit_all(conn: sa.Connection, batch: Batch, dirty_names: set[str]) -> list[TableChanges]:
    """Commit the dirty tables (``dirty_names``) in commit order; move notes if preserving."""
    device_id = batch.ctx.device_id
    eras = replay.load_eras(conn, device_id)
    dirty = commit_order(dirty_names)
    # Replays go first, task tables before patients: whether a replayed
    # patient is still needed depends on which tasks stay (replay_patients).
    n_replayed = {t: _drop_task_replays(conn, device_id, t, eras) for t in dirty}
    n_replayed.update(
        replay_patients.drop_pending_patient_replays(conn, device_id, eras, batch.preserving)
    )
    changes = [commit_table(conn, batch, t, n_replayed.get(t, 0)) for t in dirty]
    if batch.preserving:
        queries.move_all_notes(conn, device_id, batch.era(conn))
    if any(c.preservation_pks for c in changes):
        replay.record_finalizing_upload(
            conn, device_id, batch.era(conn), eras, any(c.n_replayed for c in changes)
        )
    if dirty_names:
        batches.clear_dirty(conn, device_id)
    return changes


def update_indexes(
    conn: sa.Connection,
    batch: Batch,
    changes: Sequence[TableChanges],
    *,
    tables_with_rows: AbstractSet[str] | None = None,
) -> None:
    """Bring the task and ID-number indexes up to date after a commit of ``batch``.

    The era every preserved row went into is the batch's (each commit path
    moves them with :func:`copse.sync.upsert.preserve_now_values`), handed
    over so the index need not read it back.  ``tables_with_rows``: the
    client tables that may hold rows, when the caller knows (nothing
    inserted since it was read).
    """
    preserved = any(c.preservation_pks for c in changes)
    update_after_changes(
        conn,
        changes,
        device_id=batch.ctx.device_id,
        now=batch.ctx.now_utc,
        preserved_era=batch.era(conn) if preserved else None,
        tables_with_rows=tables_with_rows,
    )


def audit_upload(conn: sa.Connection, ctx: UploadContext, changes: Sequence[TableChanges]) -> str:
    """Write the one audit entry of a committed upload (and log it)."""
    text = upload_audit_text(ctx.device_id, ctx.username, changes)
    logger.info("audit_upload: %s", text)
    audit(
        conn,
        text,
        source="tablet",
        now=ctx.now_utc,
        remote_addr=ctx.remote_addr,
        user_id=ctx.user_id,
        device_id=ctx.device_id,
    )
    return text


def end_upload(conn: sa.Connection, ctx: UploadContext) -> list[TableChanges]:
    """``end_upload``: commit the batch (restarting it first if it is not ours), audit, reset.

    copse checks the device's patients against the group's ID policies
    before committing (the reference trusts the tablet), and brings the task
    and ID-number indexes up to date in the same transaction.
    """
    batch = batches.get_or_start_batch(conn, ctx)
    dirty = batches.get_dirty(conn, ctx.device_id)
    if dirty or batch.preserving:
        # A batch that changed nothing commits nothing, so there is nothing
        # new to check (and the tablet's patients were just checked by
        # validate_patients); perf: reading and checking every patient of the
        # device was ~5% of a no-change stepwise upload on MariaDB.
        check_uploaded_patients(
            conn,
            device_id=ctx.device_id,
            group_id=ctx.group_id,
            finalizing_patient_ids="all" if batch.preserving else None,
            user=ctx.uploader(conn),
        )
    changes = commit_all(conn, batch, dirty)
    batches.end_batch(conn, ctx.device_id)
    # Nothing in this request inserts a client row (the rows were added by the
    # batch's earlier requests; committing updates and deletes), so the tables
    # that held rows when the era was chosen still are all that may: the
    # index's check for rows left behind need not ask again (perf: ~3 ms of a
    # move on MariaDB, bench/NOTES.md round fifteen; a test holds this).
    update_indexes(conn, batch, changes, tables_with_rows=batch.tables_with_rows)
    audit_upload(conn, ctx, changes)
    return changes
