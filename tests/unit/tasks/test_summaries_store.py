"""``copse.tasks.summaries_store``: what the task index keeps of a task's summaries."""

from __future__ import annotations

import math
from typing import Any

import pytest

from copse.tasks import TaskData, get_task
from copse.tasks.summaries_store import (
    MAX_STORED_CHARS,
    SUMMARIES_VERSION,
    decode,
    encode,
    summary_values,
)
from tests.unit.tasks.reference import reference_examples


def _examples() -> list[tuple[str, dict[str, Any]]]:
    return [(t, e) for t, examples in sorted(reference_examples().items()) for e in examples]


@pytest.mark.parametrize(("table", "example"), _examples())
def test_every_example_round_trips_exactly(table: str, example: dict[str, Any]) -> None:
    """Decoded summaries equal the computed ones, value and type (bool stays bool)."""
    data = TaskData(row=example["row"], ancillary=example.get("children") or {})
    values = summary_values(get_task(table), data)
    text = encode(values)
    assert text is not None
    back = decode(text)
    assert back == values
    assert list(back) == list(values)
    assert [type(v) for v in back.values()] == [type(v) for v in values.values()]


def test_first_of_two_summaries_with_one_name_counts() -> None:
    data = TaskData(row={"q1": 1})
    values = summary_values(get_task("phq9"), data)
    assert values["is_complete"] is False
    assert list(values)[:2] == ["is_complete", "seconds_from_creation_to_first_finish"]


@pytest.mark.parametrize(
    "values",
    [
        {"x": math.inf},
        {"x": -math.inf},
        {"x": math.nan},
        {"x": b"bytes"},
        {"x": [1, 2]},
        {"x": "y" * (MAX_STORED_CHARS + 1)},
    ],
)
def test_values_that_cannot_be_stored_exactly_are_not_stored(values: dict[str, Any]) -> None:
    assert encode(values) is None


def test_unicode_and_every_kind_stored() -> None:
    values = {"a": True, "b": None, "c": 3, "d": 2.5, "e": 'ünïcødé ✓ \n"q"'}
    text = encode(values)
    assert text is not None and decode(text) == values


def test_version_is_a_digest_of_the_task_definitions() -> None:
    assert len(SUMMARIES_VERSION) == 16
    int(SUMMARIES_VERSION, 16)
