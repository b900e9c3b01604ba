"""ID number validation and the NHS number checksum (policies.md §2.2)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from copse.policy.idnum import (
    VALIDATION_METHOD_LABELS,
    VALIDATION_METHODS,
    is_valid_nhs_number,
    nhs_check_digit,
    validate_id_number,
)

# The spec's table.
NHS_EXAMPLES = [
    (9434765919, True),
    (9434765918, False),  # expected check digit 9
    (9999999999, True),
    (9876543210, True),
    (4010232137, True),
    (1234567890, False),  # check digit would be 10
    (123456789, False),  # not 10 digits
]


@pytest.mark.parametrize("number,valid", NHS_EXAMPLES)
def test_spec_examples(number: int, valid: bool) -> None:
    assert is_valid_nhs_number(number) is valid


@pytest.mark.parametrize(
    "value",
    [-123456789, -943476591, 0, 94347659190, "9434765919", 9434765919.0, None, True, b"9434765919"],
)
def test_not_nhs_numbers(value: object) -> None:
    # Negative nine-digit numbers are simply invalid (the reference raises).
    assert is_valid_nhs_number(value) is False


@pytest.mark.parametrize(
    "first9,check",
    [("943476591", 9), ("987654321", 0), ("401023213", 7), ("123456789", None), ("999999999", 9)],
)
def test_check_digit(first9: str, check: int | None) -> None:
    assert nhs_check_digit(first9) == check


@pytest.mark.parametrize("bad", ["", "12345678", "1234567890", "12345678x", "١٢٣٤٥٦٧٨٩"])
def test_check_digit_needs_nine_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        nhs_check_digit(bad)


@pytest.mark.parametrize(
    "value,method,result",
    [
        (None, "uk_nhs_number", (True, "")),
        (123, "", (True, "")),
        (123, None, (True, "")),
        ("abc", "", (True, "")),  # no method: nothing to check
        ("abc", "uk_nhs_number", (False, "Not an integer")),
        (1.5, "uk_nhs_number", (False, "Not an integer")),
        (True, "uk_nhs_number", (False, "Not an integer")),
        (9434765919, "uk_nhs_number", (True, "")),
        (123, "uk_nhs_number", (False, "Invalid UK NHS number")),
        (-943476591, "uk_nhs_number", (False, "Invalid UK NHS number")),
        (123, "luhn", (False, "Unknown validation method")),
        ("abc", "luhn", (False, "Not an integer")),
    ],
)
def test_validate_id_number(value: object, method: str | None, result: tuple[bool, str]) -> None:
    assert validate_id_number(value, method) == result


def test_methods() -> None:
    assert VALIDATION_METHODS == ("", "uk_nhs_number")
    assert set(VALIDATION_METHOD_LABELS) == set(VALIDATION_METHODS)


nine_digits = st.integers(min_value=100_000_000, max_value=999_999_999).map(str)


@given(nine_digits)
def test_numbers_with_their_check_digit_pass(first9: str) -> None:
    check = nhs_check_digit(first9)
    assume(check is not None)
    assert is_valid_nhs_number(int(first9 + str(check)))


@given(
    nine_digits,
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=1, max_value=9),
)
def test_changing_any_one_digit_fails(first9: str, position: int, delta: int) -> None:
    check = nhs_check_digit(first9)
    assume(check is not None)
    digits = [int(d) for d in first9 + str(check)]
    digits[position] = (digits[position] + delta) % 10
    assert not is_valid_nhs_number(int("".join(map(str, digits))))


@given(st.integers(min_value=1_000_000_000, max_value=9_999_999_999))
def test_validity_agrees_with_check_digit(number: int) -> None:
    text = str(number)
    assert is_valid_nhs_number(number) is (nhs_check_digit(text[:9]) == int(text[9]))
