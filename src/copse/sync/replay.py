"""Replay-safe finalizing: a lost acknowledgement must not store tasks twice.

The problem (data-model.md §13): a finalizing upload commits on the server,
the reply is lost, the tablet keeps its records and sends them again.  The
server's copies have left the NOW era, so the reference stores every task a
second time.

The rule copse applies.  A record of a task table, an ancillary table or
``blobs`` (every client table except ``patient`` and ``patient_idnum``) is a
**replay** when

* its device has no live version of it: no current (or, in a stepwise batch,
  earlier) ``_era='NOW'`` row with that client PK, and
* the same device holds a row of the same table, client PK and
  ``when_last_modified`` (the same instant) in one of the eras recorded in
  ``_security_devices.last_finalizing_eras``.

A replay is not stored again; everything else about the upload is normal.
Patients and ID numbers have a stricter rule of their own, because a tablet
that keeps its patients re-uploads them legitimately and tasks need their
patient in the same era: see ``copse.sync.replay_patients``.

``last_finalizing_eras`` holds the era created by the device's most recent
*finalizing* upload (one that preserved at least one record: Move,
MoveKeepingPatients, or Copy with records flagged for finalizing; stepwise or
one-step).  If that upload itself recognised replays, the eras those replays
came from are kept too (at most :data:`MAX_ERAS`), so a second lost
acknowledgement in a row is still safe.  An administrator's force-finalize
never changes it, so records a found lost tablet uploads after a
force-finalize become new records, as the reference documents.

Where the check runs: one-step uploads filter replays out before the upsert;
stepwise uploads store them as pending additions like any record (so
``upload_table``, ``which_keys_to_send`` and ``upload_record`` behave exactly
as before) and ``end_upload`` drops them at commit, before anything becomes
current.  Either way the audit entry counts them per table.

The client PK is always ``id`` here (what every CamCOPS client sends as
``pkname``); a one-step upload naming another PK column is matched on that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from copse.schema.registry import CLIENT_DATE_FIELD, PATIENT_IDNUM_TABLE, PATIENT_TABLE
from copse.schema.tables import CLIENT_TABLES, devices
from copse.sync import queries
from copse.wire.dates import same_instant

#: Tables with their own replay rule (``copse.sync.replay_patients``).
EXEMPT_TABLES = frozenset({PATIENT_TABLE, PATIENT_IDNUM_TABLE})
#: How many eras ``last_finalizing_eras`` keeps (each 20 characters).
MAX_ERAS = 8


def applies_to(table: str) -> bool:
    return table not in EXEMPT_TABLES


def load_eras(conn: sa.Connection, device_id: int) -> tuple[str, ...]:
    """The device's replay eras (empty if it never finalized anything itself)."""
    raw = conn.execute(
        sa.select(devices.c.last_finalizing_eras).where(devices.c.id == device_id)
    ).scalar()
    return tuple(raw.split()) if raw else ()


def record_finalizing_upload(
    conn: sa.Connection, device_id: int, new_era: str, previous: Sequence[str], had_replays: bool
) -> None:
    """After a committed upload that preserved records into ``new_era``."""
    eras = [e for e in previous if e != new_era] if had_replays else []
    eras.append(new_era)
    value = " ".join(eras[-MAX_ERAS:])
    conn.execute(
        sa.update(devices).where(devices.c.id == device_id).values(last_finalizing_eras=value)
    )


def finalized_versions(
    conn: sa.Connection,
    table: str,
    pkname: str,
    device_id: int,
    eras: Sequence[str],
    client_pks: Iterable[Any],
) -> dict[Any, list[Any]]:
    """Client PK -> the ``when_last_modified`` values of the device's rows in ``eras``."""
    wanted = sorted({p for p in client_pks if isinstance(p, int) and not isinstance(p, bool)})
    out: dict[Any, list[Any]] = {}
    if not eras or not wanted:
        return out
    t = CLIENT_TABLES[table]
    cpk = t.c[pkname]
    for part in queries.chunks(wanted):
        q = sa.select(cpk, t.c[CLIENT_DATE_FIELD]).where(
            t.c._device_id == device_id, t.c._era.in_(list(eras)), cpk.in_(list(part))
        )
        for k, when in conn.execute(q):
            out.setdefault(k, []).append(when)
    return out


def is_replay(versions: dict[Any, list[Any]], client_pk: Any, when: Any) -> bool:
    if when is None:
        return False
    for stored in versions.get(client_pk, ()):
        if stored is not None and same_instant(stored, when):
            return True
    return False


def split_replays(
    conn: sa.Connection,
    table: str,
    pkname: str,
    device_id: int,
    eras: Sequence[str],
    rows: Sequence[dict[str, Any]],
    live_client_pks: Iterable[Any],
) -> tuple[list[dict[str, Any]], int]:
    """One-step: (rows to upsert, number of replays dropped)."""
    if not eras or not rows or not applies_to(table) or pkname not in CLIENT_TABLES[table].c:
        return list(rows), 0
    live = set(live_client_pks)
    candidates = [r[pkname] for r in rows if r.get(pkname) not in live]
    versions = finalized_versions(conn, table, pkname, device_id, eras, candidates)
    if not versions:
        return list(rows), 0
    keep: list[dict[str, Any]] = []
    n = 0
    for r in rows:
        cpk = r.get(pkname)
        if cpk not in live and is_replay(versions, cpk, r.get(CLIENT_DATE_FIELD)):
            n += 1
        else:
            keep.append(r)
    return keep, n


def drop_pending_replays(
    conn: sa.Connection,
    table: str,
    device_id: int,
    eras: Sequence[str],
    pending: Sequence[tuple[int, Any, Any]],
) -> set[int]:
    """Stepwise commit: delete pending additions that are replays; return their ``_pk``.

    ``pending``: (``_pk``, client ``id``, ``when_last_modified``) of pending
    additions that had no live version when uploaded (no predecessor).
    """
    if not eras or not pending or not applies_to(table):
        return set()
    versions = finalized_versions(conn, table, "id", device_id, eras, (c for _, c, _ in pending))
    dropped = {pk for pk, cpk, when in pending if is_replay(versions, cpk, when)}
    if dropped:
        queries.delete_pks(conn, table, dropped)
    return dropped
