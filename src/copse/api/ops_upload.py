"""The upload operations (wire.md §3.10-§3.22): parse the form, call ``copse.sync``.

Handlers check their inputs in the reference's order, so that the first error
reported is the one the reference would report.  Each runs inside the
request's single transaction (the endpoint has already locked the device
row), so a failure anywhere leaves the database exactly as it was; copse
differs knowingly from the reference, which commits partial work.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from copse.api.context import ApiRequest, Caller
from copse.api.operations import operation
from copse.errors import LimitExceeded, ServerError, UserError
from copse.schema.registry import CLIENT_PK_FIELD, PATIENT_TABLE, TableInfo
from copse.sync import batch as batches
from copse.sync import commit, onestep, stepwise
from copse.sync.batch import UploadContext
from copse.sync.values import ensure_valid_field, ensure_valid_fields, ensure_valid_table
from copse.wire.values import Value, decode_csv, split_csv
from copse.wire.version import cope_with_old_idnums, explicit_pkname_for_upload_table

logger = logging.getLogger(__name__)


def upload_context(req: ApiRequest, caller: Caller) -> UploadContext:
    """The engine's view of the caller (permission checks have already run)."""
    user = caller.user
    if user is None or caller.device_id is None or user.upload_group_id is None:
        raise ServerError("Upload operation reached without a user, device and upload group")
    return UploadContext(
        device_id=caller.device_id,
        user_id=user.id,
        group_id=user.upload_group_id,
        username=req.username,
        client_version=req.client_version,
        client_version_str=req.client_version_str,
        now_utc=req.now_utc,
        remote_addr=req.remote_addr,
        max_blob_bytes=req.settings.max_blob_bytes,
        locked=caller.locked,
        user=user,
    )


def _table(req: ApiRequest, key: str = "table") -> TableInfo:
    return ensure_valid_table(req.form.required_str(key), req.client_version)


def _field_list(
    req: ApiRequest, info: TableInfo, key: str, allowed_extra: tuple[str, ...] = ()
) -> list[str]:
    fields = [f.strip() for f in req.form.required_str(key).split(",")]
    ensure_valid_fields(info, fields, allowed_extra)
    return fields


def _pkname(req: ApiRequest, info: TableInfo) -> str:
    name = req.form.required_str("pkname")
    ensure_valid_field(info, name)
    return name


def _values(req: ApiRequest, key: str, required: bool = True) -> list[Value]:
    text = req.form.required_str(key) if required else req.form.optional_str(key)
    return decode_csv(text) if text else []


@operation("start_upload", "upload")
def start_upload(conn: sa.Connection, req: ApiRequest, caller: Caller) -> None:
    batches.start_batch(conn, upload_context(req, caller))


@operation("start_preservation", "upload")
def start_preservation(conn: sa.Connection, req: ApiRequest, caller: Caller) -> str:
    batch = batches.get_or_start_batch(conn, upload_context(req, caller))
    batches.start_preserving(conn, batch)
    logger.info("start_preservation successful")
    return "STARTPRESERVATION"


@operation("upload_empty_tables", "upload")
def upload_empty_tables(conn: sa.Connection, req: ApiRequest, caller: Caller) -> str:
    names = [n.strip() for n in req.form.required_str("tables").split(",")]
    for n in names:
        ensure_valid_table(n, req.client_version)
    batch = batches.get_or_start_batch(conn, upload_context(req, caller))
    stepwise.upload_empty_tables(conn, batch, names)
    logger.info("upload_empty_tables")
    return "UPLOAD-EMPTY-TABLES"


@operation("upload_table", "upload")
def upload_table(conn: sa.Connection, req: ApiRequest, caller: Caller) -> str:
    info = _table(req)
    old_idnums = cope_with_old_idnums(req.client_version) and info.name == PATIENT_TABLE
    fields = _field_list(req, info, "fields", stepwise.OLD_IDNUM_FIELDS if old_idnums else ())
    nrecords = req.form.required_int("nrecords")
    nfields = len(fields)
    if nfields < 1:
        raise UserError(f"fields={nfields}: can't be less than 1")
    if nrecords < 0:
        raise UserError(f"nrecords={nrecords}: can't be less than 0")
    cap = req.settings.max_records_per_upload_table
    if nrecords > cap:
        raise LimitExceeded(
            f"nrecords={nrecords}: more than the limit (max_records_per_upload_table={cap})"
        )
    batch = batches.get_or_start_batch(conn, upload_context(req, caller))
    if explicit_pkname_for_upload_table(req.client_version):
        pkname = _pkname(req, info)
    else:
        pkname = CLIENT_PK_FIELD  # clients before 2.0.4 always used "id"
        ensure_valid_field(info, pkname)
    records: list[dict[str, Any]] = []
    for r in range(nrecords):
        # SQL literals, decoded by the engine (only as far as it needs them).
        values = split_csv(req.form.required_str(f"record{r}"))
        if len(values) != nfields:
            raise UserError(
                f"Number of fields in field list ({nfields}) doesn't match "
                f"number of values in record {r} ({len(values)})"
            )
        records.append(dict(zip(fields, values, strict=True)))
    stepwise.upload_table(conn, batch, info, pkname, records, old_idnums=old_idnums)
    return f"Table {info.name} upload successful"


@operation("upload_record", "upload")
def upload_record(conn: sa.Connection, req: ApiRequest, caller: Caller) -> str:
    batch = batches.get_or_start_batch(conn, upload_context(req, caller))
    info = _table(req)
    pkname = _pkname(req, info)
    fields = _field_list(req, info, "fields")
    values = _values(req, "values")
    if len(fields) != len(values):
        raise UserError(
            f"Number of fields ({len(fields)}) doesn't match number of values ({len(values)})"
        )
    is_new = stepwise.upload_record(
        conn, batch, info, pkname, dict(zip(fields, values, strict=True))
    )
    return "UPLOAD-INSERT" if is_new else "UPLOAD-UPDATE"


@operation("delete_where_key_not", "upload")
def delete_where_key_not(conn: sa.Connection, req: ApiRequest, caller: Caller) -> str:
    info = _table(req)
    pkname = _pkname(req, info)
    keep = _values(req, "pkvalues")
    batch = batches.get_or_start_batch(conn, upload_context(req, caller))
    stepwise.delete_where_key_not(conn, batch, info.name, pkname, keep)
    return "Trimmed"


@operation("which_keys_to_send", "upload")
def which_keys_to_send(conn: sa.Connection, req: ApiRequest, caller: Caller) -> str:
    info = _table(req)
    pkname = _pkname(req, info)
    pks = _values(req, "pkvalues", required=False)
    dates = _values(req, "datevalues", required=False)
    if len(pks) != len(dates):
        raise UserError(
            f"Number of PK values ({len(pks)}) doesn't match number of dates ({len(dates)})"
        )
    flags: list[bool] | None = None
    key = "move_off_tablet_values"
    if req.form.has(key):
        raw = req.form.raw(key) or ""
        # copse differs from the reference: a blank value is what the tablet
        # sends for one record whose flag is NULL (wire.md §8 item 23); it is
        # one NULL, i.e. "not flagged", not a missing parameter.
        decoded = decode_csv(raw) if raw.strip() else [None]
        if len(decoded) != len(pks):
            raise UserError(
                f"Number of move-off-tablet values ({len(decoded)}) doesn't match "
                f"number of PKs ({len(pks)})"
            )
        flags = [bool(x) for x in decoded]
    else:
        logger.warning(
            "which_keys_to_send: old client not reporting %s; requesting all records", key
        )
    client_pks: list[int] = []
    client_dates: list[str] = []
    for pk, date in zip(pks, dates, strict=True):
        if not isinstance(pk, int):
            raise UserError(f"Bad (non-integer) client PK: {pk!r}")
        client_pks.append(pk)
        client_dates.append(stepwise.check_date(pk, date))
    batch = batches.get_or_start_batch(conn, upload_context(req, caller))
    needed = stepwise.which_keys_to_send(
        conn, batch, info.name, pkname, client_pks, client_dates, flags
    )
    logger.info("which_keys_to_send successful: table %s", info.name)
    return ",".join(str(x) for x in needed)


@operation("end_upload", "upload")
def end_upload(conn: sa.Connection, req: ApiRequest, caller: Caller) -> None:
    commit.end_upload(conn, upload_context(req, caller))


@operation("upload_entire_database", "upload")
def upload_entire_database(conn: sa.Connection, req: ApiRequest, caller: Caller) -> str:
    ctx = upload_context(req, caller)
    finalizing = req.form.required_bool_int("finalizing")
    payload = req.memo.get("onestep")
    if payload is None:
        payload = req.memo["onestep"] = _onestep_payload(req, ctx)
    onestep.upload_entire_database(conn, ctx, finalizing, payload)
    return "Success"


def _onestep_payload(req: ApiRequest, ctx: UploadContext) -> onestep.Payload:
    """Parse and decode ``dbdata`` once per request (no database work).

    The result is kept in ``req.memo``, so a transaction retried after a
    transient conflict reuses it, and the dbdata text (often tens of MB) is
    let go as soon as it is parsed: a smaller peak memory.
    """
    cap = req.settings.max_dbdata_bytes
    raw = req.form.raw("dbdata") or ""
    # Size in UTF-8 bytes; for the usual pure-ASCII JSON that is len() with no copy.
    size = len(raw) if raw.isascii() else len(raw.encode("utf-8", "surrogatepass"))
    if size > cap:
        raise LimitExceeded(f"dbdata is {size} bytes, more than the limit (max_dbdata_bytes={cap})")
    del raw
    pknameinfo = req.form.json("pknameinfo")
    if not isinstance(pknameinfo, dict):
        raise UserError("PK name info JSON is not a dict")
    dbdata = req.form.json("dbdata")
    req.form.release("dbdata")
    return onestep.decode_payload(ctx, pknameinfo, dbdata)
