"""Tests for copse.wire.dates (wire.md §5.4, §7)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copse.wire.dates import (
    era_string,
    is_valid_date,
    iso8601_pendulum_style,
    parse_date,
    parse_datetime,
    same_instant,
    storage_string,
)

UTC = datetime.UTC


def tz(hours: int, minutes: int = 0) -> datetime.timezone:
    return datetime.timezone(datetime.timedelta(hours=hours, minutes=minutes))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2016-06-02T10:04:03.588+01:00",
            datetime.datetime(2016, 6, 2, 10, 4, 3, 588000, tzinfo=tz(1)),
        ),
        ("2024-01-01T12:00:00.000+00:00", datetime.datetime(2024, 1, 1, 12, tzinfo=UTC)),
        ("2024-01-01T12:00:00Z", datetime.datetime(2024, 1, 1, 12, tzinfo=UTC)),
        ("2024-01-01T12:00:00", datetime.datetime(2024, 1, 1, 12, tzinfo=UTC)),
        ("2024-01-01 12:00:00", datetime.datetime(2024, 1, 1, 12, tzinfo=UTC)),
        ("2024-01-01T12:00", datetime.datetime(2024, 1, 1, 12, tzinfo=UTC)),
        ("2024-01-01", datetime.datetime(2024, 1, 1, tzinfo=UTC)),
        (
            "2016-06-02T10:04:03.588000+05:30",
            datetime.datetime(2016, 6, 2, 10, 4, 3, 588000, tzinfo=tz(5, 30)),
        ),
        (
            "2016-06-02T10:04:03.5-03:00",
            datetime.datetime(2016, 6, 2, 10, 4, 3, 500000, tzinfo=tz(-3)),
        ),
        (
            "2016-06-02T10:04:03.123456789+0100",
            datetime.datetime(2016, 6, 2, 10, 4, 3, 123456, tzinfo=tz(1)),
        ),
        ("2016-06-02T10:04:03+01", datetime.datetime(2016, 6, 2, 10, 4, 3, tzinfo=tz(1))),
        ("2016-06-02T10:04:03-00:30", datetime.datetime(2016, 6, 2, 10, 4, 3, tzinfo=tz(0, -30))),
    ],
)
def test_parse_datetime(text: str, expected: datetime.datetime) -> None:
    got = parse_datetime(text)
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Tuesday",
        "2024-13-01",
        "2024-02-30",
        "2024-01-01T25:00:00",
        "2024-1-1",
        "2024-01-01T12:00:00+24:00",
        "2024-01-01T12:00:00.+01:00",
        " 2024-01-01",
        "2024-01-01T12",
        "2024-01-01T12:00:00 junk",
        "１９８０-01-01",
    ],
)
def test_parse_datetime_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_same_instant() -> None:
    assert same_instant("2023-07-13T16:08:49.512+01:00", "2023-07-13T15:08:49.512+00:00")
    assert same_instant("2023-07-13T15:08:49.512+00:00", "2023-07-13T15:08:49.512000Z")
    assert same_instant("2023-07-13T15:08:49.512", "2023-07-13T15:08:49.512+00:00")
    assert not same_instant("2023-07-13T16:08:49.512+01:00", "2023-07-13T16:08:49.513+01:00")
    assert not same_instant("2023-07-13T16:08:49.512+01:00", None)
    assert not same_instant(None, "2023-07-13T16:08:49.512+01:00")
    assert same_instant(None, None)
    with pytest.raises(ValueError):
        same_instant("garbage", "2023-07-13")


def test_era_string() -> None:
    assert era_string(datetime.datetime(2024, 1, 1, 12, 0, 0, 999999, tzinfo=UTC)) == (
        "2024-01-01T12:00:00Z"
    )
    assert era_string(datetime.datetime(2024, 1, 1, 13, 30, 5, tzinfo=tz(1))) == (
        "2024-01-01T12:30:05Z"
    )
    assert era_string(datetime.datetime(2024, 1, 1, 12, 0, 0)) == "2024-01-01T12:00:00Z"


def test_iso8601_pendulum_style() -> None:
    assert iso8601_pendulum_style(datetime.datetime(2024, 1, 1, 12, tzinfo=UTC)) == (
        "2024-01-01T12:00:00Z"
    )
    assert iso8601_pendulum_style(datetime.datetime(2024, 1, 1, 12, tzinfo=ZoneInfo("UTC"))) == (
        "2024-01-01T12:00:00Z"
    )
    assert (
        iso8601_pendulum_style(datetime.datetime(2024, 1, 1, 12, 0, 0, 500000, tzinfo=UTC))
        == "2024-01-01T12:00:00.500000Z"
    )
    assert iso8601_pendulum_style(datetime.datetime(2024, 7, 1, 12, tzinfo=tz(1))) == (
        "2024-07-01T12:00:00+01:00"
    )
    assert (
        iso8601_pendulum_style(datetime.datetime(2024, 1, 1, 12, tzinfo=ZoneInfo("Europe/London")))
        == "2024-01-01T12:00:00+00:00"
    )
    assert iso8601_pendulum_style(datetime.datetime(2024, 1, 1, 12)) == "2024-01-01T12:00:00Z"


def test_storage_string() -> None:
    dt = parse_datetime("2016-06-02T10:04:03.588+01:00")
    assert storage_string(dt) == "2016-06-02T10:04:03.588000+01:00"
    assert parse_datetime(storage_string(dt)) == dt


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("1980-02-29", True),
        ("1981-02-29", False),
        ("1980-2-29", False),
        ("", False),
        ("1980-02-29T00:00", False),
        ("29/02/1980", False),
        ("2000-12-31", True),
    ],
)
def test_is_valid_date(text: str, ok: bool) -> None:
    assert is_valid_date(text) is ok


def test_parse_date() -> None:
    assert parse_date("1980-02-29") == datetime.date(1980, 2, 29)
    with pytest.raises(ValueError):
        parse_date("1980-02-30")


aware_datetimes = st.datetimes(
    min_value=datetime.datetime(1900, 1, 2),
    max_value=datetime.datetime(2200, 1, 1),
    timezones=st.sampled_from([UTC, tz(1), tz(-5), tz(5, 30), tz(-9, -30), tz(14)]),
)


@given(aware_datetimes)
def test_client_format_round_trip(dt: datetime.datetime) -> None:
    dt = dt.replace(microsecond=dt.microsecond // 1000 * 1000)
    text = dt.isoformat(timespec="milliseconds")
    assert parse_datetime(text) == dt
    assert same_instant(text, storage_string(dt))
    assert same_instant(text, iso8601_pendulum_style(dt.astimezone(UTC)))
    assert parse_datetime(era_string(dt)) == dt.replace(microsecond=0)
