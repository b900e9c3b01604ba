"""Lenient readers for uploaded field values.

Task rows arrive exactly as a tablet uploaded them, and a tablet (or an
attacker posing as one) can put anything in any column: a float in an integer
column, a string where a number belongs, a number where a Y/N letter belongs.
Completeness and scoring must never crash on such data, and must never count
it as a valid answer, so every task reads its fields through these helpers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any


def as_int(value: Any) -> int | None:
    """Return ``value`` as an int if it is an integral number, else None.

    Booleans count (the wire sends them as 0/1 anyway) and so do integral
    floats such as ``2.0``; strings never do, because a numeric column holding
    text is corrupt data, not an answer.
    """
    if type(value) is int:  # the usual case, first
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


#: Containers ``in`` can test directly (anything else is made a set first).
_CONTAINERS = (tuple, frozenset, set, range, list)


def as_float(value: Any) -> float | None:
    """Return ``value`` as a finite float if it is a number, else None."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    return None


def int_in(value: Any, permitted: Iterable[int]) -> int | None:
    """Return the value as an int if it is one of ``permitted``, else None."""
    i = as_int(value)
    if i is None:
        return None
    codes = permitted if isinstance(permitted, _CONTAINERS) else set(permitted)
    return i if i in codes else None


def int_in_range(value: Any, lo: int, hi: int) -> int | None:
    """Return the value as an int if ``lo <= value <= hi``, else None."""
    i = as_int(value)
    return i if i is not None and lo <= i <= hi else None


def is_nonempty_text(value: Any) -> bool:
    """True for a string with at least one non-whitespace character.

    The reference treats free-text answers as present when they are
    "truthy"; an all-blank note carries no content, so we treat it as absent.
    """
    return isinstance(value, str) and value.strip() != ""


def yes_no(value: Any) -> str | None:
    """Normalise a one-letter Y/N answer to ``"Y"``/``"N"``, else None."""
    if isinstance(value, str) and value.strip().upper() in ("Y", "N"):
        return value.strip().upper()
    return None


def all_valid(row: Mapping[str, Any], fields: Iterable[str], lo: int, hi: int) -> bool:
    """True if every field holds an integer answer within ``lo..hi``."""
    return all(int_in_range(row.get(f), lo, hi) is not None for f in fields)


def sum_valid(row: Mapping[str, Any], fields: Iterable[str], lo: int, hi: int) -> int:
    """Sum the fields that hold valid answers; absent or invalid ones add 0."""
    total = 0
    for f in fields:
        v = int_in_range(row.get(f), lo, hi)
        if v is not None:
            total += v
    return total


def parse_iso_datetime(value: Any) -> datetime | None:
    """Parse the ISO-8601 text a tablet sends for date-times, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def qfields(prefix: str, first: int, last: int, suffix: str = "") -> tuple[str, ...]:
    """Column names ``prefix<first>suffix`` .. ``prefix<last>suffix`` inclusive."""
    return tuple(f"{prefix}{n}{suffix}" for n in range(first, last + 1))
