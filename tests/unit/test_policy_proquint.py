"""Proquint access keys (policies.md §5.1)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copse.policy.proquint import (
    CONSONANTS,
    VOWELS,
    InvalidProquint,
    int_to_proquint,
    luhn16_check_character,
    proquint_to_int,
    proquint_to_uuid,
    uuid_to_proquint,
)

ALL_ONES = uuid.UUID(int=(1 << 128) - 1)
WORKED_EXAMPLES = [
    (
        uuid.UUID("6457cb90-1ca0-47a7-9f40-767567819bee"),
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-t",
    ),
    (uuid.UUID(int=0), "babab-babab-babab-babab-babab-babab-babab-babab-b"),
    (ALL_ONES, "zuzuz-zuzuz-zuzuz-zuzuz-zuzuz-zuzuz-zuzuz-zuzuz-b"),
]
GOOD_KEY = WORKED_EXAMPLES[0][1]


@pytest.mark.parametrize("u,key", WORKED_EXAMPLES)
def test_worked_examples(u: uuid.UUID, key: str) -> None:
    assert uuid_to_proquint(u) == key
    assert len(key) == 49
    assert proquint_to_uuid(key) == u


def test_reference_well_formed_key_decodes() -> None:
    # A key the reference tests use for "valid, but no such patient".
    key = "sazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-v"
    assert uuid_to_proquint(proquint_to_uuid(key)) == key


@pytest.mark.parametrize(
    "value,nbits,key", [(0x493B, 16, "hohur-h"), (0x493B05EE, 32, "hohur-bilov-j")]
)
def test_short_integers(value: int, nbits: int, key: str) -> None:
    assert int_to_proquint(value, nbits) == key
    assert proquint_to_int(key, nbits) == value


def test_luhn_worked_example() -> None:
    # hohurbilov: the weighted digit sum is 0x3B, so the check value is 5 (j).
    assert luhn16_check_character("hohur-bilov") == "j"


@pytest.mark.parametrize(
    "key",
    [
        "",
        "invalid",  # the reference test's bad key
        "-",
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov",  # no check letter
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-t",  # seven words
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-babab-t",  # nine words
        "kidilsovibdufobhivolnutablinujkivadnozovt",  # no dashes
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-tt",  # long check
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozo-t",  # short word
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozovv-t",  # long word
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-v",  # wrong check
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-a",  # vowel check
        "KIDIL-SOVIB-DUFOB-HIVOL-NUTAB-LINUJ-KIVAD-NOZOV-T",  # upper case
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozoc-t",  # c not in alphabet
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozoy-t",  # y not in alphabet
        "ikdil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-t",  # transposed
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-\u00e9",
        " kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-t",
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-t\n",
        "kidil_sovib-dufob-hivol-nutab-linuj-kivad-nozov-t",
    ],
)
def test_invalid_keys(key: str) -> None:
    with pytest.raises(InvalidProquint):
        proquint_to_uuid(key)


@pytest.mark.parametrize("key", [None, 123, b"babab", ["babab"], uuid.UUID(int=0)])
def test_non_strings_are_invalid(key: object) -> None:
    with pytest.raises(InvalidProquint):
        proquint_to_uuid(key)


def test_invalid_proquint_is_a_value_error() -> None:
    assert issubclass(InvalidProquint, ValueError)


@pytest.mark.parametrize("value,nbits", [(-1, 16), (1 << 16, 16), (0, 0), (0, 24)])
def test_int_to_proquint_rejects_bad_sizes(value: int, nbits: int) -> None:
    with pytest.raises(ValueError):
        int_to_proquint(value, nbits)


@given(st.uuids())
def test_round_trip(u: uuid.UUID) -> None:
    key = uuid_to_proquint(u)
    assert len(key) == 49
    assert proquint_to_uuid(key) == u


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_keys_have_the_documented_shape(value: int) -> None:
    key = int_to_proquint(value)
    *words, check = key.split("-")
    assert len(words) == 8 and check in CONSONANTS
    for word in words:
        assert [c in CONSONANTS for c in word] == [True, False, True, False, True]
        assert [c in VOWELS for c in word] == [False, True, False, True, False]


@given(st.uuids(), st.integers(min_value=0, max_value=48), st.data())
def test_any_single_substitution_is_caught(
    u: uuid.UUID, position: int, data: st.DataObject
) -> None:
    key = uuid_to_proquint(u)
    old = key[position]
    if old == "-":
        alphabet = CONSONANTS + VOWELS
    else:
        alphabet = CONSONANTS if old in CONSONANTS else VOWELS
    new = data.draw(st.sampled_from([c for c in alphabet if c != old]))
    with pytest.raises(InvalidProquint):
        proquint_to_uuid(key[:position] + new + key[position + 1 :])


@given(st.text(max_size=60))
def test_arbitrary_text_only_raises_invalid_proquint(text: str) -> None:
    try:
        u = proquint_to_uuid(text)
    except InvalidProquint:
        return
    assert uuid_to_proquint(u) == text
