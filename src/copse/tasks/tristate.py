"""Three-valued (Kleene) logic for diagnostic checklists.

A diagnostic checklist is often filled in part: a criterion that is not yet
rated is *unknown*, not absent. Whether a diagnosis is met then has three
answers — met, not met, or not yet decidable — and an unknown item must only
matter when its answer could change the result (one "no" to a required
criterion settles "not met" however many others are blank). Every ICD-10
checklist and the CIS-R use these helpers so that they all reason about
missing answers the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from copse.tasks.values import as_float, int_in

#: True (met), False (not met) or None (unknown).
Tri = bool | None


def tri(value: Any) -> Tri:
    """A stored 0/1 answer as True/False; anything else (blank, invalid) is unknown."""
    code = int_in(value, (0, 1))
    return None if code is None else bool(code)


def is_set(value: Any) -> bool:
    """A stored flag as the tablet means it: any non-zero number is set.

    The experimental tasks test their flags for truth, so a finished flag of
    2 is "finished"; blanks, text and zero are not set.
    """
    number = as_float(value)
    return number is not None and number != 0


def tri_of(row: Mapping[str, Any], columns: Iterable[str]) -> list[Tri]:
    """The three-valued answers of several 0/1 columns of a row."""
    return [tri(row.get(c)) for c in columns]


def tri_and(*values: Tri) -> Tri:
    """False if any is False; else unknown if any is unknown; else True."""
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def tri_or(*values: Tri) -> Tri:
    """True if any is True; else unknown if any is unknown; else False."""
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def tri_not(value: Tri) -> Tri:
    """Negation that keeps unknown unknown."""
    return None if value is None else not value


def count_true(values: Iterable[Tri]) -> int:
    """How many of the answers are a definite yes."""
    return sum(1 for v in values if v is True)


def at_least(values: Iterable[Tri], n: int) -> Tri:
    """Whether at least ``n`` answers are yes: decided as soon as the blanks cannot change it."""
    vals = list(values)
    yes = count_true(vals)
    unknown = sum(1 for v in vals if v is None)
    if yes >= n:
        return True
    if yes + unknown < n:
        return False
    return None


__all__ = [
    "Tri",
    "at_least",
    "count_true",
    "is_set",
    "tri",
    "tri_and",
    "tri_not",
    "tri_of",
    "tri_or",
]
