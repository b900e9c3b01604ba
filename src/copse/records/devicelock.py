"""The per-device lock: everything that changes one device's records runs one at a time.

An upload (every client-API request naming a device) and every administrator's
action on a device's records (force-finalize, erase or delete a task, delete
or edit a patient) first lock the device's row in ``_security_devices`` with
``SELECT ... FOR UPDATE``, held until their transaction ends.  So on
PostgreSQL and MariaDB such transactions never interleave: each sees the
other's work either entirely or not at all.  SQLite needs nothing here: every
write transaction there starts with ``BEGIN IMMEDIATE``, which already
serializes all writers (SQLAlchemy leaves ``FOR UPDATE`` out on SQLite).

Actions that read a record before they know its device must read it again
after locking (:func:`lock_and_reread`): under READ COMMITTED (copse's level
on every server backend) the second read sees what a finished upload left.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from copse.accounts.api_sessions import (
    SessionLookup,
    found_session,
    session_params,
    session_statement,
)
from copse.config import Settings
from copse.errors import ActionRefused
from copse.schema.tables import CLIENT_TABLES, devices

#: Said when a record vanished or changed while the action waited for the lock.
CHANGED_MEANWHILE = (
    "This record was changed by an upload from its device while you were looking at it; "
    "reload the page and try again."
)


def lock_devices(conn: sa.Connection, device_ids: Iterable[int]) -> None:
    """Lock these devices until the transaction ends, in ascending id order (so two
    actions locking overlapping sets of devices cannot deadlock)."""
    ids = sorted(set(device_ids))
    if ids:
        conn.execute(
            sa.select(devices.c.id)
            .where(devices.c.id.in_(ids))
            .order_by(devices.c.id)
            .with_for_update()
        ).all()


def lock_device(conn: sa.Connection, device_id: int) -> None:
    lock_devices(conn, [device_id])


class LockedDevice(NamedTuple):
    """A device row as read when it was locked: its id and its upload-batch columns."""

    id: int
    ongoing_upload_batch_utc: datetime | None
    uploading_user_id: int | None
    currently_preserving: bool | None


#: Built once: every client-API request naming a device runs it.  It reads the
#: batch columns too (perf: every stepwise request needs them next; one round
#: trip instead of two).
_LOCK_NAMED = (
    sa.select(
        devices.c.id,
        devices.c.ongoing_upload_batch_utc,
        devices.c.uploading_user_id,
        devices.c.currently_preserving,
    )
    .where(devices.c.name == sa.bindparam("name"))
    .with_for_update()
)


def lock_device_named(conn: sa.Connection, name: str) -> LockedDevice | None:
    """Lock the device registered under ``name``; its row as locked, or None if there is none."""
    row = conn.execute(_LOCK_NAMED, {"name": name}).first()
    return None if row is None else LockedDevice(int(row[0]), row[1], row[2], row[3])


@functools.lru_cache(maxsize=2)
def _lock_with_session(check_ip: bool) -> sa.Select[Any]:
    """The device lock with the session look-up in the same statement.

    The look-up is a derived table kept apart from the lock: ``LIMIT 1`` makes
    MariaDB materialize it (a plain join, or a merged derived table, may
    lock the session's and the user's rows too, and every tablet of one user
    would then wait for the others' requests), and PostgreSQL locks only the
    devices named in ``FOR UPDATE OF``.  SQLite takes no row locks.
    ``tests/sync/test_session_lock.py`` holds both on the server backends.
    """
    session = session_statement(check_ip).limit(1).subquery("api_session")
    return (
        sa.select(
            devices.c.id.label("locked_device_id"),
            devices.c.ongoing_upload_batch_utc.label("locked_ongoing_upload_batch_utc"),
            devices.c.uploading_user_id.label("locked_uploading_user_id"),
            devices.c.currently_preserving.label("locked_currently_preserving"),
            *session.c,
        )
        .select_from(devices.outerjoin(session, sa.true()))
        .where(devices.c.name == sa.bindparam("device_name"))
        .with_for_update(of=devices)
    )


def lock_device_with_session(
    conn: sa.Connection,
    name: str,
    settings: Settings,
    *,
    sid: int,
    token: str,
    ip: str | None,
    now: datetime,
) -> tuple[LockedDevice, SessionLookup] | None:
    """:func:`lock_device_named` and the request's session look-up in one round trip.

    perf: every request of a tablet's conversation after the first names its
    device and its session; as two statements they were two round trips (an
    in-session ``get_id_info``, in-process: MariaDB 1.34-1.39 -> 1.27-1.29 ms,
    PostgreSQL 1.48 -> 1.33; bench/NOTES.md, round sixteen).  None
    if no device is registered under ``name`` (nothing was looked up then:
    the caller takes the usual path).
    """
    params = session_params(settings, sid, token, ip, now)
    row = conn.execute(
        _lock_with_session(settings.session_check_ip), {**params, "device_name": name}
    ).first()
    if row is None:
        return None
    locked = LockedDevice(int(row[0]), row[1], row[2], row[3])
    return locked, SessionLookup(found_session(conn, row, now))


def lock_and_reread(conn: sa.Connection, table: str, pk: int) -> sa.RowMapping:
    """Lock the device of row ``pk`` of ``table`` and return the row as it is now.

    Raises :class:`ActionRefused` if the row is gone by then.
    """
    t = CLIENT_TABLES[table]
    device_id = conn.execute(sa.select(t.c._device_id).where(t.c._pk == pk)).scalar()
    if device_id is None:
        raise ActionRefused(CHANGED_MEANWHILE)
    lock_device(conn, int(device_id))
    row = conn.execute(sa.select(t).where(t.c._pk == pk)).mappings().first()
    if row is None:
        raise ActionRefused(CHANGED_MEANWHILE)
    return row
