"""``upload_entire_database``: the one-step upload (wire.md §3.22, data-model.md §4.5).

Every client table is processed in commit order; tables absent from
``dbdata`` count as empty, so their current rows are deleted.  Changes take
effect at once (no pending state), and with ``finalizing`` every NOW-era row
of the device moves to the new era.

Where copse deliberately differs from the reference:

* The JSON's shape, the table names, every column name (with the stepwise
  messages ``Reserved field name ...`` / ``Invalid field name ...``; the
  reference does not check them), the PK names and every record's key
  fields are checked before anything is written; the other values of a
  record when it is written (``values.WireRow``: a record re-sent unchanged
  is not decoded beyond its keys, which is most of a re-upload).  The
  request is atomic (the endpoint's transaction), so a failure anywhere
  changes nothing.
* A finalizing upload moves the device's NOW-era special notes to the new
  era, as a finalizing stepwise upload does.
* Tables with rows are checked against their minimum client version.
* The patients are checked against the group's ID policies before anything
  is written, and the indexes are updated in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from copse.errors import UserError
from copse.patients.upload_policy import check_patient_rows
from copse.schema.columns import ERA_NOW
from copse.schema.registry import COMMIT_ORDER, PATIENT_IDNUM_TABLE, PATIENT_TABLE, TABLES
from copse.schema.tables import CLIENT_TABLES
from copse.sync import batch as batches
from copse.sync import queries, replay, replay_patients
from copse.sync.batch import Batch, UploadContext
from copse.sync.changes import TableChanges
from copse.sync.commit import audit_upload, update_indexes
from copse.sync.upsert import Live, flag_absent, preserve_now_values, upsert
from copse.sync.values import ensure_valid_fields, ensure_valid_table, literal_row, wire_row

logger = logging.getLogger(__name__)

_PATIENT_TABLES = (PATIENT_TABLE, PATIENT_IDNUM_TABLE)
#: Tables in the order a one-step upload applies them: patients last.
PROCESS_ORDER: tuple[str, ...] = (
    tuple(t for t in COMMIT_ORDER if t not in _PATIENT_TABLES) + _PATIENT_TABLES
)
COMMIT_POSITION = {t: i for i, t in enumerate(COMMIT_ORDER)}
#: The JSON types a row's values may have: SQL literals in strings, or null.
_LITERAL_TYPES = frozenset((str, type(None)))


def check_payload(pknameinfo: Any, dbdata: Any) -> None:
    """The reference's structural checks, with its messages, in its order."""
    if not isinstance(pknameinfo, dict):
        raise UserError("PK name info JSON is not a dict")
    if not isinstance(dbdata, dict):
        raise UserError("Database data JSON is not a dict")
    if sorted(pknameinfo.keys()) != sorted(dbdata.keys()):
        raise UserError("Table names don't match from (1) DB data (2) PK info")
    duff = sorted(set(dbdata) - set(TABLES))
    if duff:
        raise UserError(f"Attempt to upload nonexistent tables: {duff!r}")


def _decode_rows(ctx: UploadContext, table: str, pkname: Any, rows: Any) -> list[dict[str, Any]]:
    """Check one table's rows; decode them (key fields only, except patient tables)."""
    if not rows:  # [] or the "" some callers send for an empty table
        return []
    if not isinstance(rows, list):
        raise UserError(f"Database data for table {table!r} is not a list")
    info = ensure_valid_table(table, ctx.client_version)
    if not pkname:
        raise UserError(
            f"Client-side PK name not specified by client for non-empty table {table!r}"
        )
    if not isinstance(pkname, str):
        raise UserError(f"Bad PK name for table {table!r}: {pkname!r}")
    ensure_valid_fields(info, [pkname])
    # The patient tables are read whole (ID policies); other records are
    # decoded in full only if written (values.WireRow).
    lazy = table not in _PATIENT_TABLES
    out: list[dict[str, Any]] = []
    checked: set[frozenset[str]] = set()
    for row in rows:
        if not isinstance(row, dict):
            raise UserError(f"Database data for table {table!r} contains a non-object row")
        keys = frozenset(row)
        if keys not in checked:
            ensure_valid_fields(info, sorted(row))
            checked.add(keys)
        if not _LITERAL_TYPES.issuperset(map(type, row.values())):
            _refuse_non_literal(table, row)
        if lazy:
            out.append(wire_row(info, row, pkname, ctx.max_blob_bytes))
        else:
            out.append(literal_row(info, row, pkname, ctx.max_blob_bytes))
    return out


def _refuse_non_literal(table: str, row: dict[str, Any]) -> None:
    for k, v in row.items():
        if v is not None and not isinstance(v, str):
            # The reference crashes on a JSON number (wire.md §5.2).
            raise UserError(
                f"Bad value for field {k!r} of table {table!r}: "
                f"expected an SQL literal in a JSON string, got {v!r}"
            )


def _process_table(
    conn: sa.Connection,
    batch: Batch,
    table: str,
    pkname: str,
    rows: list[dict[str, Any]],
    replay_eras: tuple[str, ...] = (),
    known_empty: bool = False,
    patients: replay_patients.PatientReplays | None = None,
) -> TableChanges:
    """Apply one table's rows; ``known_empty``: the device has no NOW rows to fetch here.

    ``patients`` carries replay facts from the task tables to the patient
    tables, which are processed after them (``copse.sync.replay_patients``).
    """
    device_id = batch.ctx.device_id
    ch = TableChanges(table)
    if known_empty and not rows:
        return ch
    which = "all" if batch.preserving else "current"
    fetched = (
        []
        if known_empty
        else queries.fetch_live(conn, table, pkname or None, device_id, which=which)
    )
    if not rows and not fetched:
        return ch
    live = Live.from_rows(fetched)
    if replay_eras and rows:
        if replay.applies_to(table):
            rows, ch.n_replayed = replay.split_replays(
                conn, table, pkname, device_id, replay_eras, rows, live.current
            )
        elif patients is not None:
            rows, ch.n_replayed = patients.split(
                conn, table, pkname, device_id, replay_eras, rows, live.current
            )
    if patients is not None:
        patients.note_kept(table, rows)
    res = upsert(conn, batch, table, pkname, rows, live) if rows else None
    gone = flag_absent(conn, batch, table, live, [r[pkname] for r in rows])
    if res is not None:
        ch.addition_pks |= res.addition_pks
        ch.removal_modified_pks |= res.removal_modified_pks
        ch.preservation_pks |= res.preservation_pks
        ch.current_pks |= res.current_pks
    ch.removal_deleted_pks |= set(gone)
    if batch.preserving:
        # preserve_all: every NOW row of the device in this table, current or not.
        t = CLIENT_TABLES[table]
        conn.execute(
            sa.update(t)
            .where(t.c._device_id == device_id, t.c._era == ERA_NOW)
            .values(**preserve_now_values(batch, conn))
        )
        ch.preservation_pks |= {r.pk for r in fetched} | ch.addition_pks
    if res is not None:
        logger.info(
            "Upload successful; %d records uploaded to table %s "
            "(%d new, %d modified, %d identical, %d deleted)",
            len(rows),
            table,
            res.n_new,
            res.n_modified,
            res.n_identical,
            len(gone),
        )
    return ch


@dataclass(frozen=True)
class Payload:
    """A one-step upload's tables, checked and decoded: pure work, done once per request.

    ``rows`` holds, per table, full column dicts (``values.build_row``: the
    patient tables) or ``values.WireRow`` records; the engine only reads
    them, so a retried transaction can apply them again.
    """

    pknames: Mapping[str, Any]
    rows: Mapping[str, list[dict[str, Any]]]


def decode_payload(ctx: UploadContext, pknameinfo: Any, dbdata: Any) -> Payload:
    """Validate the JSON's shape, tables and columns; decode every row's keys.

    Each table's rows leave ``dbdata`` as they are decoded: a record not
    written keeps only its literals (``WireRow``), so one copy of the data is
    alive at a time but for the records written.
    """
    check_payload(pknameinfo, dbdata)
    decoded: dict[str, list[dict[str, Any]]] = {}
    for table in sorted(dbdata):
        decoded[table] = _decode_rows(ctx, table, pknameinfo.get(table, ""), dbdata[table])
        dbdata[table] = None
    return Payload(pknameinfo, decoded)


def upload_entire_database(
    conn: sa.Connection,
    ctx: UploadContext,
    finalizing: bool,
    payload: Payload,
) -> list[TableChanges]:
    """Apply the whole (already decoded) database at once; audit it."""
    decoded = payload.rows
    names = payload.pknames
    check_patient_rows(
        conn,
        group_id=ctx.group_id,
        user=ctx.uploader(conn),
        patient_rows=decoded.get("patient", []),
        idnum_rows=decoded.get("patient_idnum", []),
        finalizing_patient_ids="all" if finalizing else None,
    )
    batches.clear_batch(conn, ctx)
    batch = Batch(ctx, ctx.now_utc, preserving=finalizing, onestep=True)
    eras = replay.load_eras(conn, ctx.device_id)
    changes: list[TableChanges] = []
    # perf: most of the ~150 tables are empty on the tablet and on the server;
    # one existence check per 50 tables finds those with NOW rows of the device
    # (any, when preserving: history rows move era too), so only they are fetched.
    occupied = queries.tables_with_live_rows(
        conn, COMMIT_ORDER, ctx.device_id, which="all" if finalizing else "current"
    )
    patients = replay_patients.PatientReplays(finalizing=finalizing)
    # Patients and ID numbers last: whether a replayed patient is still needed
    # depends on which task rows are stored (copse.sync.replay_patients).  The
    # tables are independent here; the indexes are updated after all of them.
    for table in PROCESS_ORDER:
        rows = decoded.get(table, [])
        pk = names.get(table)
        pkname = pk if isinstance(pk, str) and pk else "id"  # only used to key live rows
        changes.append(
            _process_table(
                conn,
                batch,
                table,
                pkname,
                rows,
                eras,
                known_empty=table not in occupied,
                patients=patients,
            )
        )
    changes.sort(key=lambda c: COMMIT_POSITION[c.table])
    if finalizing:
        queries.move_all_notes(conn, ctx.device_id, batch.era(conn))
    if any(c.preservation_pks for c in changes):
        replay.record_finalizing_upload(
            conn, ctx.device_id, batch.era(conn), eras, any(c.n_replayed for c in changes)
        )
    update_indexes(conn, batch, changes)
    audit_upload(conn, ctx, changes)
    return changes
