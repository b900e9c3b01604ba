"""Reading form and query-string values: bad input becomes None or a message, never a 500."""

from __future__ import annotations

from datetime import date

#: Longest decimal text that can still be a 64-bit integer (with a sign).
_MAX_INT_DIGITS = 19


def parse_int(text: str) -> int | None:
    """The integer written in ``text``, or None if it is blank or not a (64-bit) whole number."""
    text = text.strip()
    if not text or len(text) > _MAX_INT_DIGITS or not text.lstrip("-").isdigit():
        return None
    return int(text)


def parse_date(text: str, errors: list[str], label: str) -> date | None:
    """The ISO date in ``text``; a bad one is reported in ``errors`` and read as no date."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors.append(f"{label}: {text!r} is not a date (use YYYY-MM-DD); ignored")
        return None
