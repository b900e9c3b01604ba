"""Validating names and turning decoded wire values into storable column values.

The wire has no types beyond NULL, int, float, string and bytes (wire.md §4),
so a value must be checked against its column's kind before it is written.
The reference leaves that to the database, which on MySQL silently coerces
and elsewhere fails with a driver message; copse refuses bad values up front
with a message naming the table and field (copse differs knowingly: the
reference has no such messages).  Textual values are stored exactly as sent.
"""

from __future__ import annotations

import datetime
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from copse.errors import UserError
from copse.schema.registry import (
    CLIENT_DATE_FIELD,
    MOVE_OFF_TABLET_FIELD,
    PATIENT_REF_FIELD,
    PATIENT_TABLE,
    TABLES,
    ColumnInfo,
    TableInfo,
)
from copse.schema.tables import RESERVED_FIELD_SET
from copse.wire.dates import is_valid_date, parse_datetime
from copse.wire.values import decode_value
from copse.wire.version import Version, make_version

_INT_MIN = -(2**63)
_INT_MAX = 2**63 - 1
_INT_KINDS = frozenset(("int", "bigint", "bool"))
#: Textual kinds stored exactly as sent with no further check.
_PLAIN_TEXT_KINDS = frozenset(("text", "string", "time"))
#: The real client's own timestamp shape (wire.md §4.4).  perf: such values are
#: validated with the C ``fromisoformat``; anything else, or anything it
#: refuses, goes through ``parse_datetime`` for the definitive answer.
_CLIENT_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{2}:[0-9]{2}"
)
_fromisoformat = datetime.datetime.fromisoformat


def _check_datetime(value: str) -> None:
    if _CLIENT_DATETIME_RE.fullmatch(value):
        try:
            _fromisoformat(value)
            return
        except ValueError:
            pass
    try:
        parse_datetime(value)
    except ValueError:
        # The reference's message for an unparseable date/time (wire.md §7).
        raise UserError(f"ParserError: Unable to parse string [{value}]") from None


def ensure_valid_table(name: str, client_version: Version) -> TableInfo:
    """The table's facts, or the reference's errors for unknown/too-new tables."""
    info = TABLES.get(name)
    if info is None:
        raise UserError(f"Invalid client table name: {name}")
    minimum = make_version(info.min_client_version)
    if client_version < minimum:
        raise UserError(
            f"Client CamCOPS version {client_version} is less than the version "
            f"({minimum}) required to handle table {name}"
        )
    return info


def ensure_valid_field(info: TableInfo, field: str) -> None:
    """Reserved server fields and non-columns are refused (case-sensitively)."""
    if field.startswith("_") and field in RESERVED_FIELD_SET:
        raise UserError(f"Reserved field name for table {info.name!r}: {field!r}")
    if field not in info.column_names:
        raise UserError(f"Invalid field name for table {info.name!r}: {field!r}")


def ensure_valid_fields(
    info: TableInfo, fields: Iterable[str], allowed_extra: Iterable[str] = ()
) -> None:
    extra = set(allowed_extra)
    for f in fields:
        if f not in extra:
            ensure_valid_field(info, f)


def _bad(info: TableInfo, col: ColumnInfo, value: Any, expected: str) -> UserError:
    return UserError(
        f"Bad value for field {col.name!r} of table {info.name!r}: "
        f"expected {expected}, got {value!r}"
    )


def coerce_value(info: TableInfo, col: ColumnInfo, value: Any, max_blob_bytes: int) -> Any:
    """One decoded wire value -> the value to store, or a UserError."""
    if value is None:
        return None
    kind = col.kind
    # perf: the two commonest cases first (an in-range int for an integer
    # column, a str for a plain text column); the checks below are unchanged.
    vtype = type(value)
    if vtype is int and kind in _INT_KINDS and _INT_MIN <= value <= _INT_MAX:
        return value
    if vtype is str and kind in _PLAIN_TEXT_KINDS:
        return value
    if kind in _INT_KINDS:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise _bad(info, col, value, "an integer")
        if not _INT_MIN <= value <= _INT_MAX:
            raise _bad(info, col, value, "a 64-bit integer")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _bad(info, col, value, "a number")
        f = float(value)
        if not math.isfinite(f):
            raise _bad(info, col, value, "a finite number")
        return f
    if kind == "blob":
        if not isinstance(value, bytes):
            raise _bad(info, col, value, "a BLOB (X'..' or 64'..')")
        if len(value) > max_blob_bytes:
            raise UserError(
                f"BLOB in field {col.name!r} of table {info.name!r} is {len(value)} bytes, "
                f"more than the limit (max_blob_bytes={max_blob_bytes})"
            )
        return value
    # Textual kinds: text, string, datetime, date, time.
    if isinstance(value, bytes):
        raise _bad(info, col, value, "text")
    if isinstance(value, (int, float)):
        if kind in ("text", "string"):
            return str(value)
        raise _bad(info, col, value, "a quoted date/time" if kind != "date" else "a quoted date")
    if kind == "datetime":
        _check_datetime(value)
    elif kind == "date" and not is_valid_date(value):
        raise _bad(info, col, value, "a date (yyyy-MM-dd)")
    return value


def required_fields(pkname: str) -> tuple[str, ...]:
    return (pkname, CLIENT_DATE_FIELD, MOVE_OFF_TABLET_FIELD)


def check_required(values: Mapping[str, Any], pkname: str) -> None:
    """Every record must carry its client PK, ``when_last_modified`` and ``_move_off_tablet``."""
    for f in required_fields(pkname):
        if f not in values:
            raise UserError(f"Field '{f}' missing in client input")


def build_row(
    info: TableInfo, values: Mapping[str, Any], pkname: str, max_blob_bytes: int
) -> dict[str, Any]:
    """A full client-column dict for INSERT (absent columns are NULL).

    Field names must already have been validated.  ``patient.uuid`` gets a
    fresh UUID when the client did not send the column (reference behaviour:
    a Python-side default).
    """
    check_required(values, pkname)
    row: dict[str, Any] = {}
    get = values.get
    for col in info.columns:
        v = get(col.name)  # absent and NULL both give None
        if v is not None:
            v = coerce_value(info, col, v, max_blob_bytes)
        row[col.name] = v
    if info.name == PATIENT_TABLE and "uuid" not in values:
        row["uuid"] = uuid.uuid4().hex
    for name in info.not_null:
        if row.get(name) is None:
            raise UserError(f"Field {name!r} of table {info.name!r} must not be NULL")
    return row


#: The engine's key fields besides the client PK (``upsert``, replay and
#: patient-reference checks read only these of a record it does not write).
_KEY_FIELDS = (CLIENT_DATE_FIELD, MOVE_OFF_TABLET_FIELD, PATIENT_REF_FIELD)


class WireRow(dict[str, Any]):
    """A record with only its key fields decoded; ``literals`` holds it as sent.

    Why: a tablet re-sends records it has not changed (one-step: its whole
    database, every time), and such a record is neither written nor read
    beyond its client PK, ``when_last_modified``, ``_move_off_tablet`` and
    ``patient_id``.  Decoding and checking its other values was most of a
    no-change re-upload's time, so they are decoded (and checked, with the
    same errors) only when the record is written: :func:`full_row`.  The
    reference does not check an unchanged record's values either (it decodes
    them leniently and writes nothing).
    """

    __slots__ = ("literals",)
    literals: Mapping[str, str | None]


def wire_row(
    info: TableInfo, literals: Mapping[str, str | None], pkname: str, max_blob_bytes: int
) -> WireRow:
    """The key fields of one record of SQL literals, decoded and checked."""
    check_required(literals, pkname)
    row = WireRow()
    row.literals = literals
    columns = info.column_map
    for name in (pkname, *_KEY_FIELDS):
        col = columns.get(name)
        if col is None:
            continue
        v = decode_value(literals.get(name))
        row[name] = None if v is None else coerce_value(info, col, v, max_blob_bytes)
    return row


def literal_row(
    info: TableInfo, literals: Mapping[str, str | None], pkname: str, max_blob_bytes: int
) -> dict[str, Any]:
    """:func:`build_row` of a record of SQL literals: every value decoded and checked."""
    decoded = {k: decode_value(v) for k, v in literals.items()}
    return build_row(info, decoded, pkname, max_blob_bytes)


def full_row(
    info: TableInfo, row: Mapping[str, Any], pkname: str, max_blob_bytes: int
) -> Mapping[str, Any]:
    """The full column dict of a record about to be written (``row`` itself unless a WireRow)."""
    if type(row) is not WireRow:
        return row
    return literal_row(info, row.literals, pkname, max_blob_bytes)
