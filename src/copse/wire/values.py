"""The SQL-literal CSV value grammar of the client API (spec wire.md §4).

Every upload value, key list and SELECT-style reply record travels as a
comma-separated list of SQL-like literals: ``NULL``, bare numbers, single-quoted
strings with backslash escapes, and ``X'..'`` / ``64'..'`` BLOBs.

The server-side functions (:func:`split_csv`, :func:`decode_value`,
:func:`encode_value`) reproduce the reference decoder *exactly*, including its
leniencies (Python ``int()``/``float()`` accept ``1_000``, ``+5``, ``inf``;
anything unrecognised falls back to the raw text), because the tablet relies
on some of them: unquoted dates in ``which_keys_to_send`` only survive via the
raw-string fallback.

The ``*_client_*`` functions reproduce what the tablet does (§4.4, §4.5).  The
server never uses them; they exist so our tablet simulator in the tests speaks
exactly the dialect a real tablet speaks.

This module is on the upload hot path, so it avoids per-character Python loops:
splitting works on ``str.split`` pieces and decoding has cheap fast paths for
the common cases (bare numbers and quoted strings without backslashes).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from collections.abc import Iterable
from typing import Any, TypeAlias

Value: TypeAlias = None | int | float | str | bytes
"""A decoded SQL literal.  There is no boolean or date type on the wire."""

NULL_LITERAL = "NULL"

# Step 3 of the server decoder works on a copy with every whitespace character
# removed, then tries two BLOB forms: ``X'..'`` (at least one pair of hex
# digits) and ``64'..'`` (canonical base-64: correct padding, unused bits zero;
# ``64''`` is a valid empty BLOB).  As regular expressions (the definition the
# tests check :func:`_blob` against):
#   X'((?:[a-fA-F0-9][a-fA-F0-9])+)'
#   64'((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?)'
HEX_PREFIX = "X'"
B64_PREFIX = "64'"

# A backslash followed by any one character (or by nothing, at the very end:
# the reference drops a lone trailing backslash).
_BACKSLASH_ESCAPE_RE = re.compile(r"\\(.?)", re.DOTALL)
_UNESCAPES = {"n": "\n", "r": "\r"}

# The tablet's number parsing (Qt, C locale) for decode_client_value.
_QT_DOUBLE_RE = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*", re.ASCII)
_QT_INT_RE = re.compile(r"\s*[+-]?\d+\s*", re.ASCII)
_INT32_MIN = -(2**31)
_INT32_MAX = 2**31 - 1


# ---------------------------------------------------------------------------
# Escaping helpers
# ---------------------------------------------------------------------------


def escape_newlines(s: str) -> str:
    r"""Escape ``\`` as ``\\``, LF as ``\n`` and CR as ``\r`` (two-character sequences).

    The backslash must go first so the escapes it introduces are not doubled.
    Used for quoted string literals and for the reply's ``error`` value.
    """
    if "\\" not in s and "\n" not in s and "\r" not in s:
        return s
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def _unescape_match(m: re.Match[str]) -> str:
    ch = m.group(1)
    return _UNESCAPES.get(ch, ch)


def unescape_newlines(s: str) -> str:
    r"""Reverse :func:`escape_newlines`, leniently, as the reference does.

    ``\n`` gives LF, ``\r`` gives CR, and a backslash before any other
    character gives that character (so ``\t`` is just ``t``).  A lone
    trailing backslash is dropped (reference quirk).
    """
    if "\\" not in s:
        return s
    return _BACKSLASH_ESCAPE_RE.sub(_unescape_match, s)


def _quote_string(s: str) -> str:
    """Quote a string literal: escape newlines/backslashes, double quotes."""
    body = escape_newlines(s)
    if "'" in body:
        body = body.replace("'", "''")
    return "'" + body + "'"


def _encode_blob(b: bytes | bytearray | memoryview) -> str:
    return "64'" + base64.b64encode(bytes(b)).decode("ascii") + "'"


# ---------------------------------------------------------------------------
# Server side
# ---------------------------------------------------------------------------


def split_csv(text: str) -> list[str]:
    """Split a CSV list of SQL literals into stripped items, keeping quotes (§4.1).

    The reference scans with an "in quotes" flag in which ``''`` inside quotes
    is an escaped quote.  That is equivalent to toggling the flag at every
    quote character, so commas separate items exactly when an even number of
    quotes precedes them.  The pieces between quote characters alternate
    outside / inside quotes, so when no inside piece holds a comma every comma
    separates items and a plain split is exact (perf: twice as fast as the
    scan below; most records' quoted values are dates and codes).  Otherwise
    we look for commas only in the outside pieces.  An unterminated quote
    swallows the rest of the text.  Empty input gives no items (a server-side
    difference from the tablet, which gives one NULL item).
    """
    if not text:
        return []
    pieces = text.split("'")
    for inside in pieces[1::2]:
        if "," in inside:
            return _split_outside_quotes(pieces)
    return [p.strip() for p in text.split(",")]


def _split_outside_quotes(pieces: list[str]) -> list[str]:
    """:func:`split_csv` of text already split at its quote characters."""
    items: list[str] = []
    current: list[str] = []
    for i, piece in enumerate(pieces):
        if i:
            current.append("'")
        if i % 2:  # inside quotes: commas are data
            current.append(piece)
            continue
        if "," not in piece:
            current.append(piece)
            continue
        segments = piece.split(",")
        current.append(segments[0])
        items.append("".join(current).strip())
        for seg in segments[1:-1]:
            items.append(seg.strip())
        current = [segments[-1]]
    items.append("".join(current).strip())
    return items


def decode_value(item: str | None) -> Value:
    """Decode one SQL literal exactly as the reference server does (§4.2).

    Order: empty or ``NULL`` (any case) gives None; a hex or base-64 BLOB
    (judged on a copy with all whitespace removed); a quoted string (outer
    quotes stripped, ``''`` to ``'``, then backslash unescaping); Python
    ``int()``; Python ``float()``; otherwise the raw item unchanged.

    ``None`` is accepted and gives None, for convenience with JSON ``null``.
    """
    if not item:
        return None
    if item[0] == "'":
        # Fast path.  The whitespace-free copy also starts with a quote, so
        # neither BLOB form can match; int() and float() would fail too.
        if len(item) >= 2 and item[-1] == "'":
            body = item[1:-1]
            if "'" in body:
                body = body.replace("''", "'")
            if "\\" in body:
                body = _BACKSLASH_ESCAPE_RE.sub(_unescape_match, body)
            return body
        return item
    # upper() never shortens a string, so only short items can be NULL.
    if len(item) <= 4 and item.upper() == NULL_LITERAL:
        return None
    if "'" in item:
        blob = _blob(item)
        if blob is not None:
            return blob
        # Not a quoted string: the original does not start with a quote.
    try:
        return int(item)
    except ValueError:
        pass
    try:
        return float(item)
    except ValueError:
        return item


def _blob(item: str) -> bytes | None:
    """The BLOB of an ``X'..'`` or ``64'..'`` literal (whitespace anywhere ignored), else None.

    perf: the same test as matching the regular expressions above on a
    whitespace-free copy, made by C routines: through the expressions a
    50 MB BLOB took 4.5-6 s of CPU to decode; this way ~0.3 s.
    ``str.split()`` and ``\\s`` know the same whitespace (``str.isspace``);
    ``bytes.fromhex`` accepts exactly pairs of hex digits once whitespace
    is gone; strict base-64 decoding leaves only the unused bits of a
    padded last group to check.
    """
    compact = "".join(item.split())
    if not compact.endswith("'"):
        return None
    if compact.startswith(HEX_PREFIX):
        digits = compact[len(HEX_PREFIX) : -1]
        if not digits or len(digits) % 2:
            return None
        try:
            return bytes.fromhex(digits)
        except ValueError:
            return None
    if compact.startswith(B64_PREFIX) and len(compact) > len(B64_PREFIX):
        text = compact[len(B64_PREFIX) : -1]
        try:  # strict: only the alphabet, whole groups of four, padding only at the end
            data = binascii.a2b_base64(text, strict_mode=True)
        except (binascii.Error, ValueError):  # ValueError: not ASCII
            return None
        # Canonical: a padded last group must encode its bytes back to itself
        # (its unused bits zero); a group without padding uses every bit.
        tail = 1 if text.endswith("==") else 2 if text.endswith("=") else 0
        if tail and binascii.b2a_base64(data[-tail:], newline=False) != text[-4:].encode():
            return None
        return data
    return None


def decode_csv(text: str) -> list[Value]:
    """Split and decode a CSV list of SQL literals (server side)."""
    return [decode_value(item) for item in split_csv(text)]


def encode_value(v: Value) -> str:
    """Encode one value for a SELECT-style reply, as the reference server does (§4.6).

    None gives ``NULL``; a str is quoted (escape_newlines, then quotes
    doubled); bytes give the ``64'..'`` form; anything else gives ``str(v)``,
    so a bool gives ``True``/``False`` (reference quirk: the tablet reads that
    as 0).
    """
    if v is None:
        return NULL_LITERAL
    if isinstance(v, str):
        return _quote_string(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return _encode_blob(v)
    return str(v)


def encode_csv(values: Iterable[Value]) -> str:
    """Encode values with :func:`encode_value` and join them with commas."""
    return ",".join(encode_value(v) for v in values)


# ---------------------------------------------------------------------------
# Client (tablet) side, for the simulator used in tests
# ---------------------------------------------------------------------------

ClientValue: TypeAlias = (
    None
    | bool
    | int
    | float
    | str
    | bytes
    | bytearray
    | datetime.datetime
    | datetime.date
    | datetime.time
    | list[Any]
    | tuple[Any, ...]
)


def encode_client_value(v: ClientValue) -> str:
    """Encode a value as the tablet's ``toSqlLiteral`` does (§4.4).

    Floats use C ``%g`` (6 significant digits), so ``67.0`` becomes ``67`` and
    the server decodes it as an int.  Dates, datetimes and times are quoted
    strings (``yyyy-MM-dd``, ``yyyy-MM-ddTHH:mm:ss.zzz±HH:MM``, ``HH:mm:ss``);
    a naive datetime is taken as UTC.  A list or tuple of ints is a quoted
    comma-joined string (the tablet's ``QVector<int>``).
    """
    if v is None:
        return NULL_LITERAL
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "%g" % v  # noqa: UP031 -- C printf %g is the point
    if isinstance(v, str):
        return _quote_string(v)
    if isinstance(v, (bytes, bytearray)):
        return _encode_blob(v)
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.UTC)
        return _quote_string(v.isoformat(timespec="milliseconds"))
    if isinstance(v, datetime.date):
        return _quote_string(v.strftime("%Y-%m-%d"))
    if isinstance(v, datetime.time):
        return _quote_string(v.strftime("%H:%M:%S"))
    if isinstance(v, (list, tuple)) and all(
        isinstance(x, int) and not isinstance(x, bool) for x in v
    ):
        return _quote_string(",".join(str(x) for x in v))
    raise TypeError(f"Cannot encode {type(v).__name__} as a client SQL literal")


def encode_client_csv(values: Iterable[ClientValue]) -> str:
    """Encode values as the tablet does and join them with commas."""
    return ",".join(encode_client_value(v) for v in values)


def _qt_from_hex(text: str) -> bytes:
    """Approximate ``QByteArray::fromHex``: ignore non-hex characters, pad odd input."""
    digits = "".join(ch for ch in text if ch in "0123456789abcdefABCDEF")
    if len(digits) % 2:
        digits = "0" + digits
    return bytes.fromhex(digits)


def _qt_from_base64(text: str) -> bytes:
    """Approximate ``QByteArray::fromBase64``: ignore junk and padding; drop a lone sextet."""
    data = re.sub(r"[^A-Za-z0-9+/]", "", text)
    if len(data) % 4 == 1:
        data = data[:-1]
    return base64.b64decode(data + "=" * (-len(data) % 4))


def decode_client_value(item: str) -> Value:
    """Decode one literal as the tablet's ``fromSqlLiteral`` does (§4.5).

    The tablet is laxer and narrower than the server: anything unquoted that
    contains ``.`` goes through ``toDouble()``; everything else through a
    32-bit ``toInt()`` that yields 0 on failure (so ``True``, ``nan`` and
    ``1e-05`` all read as 0).
    """
    if not item or item.upper() == NULL_LITERAL:
        return None
    if len(item) >= 4 and item.startswith("64'") and item.endswith("'"):
        return _qt_from_base64(item[3:-1])
    if len(item) >= 3 and item.startswith("X'") and item.endswith("'"):
        return _qt_from_hex(item[2:-1])
    if len(item) >= 2 and item[0] == "'" and item[-1] == "'":
        return unescape_newlines(item[1:-1].replace("''", "'"))
    if "." in item:
        return float(item) if _QT_DOUBLE_RE.fullmatch(item) else 0.0
    if _QT_INT_RE.fullmatch(item):
        n = int(item)
        if _INT32_MIN <= n <= _INT32_MAX:
            return n
    return 0


def split_client_csv(text: str) -> list[str]:
    """Split like the tablet: as :func:`split_csv`, but empty text is one item."""
    return split_csv(text) if text else [""]


def decode_client_csv(text: str) -> list[Value]:
    """Split and decode a CSV list as the tablet's ``csvSqlLiteralsToValues`` does."""
    return [decode_client_value(item) for item in split_client_csv(text)]
