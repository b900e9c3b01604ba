"""Opaque cursors for keyset paging.

A cursor is URL-safe base64 of a small JSON object: the keyset of the last
row of the page, and a fingerprint of the query it belongs to.  It is not
signed: forging one only moves the reader within rows they may see anyway
(visibility is applied on every page); the fingerprint only turns a cursor
reused with other filters into a clear error instead of a confusing page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from copse.errors import UserError


class BadCursor(UserError):
    """The cursor parameter cannot be used; the message names the field."""


def fingerprint(query: object) -> str:
    return hashlib.sha256(repr(query).encode("utf-8")).hexdigest()[:16]


def encode(key: list[Any], query: object) -> str:
    raw = json.dumps({"k": key, "q": fingerprint(query)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode(text: str, query: object) -> list[Any]:
    """The keyset of a cursor made by :func:`encode` for the same query."""
    try:
        padded = text + "=" * (-len(text) % 4)
        obj = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        key = obj["k"]
        owner = obj["q"]
        if not isinstance(key, list):
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        raise BadCursor("cursor: not a cursor this server gave out") from None
    if owner != fingerprint(query):
        raise BadCursor("cursor: it belongs to a query with other filters; start again")
    return key
