"""Every task with logic agrees with the CamCOPS server's own computations.

For each task with scoring logic: its summary columns include every column
the reference computes, with the same name and type, and on every ``valid``
example row (answers within the permitted values, some missing) copse's
completeness and each summary equal the reference's. A task may depart from
the reference only where it says why in ``reference_differences`` (a
published rule the reference does not follow); that reason then shows in the
data dictionary.
"""

from __future__ import annotations

import pytest
from reference import STANDARD_SUMMARIES, reference_examples, reference_summaries, same_value

from copse.tasks.base import TaskData, kind_of_sql_type
from copse.tasks.catalogue import tasks_with_logic

WITH_LOGIC = [t.tablename for t in tasks_with_logic()]


def _task(name: str):  # type: ignore[no-untyped-def]
    return next(t for t in tasks_with_logic() if t.tablename == name)


@pytest.mark.parametrize("tablename", WITH_LOGIC)
def test_summary_columns_named_and_typed_as_reference(tablename: str) -> None:
    task = _task(tablename)
    ours = {s.name: s.column_kind for s in task.summary_columns()}
    for col in reference_summaries()[tablename]:
        if col["name"] in STANDARD_SUMMARIES and not reference_summaries()[tablename]:
            continue
        assert col["name"] in ours, f"{tablename}: summary {col['name']} missing"
        assert ours[col["name"]] == kind_of_sql_type(col["type"]), (
            f"{tablename}.{col['name']}: kind {ours[col['name']]} but reference {col['type']}"
        )
    untyped = [name for name, kind in ours.items() if kind is None]
    assert not untyped, f"{tablename}: summaries without a kind on an empty task: {untyped}"


def _valid_examples() -> list[tuple[str, int]]:
    return [
        (name, i)
        for name in WITH_LOGIC
        for i, ex in enumerate(reference_examples()[name])
        if ex["kind"] == "valid"
    ]


@pytest.mark.parametrize(("tablename", "index"), _valid_examples())
def test_valid_example_matches_reference(tablename: str, index: int) -> None:
    task = _task(tablename)
    example = reference_examples()[tablename][index]
    data = TaskData(row=example["row"], ancillary=example.get("children", {}))
    allowed = task.reference_differences
    if "is_complete" not in allowed:
        assert task.is_complete(data) is example["is_complete"], "is_complete"
    ours = {s.name: s.value for s in task.standard_summaries(data) + task.summaries(data)}
    for name, expected in example["summaries"].items():
        if name in allowed:
            continue
        assert name in ours, f"summary {name} missing"
        assert same_value(expected, ours[name]), (
            f"{name}: reference {expected!r}, ours {ours[name]!r}"
        )


@pytest.mark.parametrize("tablename", WITH_LOGIC)
def test_documented_differences_name_real_summaries(tablename: str) -> None:
    task = _task(tablename)
    names = {s.name for s in task.summary_columns()} | {"is_complete"}
    for name, why in task.reference_differences.items():
        assert name in names, f"{tablename}: reference_differences names unknown {name}"
        assert len(why) > 20, "say why, in a sentence"
