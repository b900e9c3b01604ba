"""The work of the stepwise (multi-request) upload operations, per table.

Handlers in ``copse.api.ops_upload`` parse and validate the form; these
functions do the database work inside the request's transaction.  Each keeps
the rule that a table holding pending state or move-off flags is on the
device's dirty list, because only dirty tables are committed or rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from copse.errors import UserError
from copse.schema.columns import ERA_NOW
from copse.schema.registry import (
    CLIENT_DATE_FIELD,
    MOVE_OFF_TABLET_FIELD,
    PATIENT_IDNUM_TABLE,
    PATIENT_TABLE,
    TABLES,
    TableInfo,
)
from copse.schema.tables import CLIENT_TABLES
from copse.sync import batch as batches
from copse.sync import queries
from copse.sync.batch import Batch
from copse.sync.upsert import Live, flag_absent, flag_for_preservation, upsert
from copse.sync.values import build_row, wire_row
from copse.wire.dates import parse_datetime
from copse.wire.values import decode_value

logger = logging.getLogger(__name__)

#: Client 2.0.0 kept up to eight ID numbers in the patient row (wire.md §3.15).
NUMBER_OF_IDNUMS_DEFUNCT = 8
OLD_IDNUM_FIELDS: tuple[str, ...] = tuple(
    f"{prefix}{n}"
    for n in range(1, NUMBER_OF_IDNUMS_DEFUNCT + 1)
    for prefix in ("idnum", "iddesc", "idshortdesc")
)


@dataclass
class TableUploadCounts:
    n_records: int
    n_new: int
    n_modified: int
    n_identical: int
    n_deleted: int


def _old_idnum_rows(
    patient_rows: Sequence[dict[str, Any]], raw: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Client 2.0.0: turn ``idnumN`` values of patient rows into ``patient_idnum`` records."""
    out: list[dict[str, Any]] = []
    for row, values in zip(patient_rows, raw, strict=True):
        for n in range(1, NUMBER_OF_IDNUMS_DEFUNCT + 1):
            v = values.get(f"idnum{n}")
            if v is None:
                continue
            out.append(
                {
                    "id": row["id"] * NUMBER_OF_IDNUMS_DEFUNCT + n,
                    "patient_id": row["id"],
                    "which_idnum": n,
                    "idnum_value": v,
                    CLIENT_DATE_FIELD: row.get(CLIENT_DATE_FIELD),
                    MOVE_OFF_TABLET_FIELD: row.get(MOVE_OFF_TABLET_FIELD),
                }
            )
    return out


def upload_table(
    conn: sa.Connection,
    batch: Batch,
    info: TableInfo,
    pkname: str,
    records: Sequence[Mapping[str, str | None]],
    *,
    old_idnums: bool = False,
) -> TableUploadCounts:
    """``upload_table``: the client's whole table; absent records are deleted.

    ``records`` hold SQL literals as sent.  Patient records are decoded in
    full; others by their keys, and in full only if written (``WireRow``).
    """
    device_id = batch.ctx.device_id
    table = info.name
    max_blob = batch.ctx.max_blob_bytes
    rows: list[dict[str, Any]]
    decoded: list[dict[str, Any]] = []
    if table == PATIENT_TABLE:
        decoded = [{k: decode_value(v) for k, v in r.items()} for r in records]
        rows = [build_row(info, r, pkname, max_blob) for r in decoded]
    else:
        rows = [wire_row(info, r, pkname, max_blob) for r in records]
    live = Live.from_rows(queries.fetch_live(conn, table, pkname, device_id, which="live"))
    res = upsert(conn, batch, table, pkname, rows, live)
    gone = flag_absent(conn, batch, table, live, [r[pkname] for r in rows])
    flagged_server = any(r.move_off for r in live.current.values())
    if res.dirty or gone or flagged_server or live.pending:
        batches.mark_dirty(conn, device_id, [table])
    elif batch.preserving and not live.current:
        batches.mark_clean(conn, device_id, [table])
    if old_idnums and table == PATIENT_TABLE:
        _old_client_idnums(conn, batch, rows, decoded, res, gone)
    counts = TableUploadCounts(len(records), res.n_new, res.n_modified, res.n_identical, len(gone))
    logger.info(
        "Upload successful; %d records uploaded to table %s "
        "(%d new, %d modified, %d identical, %d deleted)",
        counts.n_records,
        table,
        counts.n_new,
        counts.n_modified,
        counts.n_identical,
        counts.n_deleted,
    )
    return counts


def _old_client_idnums(
    conn: sa.Connection,
    batch: Batch,
    rows: Sequence[dict[str, Any]],
    records: Sequence[Mapping[str, Any]],
    res: Any,
    gone: Sequence[int],
) -> None:
    """Client 2.0.0 (§3.15): upsert converted ID numbers of new/changed patients, and
    flag the ID numbers of deleted patients for removal."""
    device_id = batch.ctx.device_id
    info = TABLES[PATIENT_IDNUM_TABLE]
    changed = [
        (row, rec) for row, rec in zip(rows, records, strict=True) if row["id"] in res.written
    ]
    idrows = [
        build_row(info, r, "id", batch.ctx.max_blob_bytes)
        for r in _old_idnum_rows([c[0] for c in changed], [c[1] for c in changed])
    ]
    if idrows:
        live = Live.from_rows(queries.fetch_live(conn, PATIENT_IDNUM_TABLE, "id", device_id))
        upsert(conn, batch, PATIENT_IDNUM_TABLE, "id", idrows, live)
    batches.mark_dirty(conn, device_id, [PATIENT_IDNUM_TABLE])
    if gone:
        pt = CLIENT_TABLES[PATIENT_TABLE]
        ids = CLIENT_TABLES[PATIENT_IDNUM_TABLE]
        dead = sa.select(pt.c.id).where(pt.c._pk.in_(list(gone)))
        conn.execute(
            sa.update(ids)
            .where(
                ids.c._device_id == device_id,
                ids.c._era == ERA_NOW,
                ids.c._current == sa.true(),
                ids.c.patient_id.in_(dead),
            )
            .values(_removal_pending=True, _successor_pk=None)
        )


def upload_record(
    conn: sa.Connection, batch: Batch, info: TableInfo, pkname: str, values: Mapping[str, Any]
) -> bool:
    """``upload_record``: one record, no deletions.  Returns True if it was new."""
    row = build_row(info, values, pkname, batch.ctx.max_blob_bytes)
    cpk = row[pkname]
    device_id = batch.ctx.device_id
    live = Live.from_rows(
        queries.fetch_live(conn, info.name, pkname, device_id, which="live", client_pks=[cpk])
    )
    res = upsert(conn, batch, info.name, pkname, [row], live)
    if res.dirty:
        batches.mark_dirty(conn, device_id, [info.name])
    return res.old_server_pk.get(cpk) is None


def upload_empty_tables(conn: sa.Connection, batch: Batch, tables: Sequence[str]) -> None:
    """``upload_empty_tables``: every current row of these tables is flagged for deletion."""
    device_id = batch.ctx.device_id
    to_dirty: list[str] = []
    to_clean: list[str] = []
    # perf: the client lists every empty table (~150); one existence check
    # finds the few that hold live rows, and only those are fetched.
    occupied = queries.tables_with_live_rows(conn, sorted(set(tables)), device_id)
    for table in tables:
        if table not in occupied:
            if batch.preserving:
                to_clean.append(table)
            continue
        live = Live.from_rows(queries.fetch_live(conn, table, "id", device_id, which="live"))
        gone = flag_absent(conn, batch, table, live, ())
        if gone or live.pending:
            to_dirty.append(table)
        elif batch.preserving:
            to_clean.append(table)
    batches.mark_dirty(conn, device_id, to_dirty)
    batches.mark_clean(conn, device_id, to_clean)


def delete_where_key_not(
    conn: sa.Connection, batch: Batch, table: str, pkname: str, keep: Sequence[Any]
) -> int:
    """Flag for deletion every current row whose client PK is not in ``keep``.

    ``keep`` is turned into a set once: a membership test against the list
    per pending row would be O(pending x kept) (issue 12).
    """
    device_id = batch.ctx.device_id
    keep_set = frozenset(keep)
    live = Live.from_rows(queries.fetch_live(conn, table, pkname, device_id, which="live"))
    gone = flag_absent(conn, batch, table, live, keep_set)
    if gone or any(cpk not in keep_set for cpk in live.pending):
        batches.mark_dirty(conn, device_id, [table])
    return len(gone)


def which_keys_to_send(
    conn: sa.Connection,
    batch: Batch,
    table: str,
    pkname: str,
    client_pks: Sequence[int],
    client_dates: Sequence[str],
    move_off: Sequence[bool] | None,
) -> list[int]:
    """Which records the client must send; unchanged-but-flagged ones are flagged here.

    ``move_off`` None means an old client that does not report the flags:
    every PK is requested.  copse differs from the reference: when a record
    is flagged for preservation here the table is marked dirty, so the flag is
    actually committed.  Flags compare as booleans (a stored NULL is 0).
    """
    delete_where_key_not(conn, batch, table, pkname, client_pks)
    if move_off is None:
        return list(client_pks)
    device_id = batch.ctx.device_id
    live = Live.from_rows(queries.fetch_live(conn, table, pkname, device_id, which="live"))
    needed: list[int] = []
    to_flag: list[int] = []
    for cpk, when, flag in zip(client_pks, client_dates, move_off, strict=True):
        # Within a batch the latest pending version is what the server holds.
        s = live.pending.get(cpk) or live.current.get(cpk)
        if s is None or s.when is None or parse_datetime(s.when) != parse_datetime(when):
            needed.append(cpk)
        elif bool(s.move_off) != bool(flag):
            to_flag.append(s.pk)
    if to_flag:
        flag_for_preservation(conn, batch, table, to_flag)
        batches.mark_dirty(conn, device_id, [table])
    return needed


def check_date(cpk: Any, raw: Any) -> str:
    """A ``which_keys_to_send`` date: present and parseable, with the reference's messages."""
    if raw is None or raw == "":
        raise UserError(f"Missing date/time for client PK {cpk}")
    text = raw if isinstance(raw, str) else str(raw)
    try:
        parse_datetime(text)
    except ValueError:
        raise UserError(f"Bad date/time: {raw!r}") from None
    return text
