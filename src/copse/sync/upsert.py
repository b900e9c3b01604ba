"""The record lifecycle for one table: new, modified, identical, deleted, move-off.

Records are never overwritten (data-model.md §4).  A changed record becomes a
new row whose ``_predecessor_pk`` is the old row, which gets ``_successor_pk``;
an unchanged record (``when_last_modified`` equal *as an instant*) is left
alone.  In a stepwise batch the changes are pending until ``end_upload``; in a
one-step upload they take effect at once.

Everything is decided in Python from ONE prefetch of the device's live rows,
then written with a fixed number of set-based statements per table, whatever
the number of records.

copse differs from the reference in one respect here: within one stepwise
batch the *latest* upload of a record wins.  The reference compares only with
current rows, so sending a changed record twice creates two pending rows that
both become current at commit.  copse compares with the batch's pending row
first, replaces it if the record changed again, and drops it if the record is
now absent or back to the committed version, so there is never more than one
pending or current row per client PK.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from copse.errors import ServerError, UserError
from copse.schema.columns import ERA_NOW
from copse.schema.registry import MOVE_OFF_TABLET_FIELD, PATIENT_IDNUM_TABLE, TABLES
from copse.schema.tables import idnum_definitions
from copse.sync import queries
from copse.sync.batch import Batch
from copse.sync.values import full_row
from copse.wire.dates import same_instant


@dataclass
class Live:
    """The device's live rows of one table, indexed by client PK."""

    current: dict[Any, queries.LiveRow] = field(default_factory=dict)
    pending: dict[Any, queries.LiveRow] = field(default_factory=dict)
    rows: list[queries.LiveRow] = field(default_factory=list)

    @classmethod
    def from_rows(cls, rows: Iterable[queries.LiveRow]) -> Live:
        live = cls()
        for r in rows:
            live.rows.append(r)
            if r.current:
                old = live.current.get(r.client_pk)
                if old is None or r.pk > old.pk:
                    live.current[r.client_pk] = r
            elif r.addition_pending:
                old = live.pending.get(r.client_pk)
                if old is None or r.pk > old.pk:
                    live.pending[r.client_pk] = r
        return live


@dataclass
class UpsertResult:
    """What one batch of records did to one table."""

    n_new: int = 0
    n_modified: int = 0
    n_identical: int = 0
    addition_pks: set[int] = field(default_factory=set)
    removal_modified_pks: set[int] = field(default_factory=set)
    current_pks: set[int] = field(default_factory=set)
    preservation_pks: set[int] = field(default_factory=set)
    #: client PK -> the current server row it matched (None: new record).
    old_server_pk: dict[Any, int | None] = field(default_factory=dict)
    #: client PKs for which a new row was written (new or modified records).
    written: set[Any] = field(default_factory=set)
    dirty: bool = False


def _is_set(flag: Any) -> bool:
    # copse: a NULL _move_off_tablet means "not flagged" (bool(None) is False).
    return bool(flag)


def validate_idnums(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """``patient_idnum`` rows must name a defined ID type and pass its check (§7.2)."""
    if not rows:
        return
    from copse.policy.idnum import validate_id_number  # written alongside; import lazily

    methods = {
        w: m
        for w, m in conn.execute(
            sa.select(idnum_definitions.c.which_idnum, idnum_definitions.c.validation_method)
        )
    }
    for row in rows:
        which = row.get("which_idnum")
        if which not in methods:
            raise UserError(f"No such ID number type: {which}")
        value = row.get("idnum_value")
        ok, why = validate_id_number(value, methods[which])
        if not ok:
            raise UserError(f"For ID type {which}, ID number {value} is invalid: {why}")


def _server_fields(batch: Batch, predecessor: int | None) -> dict[str, Any]:
    ctx = batch.ctx
    one = batch.onestep
    return {
        "_device_id": ctx.device_id,
        "_era": ERA_NOW,
        "_current": one,
        "_when_added_exact": ctx.now_exact if one else None,
        "_when_added_batch_utc": batch.batchtime if one else None,
        "_adding_user_id": ctx.user_id if one else None,
        "_when_removed_exact": None,
        "_when_removed_batch_utc": None,
        "_removing_user_id": None,
        "_preserving_user_id": None,
        "_forcibly_preserved": False,
        "_predecessor_pk": predecessor,
        "_successor_pk": None,
        "_manually_erased": False,
        "_manually_erased_at": None,
        "_manually_erasing_user_id": None,
        "_camcops_version": ctx.client_version_str,
        "_addition_pending": not one,
        "_removal_pending": False,
        "_group_id": ctx.group_id,
    }


def delete_now_values(batch: Batch) -> dict[str, Any]:
    """The reference's ``values_delete_now``: the row stops being current."""
    return {
        "_current": False,
        "_removal_pending": False,
        "_removing_user_id": batch.ctx.user_id,
        "_when_removed_exact": batch.ctx.now_exact,
        "_when_removed_batch_utc": batch.batchtime,
    }


def preserve_now_values(
    batch: Batch, conn: sa.Connection, forcibly: bool = False
) -> dict[str, Any]:
    """The reference's ``values_preserve_now``: the row moves to the new era."""
    return {
        "_era": batch.era(conn),
        "_preserving_user_id": batch.ctx.user_id,
        MOVE_OFF_TABLET_FIELD: False,
        "_forcibly_preserved": forcibly,
    }


def flag_for_preservation(
    conn: sa.Connection, batch: Batch, table: str, latest_pks: Iterable[int]
) -> set[int]:
    """Flag (stepwise) or preserve at once (one-step) whole predecessor chains."""
    latest = set(latest_pks)
    if not latest:
        return set()
    chain = queries.predecessor_chains(conn, table, latest)
    if batch.onestep:
        queries.update_pks(conn, table, chain, preserve_now_values(batch, conn))
        queries.move_notes_for_table(conn, table, batch.ctx.device_id, batch.era(conn))
    else:
        queries.update_pks(conn, table, chain, {MOVE_OFF_TABLET_FIELD: True})
    return chain


def upsert(
    conn: sa.Connection,
    batch: Batch,
    table: str,
    pkname: str,
    rows: Sequence[dict[str, Any]],
    live: Live,
) -> UpsertResult:
    """Apply client records to one table.

    ``rows``: full column dicts (``values.build_row``), or ``values.WireRow``
    records, which are decoded in full only if they are written.
    """
    res = UpsertResult()
    latest: dict[Any, dict[str, Any]] = {}
    for row in rows:  # a record sent twice in one request: the last one wins
        cpk = row[pkname]
        if cpk is None:
            raise UserError(f"Field {pkname!r} of table {table!r} must not be NULL")
        latest.pop(cpk, None)
        latest[cpk] = row

    to_insert: list[dict[str, Any]] = []
    modified_old: dict[Any, int] = {}  # client pk -> old current pk
    drop_pending: list[int] = []
    restore: list[int] = []
    flagged_latest: dict[Any, int | None] = {}  # client pk -> pk to start the chain from

    # The server fields are the same for every new row but the predecessor:
    # built once (perf: building the dict per row cost ~10% of upload_table).
    server = _server_fields(batch, None)
    info = TABLES[table]
    max_blob = batch.ctx.max_blob_bytes
    for cpk, row in latest.items():
        when = row.get("when_last_modified")
        s = live.current.get(cpk)
        p = live.pending.get(cpk) if not batch.onestep else None
        res.old_server_pk[cpk] = s.pk if s else None
        flagged = _is_set(row.get(MOVE_OFF_TABLET_FIELD))
        if p is not None:
            if same_instant(p.when, when):
                res.n_identical += 1
                res.current_pks.add(p.pk)
                if flagged:
                    flagged_latest[cpk] = p.pk
                continue
            drop_pending.append(p.pk)
        if s is not None and same_instant(s.when, when):
            res.n_identical += 1
            res.current_pks.add(s.pk)
            if p is not None or s.removal_pending:
                restore.append(s.pk)  # copse: back to the committed version
            if flagged:
                flagged_latest[cpk] = s.pk
            continue
        if s is not None:
            res.n_modified += 1
            modified_old[cpk] = s.pk
        else:
            res.n_new += 1
        new_row = {**full_row(info, row, pkname, max_blob), **server}
        if s is not None:
            new_row["_predecessor_pk"] = s.pk
        to_insert.append(new_row)
        res.written.add(cpk)
        if flagged:
            flagged_latest[cpk] = None  # the new row; pk known after insert

    if table == PATIENT_IDNUM_TABLE:
        validate_idnums(conn, to_insert)

    # -- writes: a fixed number of set-based statements ----------------------
    if drop_pending:
        queries.delete_pks(conn, table, drop_pending)
    if restore:
        queries.update_pks(conn, table, restore, {"_removal_pending": False, "_successor_pk": None})
    if modified_old:
        # One-step: the old rows stop being current now (before the new rows
        # are read back as current).  Stepwise: they become pending removals.
        values = delete_now_values(batch) if batch.onestep else {"_removal_pending": True}
        queries.update_pks(conn, table, modified_old.values(), values)
    new_pks: dict[Any, int] = {}
    if to_insert:
        queries.insert_rows(conn, table, to_insert)
        client_pks = [r[pkname] for r in to_insert]
        new_pks = queries.read_back_pks(
            conn, table, pkname, batch.ctx.device_id, client_pks, pending=not batch.onestep
        )
        if len(new_pks) != len(client_pks):
            raise ServerError(f"Could not read back the new rows of table {table}")
        succ = {old: new_pks[cpk] for cpk, old in modified_old.items()}
        if succ:
            queries.update_by_case(conn, table, "_successor_pk", succ)
        res.addition_pks.update(new_pks.values())
        res.current_pks.update(new_pks.values())
        res.removal_modified_pks.update(modified_old.values())

    starts = {pk if pk is not None else new_pks[cpk] for cpk, pk in flagged_latest.items()}
    res.preservation_pks = flag_for_preservation(conn, batch, table, starts)
    res.dirty = bool(to_insert or drop_pending or restore or flagged_latest)
    return res


def flag_absent(
    conn: sa.Connection, batch: Batch, table: str, live: Live, keep: Iterable[Any]
) -> list[int]:
    """Delete (one-step) or flag for deletion (stepwise) current rows not in ``keep``.

    Returns the server PKs of the current rows so treated.  In a stepwise
    batch, pending additions of absent records are dropped too (copse: see
    the module docstring).
    """
    keep_set = set(keep)
    gone = sorted(r.pk for cpk, r in live.current.items() if cpk not in keep_set)
    if gone:
        if batch.onestep:
            queries.update_pks(conn, table, gone, delete_now_values(batch))
        else:
            queries.update_pks(conn, table, gone, {"_removal_pending": True, "_successor_pk": None})
    if not batch.onestep:
        stale = [r.pk for cpk, r in live.pending.items() if cpk not in keep_set]
        if stale:
            queries.delete_pks(conn, table, stale)
    return gone
