"""Formatting (and, for tests, parsing) of client-API reply bodies (wire.md §1.4, §3.19).

A reply body is a sequence of ``key:value`` lines, each ending in LF.  Values
are written with ``str()``, so ``None`` becomes ``None`` and ints their decimal
form.  Keys come in a fixed order: the operation's own keys, ``success``, then
(on failure only) ``error``, then ``session_id`` and ``session_token``.

Only ``error`` is passed through :func:`escape_newlines`.  That mirrors the
reference reply writer (a reference quirk): other values are written raw, and
it is the caller's job to make sure they hold no line breaks (SELECT-style
record values are already escaped by :func:`encode_value`; JSON payloads from
``json.dumps`` never contain raw newlines).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from copse.wire.values import Value, encode_value, escape_newlines

SUCCESS_CODE = "1"
FAILURE_CODE = "0"

KEY_SUCCESS = "success"
KEY_ERROR = "error"
KEY_SESSION_ID = "session_id"
KEY_SESSION_TOKEN = "session_token"
KEY_RESULT = "result"

KEY_NFIELDS = "nfields"
KEY_FIELDS = "fields"
KEY_NRECORDS = "nrecords"
KEY_RECORD_PREFIX = "record"

# The tablet's reply-line regex: the key is the shortest non-whitespace run
# before the first colon; whitespace after the colon is skipped.
_CLIENT_LINE_RE = re.compile(r"([\S]+?):\s*([\s\S]*)")


def format_reply(pairs: Iterable[tuple[str, object]]) -> str:
    """Join pairs as ``key:value`` lines, each LF-terminated, using ``str()`` on values."""
    return "".join(f"{key}:{value}\n" for key, value in pairs)


def success_pairs(
    result_pairs: Iterable[tuple[str, object]],
    session_id: object,
    session_token: object,
) -> list[tuple[str, object]]:
    """The key/value pairs of a successful reply, in reference order."""
    pairs = list(result_pairs)
    pairs.append((KEY_SUCCESS, SUCCESS_CODE))
    pairs.append((KEY_SESSION_ID, session_id))
    pairs.append((KEY_SESSION_TOKEN, session_token))
    return pairs


def error_pairs(
    message: str,
    session_id: object,
    session_token: object,
) -> list[tuple[str, object]]:
    """The key/value pairs of a failure reply; only ``error`` is newline-escaped."""
    return [
        (KEY_SUCCESS, FAILURE_CODE),
        (KEY_ERROR, escape_newlines(str(message))),
        (KEY_SESSION_ID, session_id),
        (KEY_SESSION_TOKEN, session_token),
    ]


def success_reply(
    result_pairs: Iterable[tuple[str, object]],
    session_id: object,
    session_token: object,
) -> str:
    """A complete success body: the operation's keys, ``success:1``, then the session keys.

    ``session_id`` may be None, which is written as ``None`` (the reference
    does this for requests without a user; the tablet copes).
    """
    return format_reply(success_pairs(result_pairs, session_id, session_token))


def error_reply(message: str, session_id: object, session_token: object) -> str:
    """A complete failure body: ``success:0``, the escaped ``error``, then the session keys."""
    return format_reply(error_pairs(message, session_id, session_token))


def select_reply(
    fields: Sequence[str],
    rows: Iterable[Sequence[Value]],
) -> list[tuple[str, str]]:
    """The pairs of a SELECT-style reply (§3.19).

    ``nfields``, ``fields`` (comma-joined names), ``nrecords``, then
    ``record0`` ... ``record<n-1>``, each a comma-joined list of values
    encoded with :func:`encode_value`.  Rows are consumed once.
    """
    records = [",".join(encode_value(v) for v in row) for row in rows]
    pairs: list[tuple[str, str]] = [
        (KEY_NFIELDS, str(len(fields))),
        (KEY_FIELDS, ",".join(fields)),
        (KEY_NRECORDS, str(len(records))),
    ]
    pairs.extend((f"{KEY_RECORD_PREFIX}{i}", rec) for i, rec in enumerate(records))
    return pairs


def parse_reply(text: str) -> dict[str, str]:
    """Parse a reply body as the tablet does (for tests and the simulator).

    Split on LF; each line matching ``^([\\S]+?):\\s*([\\s\\S]*)`` gives a key
    and value (a CR stays in the value); other lines are ignored and a later
    duplicate key wins.  Callers should treat a missing key as ``""``.
    """
    result: dict[str, str] = {}
    for line in text.split("\n"):
        m = _CLIENT_LINE_RE.match(line)
        if m:
            result[m.group(1)] = m.group(2)
    return result


def is_camcops_reply(parsed: dict[str, str]) -> bool:
    """True if the tablet would accept the reply as coming from CamCOPS.

    The tablet requires all of ``success``, ``session_id`` and ``session_token``.
    """
    return all(k in parsed for k in (KEY_SUCCESS, KEY_SESSION_ID, KEY_SESSION_TOKEN))
