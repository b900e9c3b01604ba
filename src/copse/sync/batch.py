"""Upload batches: who is uploading from a device, since when, and whether preserving.

The batch lives only in the database (the device row and ``_dirty_tables``),
never in process memory, so any worker on any host can serve the next request
of a stepwise upload (README decision 7).  Requests for one device are
serialized by the endpoint's row lock on the device, so the read-modify-write
sequences below cannot interleave.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from copse.accounts.users import User, get_user_by_id
from copse.errors import ServerError
from copse.records.devicelock import LockedDevice
from copse.schema.registry import TABLES
from copse.schema.tables import devices, dirty_tables
from copse.sync import queries
from copse.wire.dates import era_string, storage_string
from copse.wire.version import Version

DEFAULT_MAX_BLOB_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class UploadContext:
    """Who uploads from which device, and when (fixed for one request)."""

    device_id: int
    user_id: int
    group_id: int
    username: str | None
    client_version: Version
    client_version_str: str
    now_utc: datetime.datetime
    remote_addr: str | None = None
    max_blob_bytes: int = DEFAULT_MAX_BLOB_BYTES
    #: The device row as read when the request locked it, before it changed
    #: anything (its batch columns); None: not read.
    locked: LockedDevice | None = None
    #: The uploading user as the request read it (with its session, in this
    #: transaction); None: read it by ``user_id`` where it is needed.
    user: User | None = None

    def uploader(self, conn: sa.Connection) -> User | None:
        """The uploading user: the one read with the session, else read now."""
        return self.user if self.user is not None else get_user_by_id(conn, self.user_id)

    @property
    def now_exact(self) -> str:
        """The request time as ISO text with offset (``_when_added_exact`` etc.)."""
        return storage_string(self.now_utc)


@dataclass
class Batch:
    """One upload batch as the engine sees it (the reference's BatchDetails)."""

    ctx: UploadContext
    batchtime: datetime.datetime
    preserving: bool = False
    onestep: bool = False
    _era: str | None = field(default=None, repr=False)
    #: The client tables that held any row when :meth:`era` chose the era
    #: (None until then); see :func:`copse.sync.commit.end_upload`.
    tables_with_rows: frozenset[str] | None = field(default=None, repr=False)

    def era(self, conn: sa.Connection) -> str:
        """The new era for records preserved by this batch.

        copse differs from the reference here: eras have one-second
        resolution, so two preservations of one device within the same second
        would share an era and merge lineages (wire.md §9).  If the era string
        is already used by any row of this device, we move on one second at a
        time until it is free; the format stays ``YYYY-MM-DDTHH:MM:SSZ``.
        Computed once per batch (before anything is moved into it).
        """
        if self._era is None:
            self.tables_with_rows = holding = queries.client_tables_holding_rows(conn)
            t = self.batchtime
            era = era_string(t)
            for _ in range(3600):
                if not queries.era_in_use(conn, self.ctx.device_id, era, TABLES, holding):
                    break
                t += datetime.timedelta(seconds=1)
                era = era_string(t)
            self._era = era
        return self._era


# ---------------------------------------------------------------------------
# Dirty tables
# ---------------------------------------------------------------------------


def get_dirty(conn: sa.Connection, device_id: int) -> set[str]:
    q = sa.select(dirty_tables.c.tablename).where(dirty_tables.c.device_id == device_id)
    return {name for (name,) in conn.execute(q)}


def mark_dirty(conn: sa.Connection, device_id: int, names: Any) -> None:
    """Add tables to the device's dirty list (two statements, whatever the count)."""
    wanted = set(names)
    if not wanted:
        return
    missing = wanted - get_dirty(conn, device_id)
    if missing:
        conn.execute(
            sa.insert(dirty_tables),
            [{"device_id": device_id, "tablename": n} for n in sorted(missing)],
        )


def mark_clean(conn: sa.Connection, device_id: int, names: Any) -> None:
    names = sorted(set(names))
    if names:
        conn.execute(
            sa.delete(dirty_tables).where(
                dirty_tables.c.device_id == device_id, dirty_tables.c.tablename.in_(names)
            )
        )


def clear_dirty(conn: sa.Connection, device_id: int) -> None:
    conn.execute(sa.delete(dirty_tables).where(dirty_tables.c.device_id == device_id))


# ---------------------------------------------------------------------------
# Batch state on the device row
# ---------------------------------------------------------------------------


#: Read by every request of a stepwise upload: built once.
_DEVICE_STATE = sa.select(
    devices.c.ongoing_upload_batch_utc,
    devices.c.uploading_user_id,
    devices.c.currently_preserving,
).where(devices.c.id == sa.bindparam("device_id"))


def _device_state(conn: sa.Connection, device_id: int) -> Any:
    row = conn.execute(_DEVICE_STATE, {"device_id": device_id}).first()
    if row is None:
        raise ServerError(f"Device {device_id} missing from Device table")
    return row


def start_batch(conn: sa.Connection, ctx: UploadContext) -> Batch:
    """Roll back anything pending and open a new batch owned by this user.

    copse differs from the reference: ``currently_preserving`` is reset here,
    so an abandoned preserving batch cannot turn the next batch into one.
    """
    from copse.sync.commit import rollback_all  # commit imports this module

    rollback_all(conn, ctx.device_id)
    conn.execute(
        sa.update(devices)
        .where(devices.c.id == ctx.device_id)
        .values(
            last_upload_batch_utc=ctx.now_utc,
            ongoing_upload_batch_utc=ctx.now_utc,
            uploading_user_id=ctx.user_id,
            currently_preserving=False,
        )
    )
    return Batch(ctx, ctx.now_utc, preserving=False)


def get_or_start_batch(conn: sa.Connection, ctx: UploadContext) -> Batch:
    """The device's ongoing batch, or a fresh one.

    A batch started by a different user is restarted, which rolls back that
    user's pending work (reference behaviour).  The batch time is read back
    from the device row, so every request of one batch uses the same time:
    as read under the request's device lock (``ctx.locked``; an
    operation asks for its batch before it changes anything), else now.
    """
    locked = ctx.locked
    if locked is not None:
        ongoing = locked.ongoing_upload_batch_utc
        user_id, preserving = locked.uploading_user_id, locked.currently_preserving
    else:
        ongoing, user_id, preserving = _device_state(conn, ctx.device_id)
    if ongoing is None or user_id != ctx.user_id:
        return start_batch(conn, ctx)
    return Batch(ctx, ongoing, preserving=bool(preserving))


def start_preserving(conn: sa.Connection, batch: Batch) -> None:
    """Make the batch a preserving one: every client table is dirty."""
    conn.execute(
        sa.update(devices)
        .where(devices.c.id == batch.ctx.device_id)
        .values(currently_preserving=True)
    )
    batch.preserving = True
    device_id = batch.ctx.device_id
    clear_dirty(conn, device_id)
    conn.execute(
        sa.insert(dirty_tables),
        [{"device_id": device_id, "tablename": n} for n in sorted(TABLES)],
    )


def end_batch(conn: sa.Connection, device_id: int) -> None:
    """Forget the device's batch (after commit, or before a one-step upload)."""
    conn.execute(
        sa.update(devices)
        .where(devices.c.id == device_id)
        .values(ongoing_upload_batch_utc=None, uploading_user_id=None, currently_preserving=False)
    )


def clear_batch(conn: sa.Connection, ctx: UploadContext) -> None:
    """Roll back any stepwise leftovers and forget the batch (one-step start)."""
    from copse.sync.commit import rollback_all

    if ctx.locked is None:
        _device_state(conn, ctx.device_id)  # the device must exist
    rollback_all(conn, ctx.device_id)
    end_batch(conn, ctx.device_id)
