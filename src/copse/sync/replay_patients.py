"""Replay-safe finalizing for patients and their ID numbers (issue 12).

``copse.sync.replay`` recognises replayed task, ancillary and BLOB records.
A replayed *Move* also re-sends the patients; stored again, they become an
orphan copy of each patient in the NOW era, with no tasks.  But a tablet
that keeps its patients (Move keeping patients, Copy) legitimately uploads
the very same patient rows again, and its new tasks need their patient in
the same era.  So the rule for patients is the task rule plus two
conditions.  A ``patient`` record is a replay when

* its device has no live version of it, and the device holds a row of the
  same client PK and ``when_last_modified`` in a replay era (as for tasks);
* this upload finalizes it (a finalizing upload, or the record is flagged
  ``_move_off_tablet``): a plain Copy of kept patients keeps the normal rules;
* no record of the device that stays live after this upload and is not itself
  a replay refers to it (``patient_id``): a patient needed by a new or
  still-current task is stored, so the task and its patient share an era.

A ``patient_idnum`` record is a replay when its patient is one and it
matches a finalized ``patient_idnum`` row in the same way.  Replays are not
stored and the audit counts them per table, as for tasks.

One-step uploads carry every record in the request, so "refers to it" is
read from the rows kept after the task replays were dropped
(:class:`PatientReplays`).  Stepwise uploads hold them as pending rows:
:func:`drop_pending_patient_replays` runs at commit after the task replays
are deleted and asks the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from copse.schema.columns import ERA_NOW
from copse.schema.registry import (
    CLIENT_DATE_FIELD,
    CLIENT_PK_FIELD,
    COMMIT_ORDER,
    MOVE_OFF_TABLET_FIELD,
    PATIENT_IDNUM_TABLE,
    PATIENT_REF_FIELD,
    PATIENT_TABLE,
)
from copse.schema.tables import CLIENT_TABLES
from copse.sync import queries
from copse.sync.replay import finalized_versions, is_replay

#: Tables whose records need their patient (``patient_idnum`` follows the
#: patient instead).
REFERRING_TABLES: tuple[str, ...] = tuple(
    n
    for n in COMMIT_ORDER
    if n not in (PATIENT_TABLE, PATIENT_IDNUM_TABLE) and PATIENT_REF_FIELD in CLIENT_TABLES[n].c
)


def _finalized_here(finalizing: bool, move_off: Any) -> bool:
    return finalizing or bool(move_off)


@dataclass
class PatientReplays:
    """One-step: what the task tables left behind, for the patient tables after them."""

    finalizing: bool
    #: Patient client PKs referred to by rows that are stored (not replays).
    referenced: set[Any] = field(default_factory=set)
    #: Patient client PKs recognised as replays.
    replayed: set[Any] = field(default_factory=set)

    def note_kept(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        """Record the patients that ``table``'s stored rows refer to."""
        if table in REFERRING_TABLES:
            self.referenced.update(r.get(PATIENT_REF_FIELD) for r in rows)

    def split(
        self,
        conn: sa.Connection,
        table: str,
        pkname: str,
        device_id: int,
        eras: Sequence[str],
        rows: Sequence[dict[str, Any]],
        live_client_pks: Iterable[Any],
    ) -> tuple[list[dict[str, Any]], int]:
        """(rows to upsert, number of replays dropped) for ``patient`` or ``patient_idnum``."""
        if not eras or not rows or pkname != CLIENT_PK_FIELD:
            return list(rows), 0
        live = set(live_client_pks)

        def candidate(r: dict[str, Any]) -> bool:
            if r.get(pkname) in live or not _finalized_here(
                self.finalizing, r.get(MOVE_OFF_TABLET_FIELD)
            ):
                return False
            if table == PATIENT_TABLE:
                return r.get(pkname) not in self.referenced
            return r.get(PATIENT_REF_FIELD) in self.replayed

        cands = [r for r in rows if candidate(r)]
        if not cands:
            return list(rows), 0
        versions = finalized_versions(
            conn, table, pkname, device_id, eras, (r[pkname] for r in cands)
        )
        dropped = {id(r) for r in cands if is_replay(versions, r[pkname], r.get(CLIENT_DATE_FIELD))}
        if table == PATIENT_TABLE:
            self.replayed |= {r[pkname] for r in cands if id(r) in dropped}
        return [r for r in rows if id(r) not in dropped], len(dropped)


def _pending_new(
    conn: sa.Connection, table: str, device_id: int, where: sa.ColumnElement[bool] | None = None
) -> list[sa.Row[Any]]:
    """Pending additions of the device without a live predecessor."""
    t = CLIENT_TABLES[table]
    cols = [t.c._pk, t.c.id, t.c[CLIENT_DATE_FIELD], t.c[MOVE_OFF_TABLET_FIELD]]
    q = sa.select(*cols).where(
        t.c._device_id == device_id,
        t.c._era == ERA_NOW,
        t.c._addition_pending == sa.true(),
        t.c._predecessor_pk.is_(None),
    )
    if where is not None:
        q = q.where(where)
    return list(conn.execute(q))


def _referenced(conn: sa.Connection, device_id: int, patient_ids: Sequence[Any]) -> set[Any]:
    """Which of these patient client PKs a record staying live after commit refers to."""
    out: set[Any] = set()
    occupied = queries.tables_with_live_rows(conn, REFERRING_TABLES, device_id, which="live")
    for name in sorted(occupied):
        t = CLIENT_TABLES[name]
        ref = t.c[PATIENT_REF_FIELD]
        stays = sa.or_(
            t.c._addition_pending == sa.true(),
            sa.and_(t.c._current == sa.true(), t.c._removal_pending == sa.false()),
        )
        for part in queries.chunks(sorted(patient_ids)):
            q = (
                sa.select(ref)
                .distinct()
                .where(
                    t.c._device_id == device_id,
                    t.c._era == ERA_NOW,
                    stays,
                    ref.in_(list(part)),
                )
            )
            out.update(conn.execute(q).scalars())
    return out


def drop_pending_patient_replays(
    conn: sa.Connection, device_id: int, eras: Sequence[str], preserving: bool
) -> dict[str, int]:
    """Stepwise commit, after the task replays are gone: drop replayed patients and ID numbers.

    Returns the number dropped per table (only tables with replays).
    """
    if not eras:
        return {}
    pending = [
        r
        for r in _pending_new(conn, PATIENT_TABLE, device_id)
        if _finalized_here(preserving, r._mapping[MOVE_OFF_TABLET_FIELD])
    ]
    if not pending:
        return {}
    versions = finalized_versions(
        conn, PATIENT_TABLE, "id", device_id, eras, (r.id for r in pending)
    )
    matching = [r for r in pending if is_replay(versions, r.id, r.when_last_modified)]
    if not matching:
        return {}
    needed = _referenced(conn, device_id, [r.id for r in matching])
    replayed = [r for r in matching if r.id not in needed]
    if not replayed:
        return {}
    queries.delete_pks(conn, PATIENT_TABLE, [r._pk for r in replayed])
    counts = {PATIENT_TABLE: len(replayed)}
    ids = sorted({r.id for r in replayed})
    t = CLIENT_TABLES[PATIENT_IDNUM_TABLE]
    idnums = [
        r
        for part in queries.chunks(ids)
        for r in _pending_new(conn, PATIENT_IDNUM_TABLE, device_id, t.c.patient_id.in_(list(part)))
        if _finalized_here(preserving, r._mapping[MOVE_OFF_TABLET_FIELD])
    ]
    if idnums:
        iv = finalized_versions(
            conn, PATIENT_IDNUM_TABLE, "id", device_id, eras, (r.id for r in idnums)
        )
        gone = [r._pk for r in idnums if is_replay(iv, r.id, r.when_last_modified)]
        if gone:
            queries.delete_pks(conn, PATIENT_IDNUM_TABLE, gone)
            counts[PATIENT_IDNUM_TABLE] = len(gone)
    return counts
