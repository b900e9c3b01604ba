"""Tests for copse.wire.values: the SQL-literal CSV grammar (wire.md §4)."""

from __future__ import annotations

import base64
import datetime
import math
import re
from collections.abc import Sequence

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from copse.wire.values import (
    decode_client_csv,
    decode_client_value,
    decode_csv,
    decode_value,
    encode_client_csv,
    encode_client_value,
    encode_csv,
    encode_value,
    escape_newlines,
    split_csv,
    unescape_newlines,
)

INF = float("inf")
NAN = float("nan")


def same(a: object, b: object) -> bool:
    """Equal values of exactly the same type (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)  # type: ignore[arg-type]
    return a == b


def assert_same_list(got: Sequence[object], expected: Sequence[object]) -> None:
    assert len(got) == len(expected), (got, expected)
    for g, e in zip(got, expected, strict=True):
        assert same(g, e), (got, expected)


# ---------------------------------------------------------------------------
# §4.3 worked decoding examples (server)
# ---------------------------------------------------------------------------

SERVER_DECODE_EXAMPLES: list[tuple[str, list[object]]] = [
    ("1,2,3", [1, 2, 3]),
    ("35, -12, 7.23, NULL, null, 'hello'", [35, -12, 7.23, None, None, "hello"]),
    ("'hello, world','it''s',''''", ["hello, world", "it's", "'"]),
    ("''", [""]),
    ("'a\\nb'", ["a\nb"]),
    ("'c\\\\nd'", ["c\\nd"]),
    ("'back\\\\slash'", ["back\\slash"]),
    ("'tab\\tx'", ["tabtx"]),
    ("'trail\\\\'", ["trail\\"]),
    ("'line1\nline2'", ["line1\nline2"]),
    ("'café ü 😀'", ["café ü 😀"]),
    (
        "'2023-07-13T16:08:49.512+01:00','2023-07-13'",
        ["2023-07-13T16:08:49.512+01:00", "2023-07-13"],
    ),
    (
        "2024-01-01T12:00:00.000+00:00,2024-01-02T12:00:00.000+00:00",
        ["2024-01-01T12:00:00.000+00:00", "2024-01-02T12:00:00.000+00:00"],
    ),
    ("X'4D7953514C', 64'TXlTUUw=', 64''", [b"MySQL", b"MySQL", b""]),
    ("X''", ["X''"]),
    ("X'4D7'", ["X'4D7'"]),
    ("64'aGVs bG8=', X'68 65'", [b"hello", b"he"]),
    ("'X''4D''', 'NULL', '64''aGk='''", ["X'4D'", "NULL", "64'aGk='"]),
    (
        "1e-05, 1e+06, 3.14159, -0, +5, 1_000, inf, nan, 0x10, 5.",
        [1e-05, 1000000.0, 3.14159, 0, 5, 1000, INF, NAN, "0x10", 5.0],
    ),
    ("  42  ,  'padded'  , ", [42, "padded", None]),
    (",", [None, None]),
    ("abc, TRUE, 'unterminated", ["abc", "TRUE", "'unterminated"]),
    ("'a'b', 'x''y'", ["a'b', 'x'y"]),
    ("1,0,", [1, 0, None]),
    ("", []),
]


@pytest.mark.parametrize(("wire", "expected"), SERVER_DECODE_EXAMPLES)
def test_server_decode_worked_examples(wire: str, expected: list[object]) -> None:
    assert_same_list(decode_csv(wire), expected)


def test_move_off_flags_bool() -> None:
    assert [bool(v) for v in decode_csv("1,0,")] == [True, False, False]


def test_reference_mixed_list() -> None:
    # The reference's own encode/decode test: one list of many kinds.
    wire = (
        "Alice, Bob, 3, 4.5, NULL, 'A\\nB', 'NULL', 'quote''s here', "
        "64'aGVsbG8=', X'68656c6c6f', '64''aGVsbG8=''', 'X''68656c6c6f'''"
    )
    assert_same_list(
        decode_csv(wire),
        [
            "Alice",
            "Bob",
            3,
            4.5,
            None,
            "A\nB",
            "NULL",
            "quote's here",
            b"hello",
            b"hello",
            "64'aGVsbG8='",
            "X'68656c6c6f'",
        ],
    )


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("", None),
        (None, None),
        ("NULL", None),
        ("nUlL", None),
        ("NULLS", "NULLS"),
        ("'", "'"),
        ("'x", "'x"),
        (" 'x'", " 'x'"),  # not stripped here, so not a quoted string
        (" 7 ", 7),  # Python int() tolerates surrounding whitespace
        ("x'00'", "x'00'"),  # the hex prefix is case-sensitive
        ("X'0a0B'", b"\n\x0b"),
        ("64'aGk'", "64'aGk'"),  # base-64 padding is required
        ("64'aGk='", b"hi"),
        ("'end\\'", "end"),  # a lone trailing backslash is dropped
        ("'a\\'", "a"),
        ("'\\r\\n'", "\r\n"),
        ("١٢", 12),  # non-ASCII digits are digits to Python
        ("Infinity", INF),
        ("1" * 5000, INF),  # int() refuses huge digit strings; float() does not
    ],
)
def test_decode_value_edges(item: str | None, expected: object) -> None:
    assert same(decode_value(item), expected)


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("a,b", ["a", "b"]),
        (" a , b ,", ["a", "b", ""]),
        ("'a,b',c", ["'a,b'", "c"]),
        ("'it''s, ok', x", ["'it''s, ok'", "x"]),
        ("'a\\',b'", ["'a\\'", "b'"]),  # backslash does not protect a quote
        ("'a' 'b', c", ["'a' 'b'", "c"]),
        ("'unterminated, x", ["'unterminated, x"]),
        ("  ", [""]),
    ],
)
def test_split_csv(text: str, items: list[str]) -> None:
    assert split_csv(text) == items


def _split_by_scanning(text: str) -> list[str]:
    """The reference's way: one pass with an "in quotes" flag toggled at each quote."""
    if not text:
        return []
    items: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == "'":
            quoted = not quoted
        if ch == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    items.append("".join(current).strip())
    return items


@given(st.text(alphabet="a,' \\", max_size=40))
def test_split_csv_is_the_reference_scan(text: str) -> None:
    # Both of split_csv's ways (a plain split when no comma is quoted, else
    # commas looked for outside the quotes only) against the one-pass scan.
    assert split_csv(text) == _split_by_scanning(text)


# ---------------------------------------------------------------------------
# §4.4 client encoding examples
# ---------------------------------------------------------------------------

CLIENT_ENCODE_EXAMPLES: list[tuple[object, str]] = [
    (None, "NULL"),
    (-123, "-123"),
    (1, "1"),
    (0, "0"),
    (-9223372036854775807, "-9223372036854775807"),
    (True, "1"),
    (False, "0"),
    (3.14159265, "3.14159"),
    (1.83, "1.83"),
    (67.0, "67"),
    (1234567.0, "1.23457e+06"),
    (0.00001, "1e-05"),
    (
        "Two's complement.\nThree's a crowd.\n\rBackslash:\\",
        "'Two''s complement.\\nThree''s a crowd.\\n\\rBackslash:\\\\'",
    ),
    ("A", "'A'"),
    (b"%PDF-1.7\r", "64'JVBERi0xLjcN'"),
    (datetime.date(2023, 7, 13), "'2023-07-13'"),
    (
        datetime.datetime(2023, 7, 13, 16, 8, 49, 512000, tzinfo=datetime.UTC),
        "'2023-07-13T16:08:49.512+00:00'",
    ),
    (
        datetime.datetime(
            2016,
            6,
            2,
            10,
            4,
            3,
            588000,
            tzinfo=datetime.timezone(datetime.timedelta(hours=1)),
        ),
        "'2016-06-02T10:04:03.588+01:00'",
    ),
    (datetime.time(16, 8, 49), "'16:08:49'"),
    ([1, 2, 3], "'1,2,3'"),
]


@pytest.mark.parametrize(("value", "wire"), CLIENT_ENCODE_EXAMPLES)
def test_client_encode_examples(value: object, wire: str) -> None:
    assert encode_client_value(value) == wire  # type: ignore[arg-type]


def test_client_whole_double_decodes_as_int_on_server() -> None:
    assert same(decode_value(encode_client_value(67.0)), 67)


def test_client_encode_rejects_unknown_types() -> None:
    with pytest.raises(TypeError):
        encode_client_value(object())  # type: ignore[arg-type]


def test_client_csv() -> None:
    assert encode_client_csv([1, None, "a'b", 2.5]) == "1,NULL,'a''b',2.5"


# ---------------------------------------------------------------------------
# §4.5 client decoding
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("", None),
        ("null", None),
        ("64'aGk='", b"hi"),
        ("64''", b""),
        ("X'6869'", b"hi"),
        ("'a\\nb'", "a\nb"),
        ("'it''s'", "it's"),
        ("3.5", 3.5),
        ("42", 42),
        ("-7", -7),
        ("2147483647", 2147483647),
        ("2147483648", 0),
        ("1e-05", 0),
        ("True", 0),
        ("nan", 0),
        ("1.2.3", 0.0),
    ],
)
def test_client_decode(item: str, expected: object) -> None:
    assert same(decode_client_value(item), expected)


def test_client_csv_empty_is_one_null() -> None:
    assert decode_client_csv("") == [None]
    assert decode_csv("") == []


# ---------------------------------------------------------------------------
# §4.6 server encoding
# ---------------------------------------------------------------------------

SERVER_ENCODE_EXAMPLES: list[tuple[object, str]] = [
    (None, "NULL"),
    ("it's", "'it''s'"),
    ("line1\nline2\r\\end", "'line1\\nline2\\r\\\\end'"),
    ("", "''"),
    ("café", "'café'"),
    (5, "5"),
    (2.5, "2.5"),
    (1e-05, "1e-05"),
    (1e20, "1e+20"),
    (True, "True"),  # reference quirk
    (b"MySQL", "64'TXlTUUw='"),
    (b"", "64''"),
]


@pytest.mark.parametrize(("value", "wire"), SERVER_ENCODE_EXAMPLES)
def test_server_encode_examples(value: object, wire: str) -> None:
    assert encode_value(value) == wire  # type: ignore[arg-type]


def test_encode_csv() -> None:
    assert encode_csv(["task1", None, 3]) == "'task1',NULL,3"


def test_escape_unescape_newlines() -> None:
    s = "back\\slash\nnew\rcr literal\\n and \\r 'quotes' \"dq\""
    escaped = escape_newlines(s)
    assert "\n" not in escaped and "\r" not in escaped
    assert unescape_newlines(escaped) == s
    assert escape_newlines("a\\b\nc\rd") == "a\\\\b\\nc\\rd"
    assert escape_newlines("plain") == "plain"


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

nasty_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("',\\\n\r \t\"NULLX64=+/")),
        st.characters(blacklist_categories=("Cs",)),
    ),
)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
server_values = st.one_of(
    st.none(),
    st.integers(),
    finite_floats,
    nasty_text,
    st.binary(),
)


@given(server_values)
def test_server_round_trip(v: object) -> None:
    assert same(decode_value(encode_value(v)), v)  # type: ignore[arg-type]


@given(st.lists(server_values))
def test_split_of_joined_encoded_values(values: list[object]) -> None:
    encoded = [encode_value(v) for v in values]  # type: ignore[arg-type]
    text = ",".join(encoded)
    if values:
        assert split_csv(text) == encoded
    assert_same_list(decode_csv(text), values)


@given(st.lists(server_values), st.lists(st.sampled_from([" ", "\t", "  "])))
def test_whitespace_around_items_is_ignored(values: list[object], pads: list[str]) -> None:
    pad = "".join(pads)
    text = ",".join(pad + encode_value(v) + pad for v in values)  # type: ignore[arg-type]
    assert_same_list(decode_csv(text), values)


@given(st.one_of(st.none(), st.integers(), nasty_text, st.binary()))
def test_client_encode_server_decode(v: object) -> None:
    assert same(decode_value(encode_client_value(v)), v)  # type: ignore[arg-type]


@given(finite_floats)
def test_client_float_goes_through_percent_g(v: float) -> None:
    decoded = decode_value(encode_client_value(v))
    assert isinstance(decoded, (int, float))
    assert decoded == float("%g" % v)  # noqa: UP031


@given(st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1), nasty_text, st.binary()))
def test_server_encode_client_decode(v: object) -> None:
    assert same(decode_client_value(encode_value(v)), v)  # type: ignore[arg-type]


@given(nasty_text)
def test_escape_round_trip(s: str) -> None:
    assert unescape_newlines(escape_newlines(s)) == s


@given(st.text())
def test_decoders_never_crash(s: str) -> None:
    decode_csv(s)
    decode_client_csv(s)


# The BLOB forms as the reference decoder defines them (wire.md §4.2): matched
# on a copy of the item with every \s removed.  decode_value tests them without
# regular expressions (which took seconds for a BLOB of tens of megabytes).
_REF_HEX = re.compile(r"X'((?:[a-fA-F0-9][a-fA-F0-9])+)'")
_REF_B64 = re.compile(
    r"64'((?:[A-Za-z0-9+/]{4})*"
    r"(?:[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?)'"
)


def _reference_blob(item: str) -> bytes | None:
    compact = re.sub(r"\s+", "", item)
    if m := _REF_HEX.fullmatch(compact):
        return bytes.fromhex(m.group(1))
    if m := _REF_B64.fullmatch(compact):
        return base64.b64decode(m.group(1))
    return None


#: Hex and base-64 digits, padding, quotes, ASCII and other whitespace, a letter.
_BLOB_CHARS = "0123456789abcdefABCDEFQgwAz+/=' \t\n\u00a0\u2028\u3000\x1c\u00e9"
_BLOBBISH = st.builds(
    lambda prefix, body, end: prefix + body + end,
    st.sampled_from(["X'", "64'", "x'", "X '", "6 4'", "\u00a0X'", "X", "64", "'", ""]),
    st.text(
        alphabet="0123456789abcdefABCDEFQgwAz+/=' \t\n\u00a0\u2028\u3000\x1c\u00e9", max_size=14
    ),
    st.sampled_from(["'", " ' ", "'\u3000", "", "''", "'x"]),
)


@given(_BLOBBISH)
@example("64'QR=='")  # unused bits set: not canonical, not a BLOB
@example("64'QUJ='")
@example("64'QUJD'")
@example("64'QQ'")  # padding missing
@example("64'QQ==QUJD'")  # data after padding
@example("64'Q==='")
@example("X'0'")
@example("X'0g'")
@example(" 6 4 ' Q Q = = ' ")
def test_blob_forms_are_the_reference_expressions(item: str) -> None:
    want = _reference_blob(item)
    got = decode_value(item)
    if item[:1] == "'" or not item or item.strip().upper() == "NULL":
        return  # other branches of the decoder
    if want is not None:
        assert got == want
    else:
        assert not isinstance(got, bytes), (item, got)


@given(st.binary(max_size=40), st.sampled_from(["", " ", "\n", "\t\u3000"]))
def test_every_blob_decodes_with_whitespace_anywhere(data: bytes, ws: str) -> None:
    for literal in (f"X'{data.hex()}'", f"64'{base64.b64encode(data).decode()}'"):
        if literal == "X''":
            assert decode_value(literal) == "X''"  # no byte pair: not a BLOB
            continue
        spaced = ws.join(literal[i : i + 3] for i in range(0, len(literal), 3))
        assert decode_value(spaced) == data
