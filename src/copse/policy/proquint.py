"""Proquint access keys for single-patient mode (spec policies.md §5.1).

A server-created patient's UUID is shown to the patient as eight
pronounceable five-letter words plus a check letter, e.g.
``kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-t``.  Each word carries
16 bits as consonant-vowel-consonant-vowel-consonant (4+2+4+2+4 bits, most
significant first).  The check letter is a Luhn mod-16 code over the 40
letters' values, so any single mistyped letter is caught.

Decoding is deliberately strict where the reference is loose: copse checks
the number and length of words, accepts only lower-case letters of the
alphabet, and wants a consonant as the check letter (which is all the
encoder ever writes).  Every malformed key, whatever is wrong with it,
raises :class:`InvalidProquint`; the reference instead lets upper-case and
out-of-alphabet letters escape as ``KeyError`` and over-long keys as a bare
``ValueError``.  The client sees the same "no patient with access key"
message either way.
"""

from __future__ import annotations

import uuid

__all__ = [
    "CONSONANTS",
    "VOWELS",
    "InvalidProquint",
    "int_to_proquint",
    "luhn16_check_character",
    "proquint_to_int",
    "proquint_to_uuid",
    "uuid_to_proquint",
]

CONSONANTS = "bdfghjklmnprstvz"
VOWELS = "aiou"
_CONSONANT_VALUE = {c: i for i, c in enumerate(CONSONANTS)}
_VOWEL_VALUE = {v: i for i, v in enumerate(VOWELS)}
_VALUE = {**_CONSONANT_VALUE, **_VOWEL_VALUE}

_WORD_BITS = 16
_WORD_LENGTH = 5
_UUID_BITS = 128


class InvalidProquint(ValueError):
    """The text is not a well-formed access key with a correct check letter."""


def _encode_word(value: int) -> str:
    return (
        CONSONANTS[(value >> 12) & 0xF]
        + VOWELS[(value >> 10) & 0x3]
        + CONSONANTS[(value >> 6) & 0xF]
        + VOWELS[(value >> 4) & 0x3]
        + CONSONANTS[value & 0xF]
    )


def luhn16_check_character(letters: str) -> str:
    """The Luhn mod-16 check letter for proquint letters (dashes ignored).

    From the rightmost letter leftwards the letters' values are weighted
    2, 1, 2, 1, ...; each product adds its two base-16 digits to the sum;
    the check value makes the total a multiple of 16.  Raises
    ``KeyError`` for a character outside the alphabet (callers validate).
    """
    total = 0
    for index, char in enumerate(reversed(letters.replace("-", ""))):
        product = _VALUE[char] * (2 if index % 2 == 0 else 1)
        total += product // 16 + product % 16
    return CONSONANTS[(16 - total % 16) % 16]


def int_to_proquint(value: int, nbits: int = _UUID_BITS) -> str:
    """Encode a non-negative integer of ``nbits`` bits (a multiple of 16)."""
    if nbits <= 0 or nbits % _WORD_BITS:
        raise ValueError(f"Bit count must be a positive multiple of 16, not {nbits}")
    if not 0 <= value < 1 << nbits:
        raise ValueError(f"{value} does not fit in {nbits} bits")
    words = [
        _encode_word((value >> shift) & 0xFFFF)
        for shift in range(nbits - _WORD_BITS, -1, -_WORD_BITS)
    ]
    data = "-".join(words)
    return f"{data}-{luhn16_check_character(data)}"


def uuid_to_proquint(u: uuid.UUID) -> str:
    """The 49-character access key for a UUID."""
    return int_to_proquint(u.int, _UUID_BITS)


def _decode_word(word: str, key: str) -> int:
    value = 0
    for position, char in enumerate(word):
        table = _CONSONANT_VALUE if position % 2 == 0 else _VOWEL_VALUE
        if char not in table:
            raise InvalidProquint(f"{key!r} contains invalid or transposed characters")
        value = (value << (4 if position % 2 == 0 else 2)) | table[char]
    return value


def proquint_to_int(key: object, nbits: int = _UUID_BITS) -> int:
    """Decode a key of ``nbits // 16`` words plus check letter; strict."""
    if not isinstance(key, str):
        raise InvalidProquint(f"{key!r} is not a string")
    pieces = key.split("-")
    *words, check = pieces
    if (
        len(words) != nbits // _WORD_BITS
        or any(len(word) != _WORD_LENGTH for word in words)
        or len(check) != 1
    ):
        raise InvalidProquint(
            f"{key!r} is not valid (need {nbits // _WORD_BITS} five-letter words "
            "and a check letter, joined by '-')"
        )
    value = 0
    for word in words:
        value = (value << _WORD_BITS) | _decode_word(word, key)
    if check not in _CONSONANT_VALUE:
        raise InvalidProquint(f"{key!r} contains invalid or transposed characters")
    if luhn16_check_character("".join(words)) != check:
        raise InvalidProquint(f"{key!r} is not valid (check character mismatch)")
    return value


def proquint_to_uuid(key: object) -> uuid.UUID:
    """The UUID behind an access key; :class:`InvalidProquint` if malformed."""
    return uuid.UUID(int=proquint_to_int(key, _UUID_BITS))
