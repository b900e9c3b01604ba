"""ID number validation methods, including the NHS number checksum (§2.2).

Each ID number definition names a validation method: ``""`` (none) or
``"uk_nhs_number"``.  Upload of ``patient_idnum`` records runs the method;
``validate_patients`` does not (spec policies.md §2.3).
"""

from __future__ import annotations

__all__ = [
    "INVALID_NHS_NUMBER",
    "NOT_AN_INTEGER",
    "UNKNOWN_METHOD",
    "VALIDATION_METHODS",
    "VALIDATION_METHOD_LABELS",
    "is_valid_nhs_number",
    "nhs_check_digit",
    "validate_id_number",
]

UK_NHS_NUMBER = "uk_nhs_number"
VALIDATION_METHODS: tuple[str, ...] = ("", UK_NHS_NUMBER)
"""Every method a definition may name; there are no others."""

VALIDATION_METHOD_LABELS: dict[str, str] = {"": "None", UK_NHS_NUMBER: "UK NHS number"}
"""How the methods are offered to an administrator."""

NOT_AN_INTEGER = "Not an integer"
INVALID_NHS_NUMBER = "Invalid UK NHS number"
UNKNOWN_METHOD = "Unknown validation method"

# Weights for digits 1-9 of an NHS number; the 10th digit is the check digit.
_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_DIGITS = frozenset("0123456789")


def nhs_check_digit(first9: str) -> int | None:
    """The mod-11 check digit for nine leading digits, or ``None``.

    ``None`` means the computed check digit is 10, which no valid NHS
    number can have.  Raises ``ValueError`` unless ``first9`` is exactly
    nine ASCII digits.
    """
    if len(first9) != 9 or not set(first9) <= _DIGITS:
        raise ValueError(f"Need exactly nine digits, not {first9!r}")
    total = sum(weight * int(digit) for weight, digit in zip(_NHS_WEIGHTS, first9, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(n: object) -> bool:
    """Whether ``n`` is an ``int`` forming a valid 10-digit NHS number.

    Leading zeros cannot be represented, so the number must lie in
    1,000,000,000 - 9,999,999,999.  copse differs from the reference in two
    knowing ways: a negative nine-digit number (ten characters with its
    minus sign) makes the reference raise ``ValueError``, where copse simply
    answers ``False``; and ``bool`` is not accepted as an integer.
    """
    if not isinstance(n, int) or isinstance(n, bool):
        return False
    if not 1_000_000_000 <= n <= 9_999_999_999:
        return False
    text = str(n)
    return nhs_check_digit(text[:9]) == int(text[9])


def validate_id_number(value: object, method: str | None) -> tuple[bool, str]:
    """Check one ID number against its definition's method.

    Returns ``(valid, reason)``; ``reason`` is ``""`` when valid.  A missing
    number is always valid: whether a number is required is a policy
    question, not a validation failure.  Unlike the reference, ``True``
    and ``False`` are not integers here.
    """
    if value is None or not method:
        return True, ""
    if not isinstance(value, int) or isinstance(value, bool):
        return False, NOT_AN_INTEGER
    if method == UK_NHS_NUMBER:
        if is_valid_nhs_number(value):
            return True, ""
        return False, INVALID_NHS_NUMBER
    return False, UNKNOWN_METHOD
