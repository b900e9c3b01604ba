"""Tests for copse.wire.reply (wire.md §1.4, §1.6, §3.19)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from copse.wire.reply import (
    error_pairs,
    error_reply,
    format_reply,
    is_camcops_reply,
    parse_reply,
    select_reply,
    success_pairs,
    success_reply,
)
from copse.wire.values import decode_client_csv


def test_format_reply_uses_str_and_lf() -> None:
    assert format_reply([("a", 1), ("b", None), ("c", "x:y")]) == "a:1\nb:None\nc:x:y\n"
    assert format_reply([]) == ""


def test_success_envelope_matches_spec_example() -> None:
    body = success_reply([("result", "check_device_registered")], 42, "Vb1m8aZ0qP3k9Xr2LwT6yQ==")
    assert body == (
        "result:check_device_registered\n"
        "success:1\n"
        "session_id:42\n"
        "session_token:Vb1m8aZ0qP3k9Xr2LwT6yQ==\n"
    )


def test_error_envelope_matches_spec_example() -> None:
    body = error_reply("Unregistered device", 42, "tok")
    assert body == "success:0\nerror:Unregistered device\nsession_id:42\nsession_token:tok\n"


def test_session_id_none_is_written_as_none() -> None:
    assert "session_id:None\n" in success_reply([], None, "tok")


def test_only_error_is_escaped() -> None:
    body = success_reply([("databaseTitle", "a\\b")], 1, "t")
    assert "databaseTitle:a\\b\n" in body
    body = error_reply("line1\nline2\r back\\slash", 1, "t")
    assert "error:line1\\nline2\\r back\\\\slash\n" in body
    assert body.count("\n") == 4


def test_pairs_order() -> None:
    assert [k for k, _ in success_pairs([("x", 1), ("y", 2)], 1, "t")] == [
        "x",
        "y",
        "success",
        "session_id",
        "session_token",
    ]
    assert [k for k, _ in error_pairs("m", 1, "t")] == [
        "success",
        "error",
        "session_id",
        "session_token",
    ]


def test_select_reply_extra_strings_example() -> None:
    pairs = select_reply(
        ["task", "name", "language", "value"],
        iter([("task1", "name1", "language1", "value1"), ("task2", "name2", "", "it's\n")]),
    )
    assert pairs == [
        ("nfields", "4"),
        ("fields", "task,name,language,value"),
        ("nrecords", "2"),
        ("record0", "'task1','name1','language1','value1'"),
        ("record1", "'task2','name2','','it''s\\n'"),
    ]


def test_select_reply_empty_and_null() -> None:
    assert select_reply(["tablename", "min_client_version"], []) == [
        ("nfields", "2"),
        ("fields", "tablename,min_client_version"),
        ("nrecords", "0"),
    ]
    assert select_reply(["a", "b"], [(None, 3)])[-1] == ("record0", "NULL,3")


def test_select_reply_round_trips_through_client_parsing() -> None:
    rows = [("patient", "2.0.0"), ("x,y", "a'b\nc\\d")]
    body = success_reply(select_reply(["tablename", "min_client_version"], rows), 1, "t")
    parsed = parse_reply(body)
    n = int(parsed["nrecords"])
    assert parsed["nfields"] == "2"
    assert [tuple(decode_client_csv(parsed[f"record{i}"])) for i in range(n)] == rows


def test_parse_reply_client_rules() -> None:
    text = (
        "key:  value with: colon\n"
        "nocolon line\n"
        "bad key:x\n"
        "cr:val\r\n"
        "dup:1\n"
        "dup:2\n"
        ":empty key\n"
        "empty:\n"
    )
    parsed = parse_reply(text)
    assert parsed == {
        "key": "value with: colon",
        "cr": "val\r",
        "dup": "2",
        "empty": "",
    }


def test_is_camcops_reply() -> None:
    assert is_camcops_reply(parse_reply(error_reply("x", None, "t")))
    assert not is_camcops_reply(parse_reply("Not a valid CamCOPS API request\n"))
    assert not is_camcops_reply(parse_reply("success:1\nsession_id:1\n"))


keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
values = st.text(alphabet=st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)))


@given(st.dictionaries(keys, values))
def test_parse_inverts_format_for_clean_values(d: dict[str, str]) -> None:
    parsed = parse_reply(format_reply(d.items()))
    # The client strips whitespace after the colon.
    assert parsed == {k: v.lstrip() for k, v in d.items()}


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_error_message_is_one_line(message: str) -> None:
    parsed = parse_reply(error_reply(message, 1, "t"))
    assert parsed["session_token"] == "t"
    assert parsed["success"] == "0"
