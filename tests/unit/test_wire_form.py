"""Tests for copse.wire.form (wire.md §1.2, §3 shared parameter readers)."""

from __future__ import annotations

import pytest

from copse.errors import UserError
from copse.wire.form import Form

FORM = Form(
    {
        "s": "hello",
        "blank": "",
        "n": "42",
        "neg": "-3",
        "lenient": " +1_000 ",
        "bad": "4x",
        "zero": "0",
        "two": "2",
        "j": '{"a": [1, 2, null], "b": NaN}',
        "badj": "{not json",
        "list": "[]",
    }
)


def test_has_sees_blank() -> None:
    assert FORM.has("blank")
    assert not FORM.has("missing")
    assert FORM.raw("blank") == ""
    assert FORM.raw("missing") is None


def test_optional_str_blank_means_missing() -> None:
    assert FORM.optional_str("s") == "hello"
    assert FORM.optional_str("blank") is None
    assert FORM.optional_str("missing") is None
    assert FORM.optional_str("blank", "dflt") == "dflt"


@pytest.mark.parametrize("key", ["blank", "missing"])
def test_required_str(key: str) -> None:
    with pytest.raises(UserError) as info:
        FORM.required_str(key)
    assert info.value.message == f"Must provide the variable: {key}"
    assert FORM.required_str("s") == "hello"


def test_ints() -> None:
    assert FORM.required_int("n") == 42
    assert FORM.required_int("neg") == -3
    assert FORM.required_int("lenient") == 1000
    assert FORM.optional_int("missing") is None
    assert FORM.optional_int("blank", 7) == 7
    assert FORM.optional_int("n") == 42
    with pytest.raises(UserError) as info:
        FORM.required_int("bad")
    assert info.value.message == "Variable bad is not a valid integer; was '4x'"
    with pytest.raises(UserError) as info:
        FORM.optional_int("s")
    assert info.value.message == "Variable s is not a valid integer; was 'hello'"
    with pytest.raises(UserError) as info:
        FORM.required_int("missing")
    assert info.value.message == "Must provide the variable: missing"


def test_lenient_int() -> None:
    assert FORM.lenient_int("n") == 42
    assert FORM.lenient_int("bad") is None
    assert FORM.lenient_int("blank") is None
    assert FORM.lenient_int("missing") is None


def test_bool_int() -> None:
    assert FORM.required_bool_int("zero") is False
    assert FORM.required_bool_int("n") is True
    assert FORM.required_bool_int("neg") is True
    with pytest.raises(UserError):
        FORM.required_bool_int("s")


def test_json() -> None:
    value = FORM.json("j")
    assert value["a"] == [1, 2, None]
    assert value["b"] != value["b"]  # NaN
    assert FORM.json("list") == []
    assert FORM.json("missing", required=False) is None
    assert FORM.json("blank", required=False) is None
    with pytest.raises(UserError) as info:
        FORM.json("badj")
    assert info.value.message == "Bad JSON for key 'badj'"
    with pytest.raises(UserError) as info:
        FORM.json("blank")
    assert info.value.message == "Must provide the variable: blank"


def test_json_too_deep_is_bad_json() -> None:
    deep = Form({"k": "[" * 100000 + "]" * 100000})
    with pytest.raises(UserError) as info:
        deep.json("k")
    assert info.value.message == "Bad JSON for key 'k'"


def test_data_property() -> None:
    d = {"a": "b"}
    assert Form(d).data is d
