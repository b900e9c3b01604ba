"""Client date/time parsing and the server's date/time string formats (wire.md §7, §5.4).

Tablets send ``when_last_modified`` as ``yyyy-MM-ddTHH:mm:ss.zzz±HH:MM``.  The
reference compares such values as *instants* (aware-datetime equality after
parsing with "no offset means UTC"), so ``16:08:49.512+01:00`` equals
``15:08:49.512+00:00``.  We parse with the standard library only and accept
the ISO-8601 shapes that matter: ``T`` or space separator, optional seconds,
any number of fractional digits (beyond microseconds they are truncated),
``Z`` or a numeric offset with or without a colon, or no offset (UTC), and a
plain date (midnight UTC).

The same few strings recur in an upload (each record's timestamp is compared
once per request but sent in several), so parsing is cached.
"""

from __future__ import annotations

import datetime
import functools
import re

UTC = datetime.UTC


def utcnow() -> datetime.datetime:
    """Now as naive UTC: how every server-side date/time is stored and compared."""
    return datetime.datetime.now(UTC).replace(tzinfo=None)


_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?"
    r"(?:([Zz])|([+-])([0-9]{2})(?::?([0-9]{2}))?)?)?"
)


@functools.lru_cache(maxsize=65536)
def parse_datetime(text: str) -> datetime.datetime:
    """Parse a client date/time string into an aware datetime.

    A string without an offset is taken as UTC, as the reference does
    (``pendulum.parse(x, tz=UTC)``).  Raises ValueError if unparseable or out
    of range.
    """
    m = _DATETIME_RE.fullmatch(text)
    if not m:
        raise ValueError(f"Unable to parse string [{text}]")
    (year, month, day, hour, minute, second, frac, zulu, sign, off_h, off_m) = m.groups()
    tz: datetime.tzinfo = UTC
    if sign:
        offset = datetime.timedelta(hours=int(off_h), minutes=int(off_m or 0))
        if offset >= datetime.timedelta(hours=24):
            raise ValueError(f"Unable to parse string [{text}]")
        tz = datetime.timezone(-offset if sign == "-" else offset)
    micro = int(frac[:6].ljust(6, "0")) if frac else 0
    try:
        return datetime.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=tz,
        )
    except ValueError:
        raise ValueError(f"Unable to parse string [{text}]") from None


def same_instant(a: str | None, b: str | None) -> bool:
    """True if two date/time strings denote the same instant (None only equals None).

    Raises ValueError if either non-None string cannot be parsed (unless the
    two are the same text); callers turn that into the appropriate client
    error message.
    """
    if a == b:
        # perf: the usual case, a tablet re-sending the text stored from it.
        return True
    if a is None or b is None:
        return a is None and b is None
    return parse_datetime(a) == parse_datetime(b)


def _as_aware(dt: datetime.datetime) -> datetime.datetime:
    """Naive datetimes are taken to be UTC (the server works in UTC)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def era_string(dt: datetime.datetime) -> str:
    """The era name for a batch time: ``%Y-%m-%dT%H:%M:%SZ`` of the UTC instant."""
    return _as_aware(dt).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso8601_pendulum_style(dt: datetime.datetime) -> str:
    """Format like pendulum's ``to_iso8601_string()`` (§5.4).

    ``Z`` when the time zone is UTC, otherwise ``±HH:MM``; fractional seconds
    (six digits) only when non-zero.  As in pendulum, a zone that merely has a
    zero offset without being UTC keeps ``+00:00``.
    """
    dt = _as_aware(dt)
    text = dt.isoformat()
    if dt.tzname() == "UTC" and text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


def storage_string(dt: datetime.datetime) -> str:
    """The reference's stored form: ``%Y-%m-%dT%H:%M:%S.%f±HH:MM`` (microseconds always)."""
    return _as_aware(dt).isoformat(timespec="microseconds")


def parse_date(text: str) -> datetime.date:
    """Parse a ``yyyy-MM-dd`` date (e.g. a DOB); ValueError if invalid."""
    m = _DATE_RE.fullmatch(text)
    if not m:
        raise ValueError(f"Invalid date: {text!r}")
    return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def is_valid_date(text: str) -> bool:
    """True if ``text`` is a real calendar date in ``yyyy-MM-dd`` form."""
    try:
        parse_date(text)
    except (ValueError, TypeError):
        return False
    return True
