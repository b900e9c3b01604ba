"""Properties every task with logic keeps on any input, however wrong.

Tablets upload what they like: values out of range, text in number columns,
missing answers, odd ancillary rows. Whatever arrives, a task definition
must answer (never raise), say complete or not, report the same summary
columns with values of their declared kinds and within their stated maxima,
and render its views, its one-line clinical summary, its risk flags, its
trackers and its data dictionary.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from copse.schema.registry import TABLES, ColumnInfo
from copse.tasks.base import RiskFlag, Summary, TaskData, TaskDefinition
from copse.tasks.catalogue import tasks_with_logic

TASKS = {t.tablename: t for t in tasks_with_logic()}
NUMERIC_KINDS = {"int", "float"}


def column_values(col: ColumnInfo) -> st.SearchStrategy[Any]:
    """Plausible and implausible values for one column."""
    if col.kind in ("int", "bigint"):
        return st.one_of(st.none(), st.integers(-3, 12), st.integers(-(2**31), 2**31))
    if col.kind == "bool":
        return st.sampled_from([None, 0, 1, 2, -1])
    if col.kind == "float":
        return st.one_of(
            st.none(), st.floats(-5, 200, allow_nan=False), st.sampled_from([0.0, 1e9, -1e9])
        )
    if col.kind in ("datetime", "date", "time"):
        return st.sampled_from(
            [None, "", "2024-05-06T07:08:09.123+01:00", "2024-05-06", "not a date"]
        )
    if col.kind == "blob":
        return st.sampled_from([None, b"", b"\x89PNG"])
    return st.one_of(st.none(), st.sampled_from(["", "0", "1", "yes", "<b>x</b>"]), st.text())


def rows_for(table: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({c.name: column_values(c) for c in TABLES[table].columns})


def tasks_for(task: TaskDefinition) -> st.SearchStrategy[TaskData]:
    children = st.fixed_dictionaries(
        {a.tablename: st.lists(rows_for(a.tablename), max_size=4) for a in task.ancillary}
    )
    patient = st.sampled_from([None, {"sex": "F"}, {"sex": "M"}, {"sex": "X", "dob": "1950-01-01"}])
    return st.builds(
        lambda row, anc, pt: TaskData(row=row, ancillary=anc, patient=pt),
        rows_for(task.tablename),
        children,
        patient,
    )


def check_task(task: TaskDefinition, data: TaskData) -> None:
    complete = task.is_complete(data)
    assert complete in (True, False)
    columns = {s.name: s for s in task.summary_columns()}
    summaries = task.standard_summaries(data) + task.summaries(data)
    assert [s.name for s in summaries] == list(columns), "summary columns change with input"
    for s in summaries:
        declared = columns[s.name].column_kind
        assert declared is not None, f"{s.name}: no kind on an empty task (set Summary.kind)"
        assert s.kind in (None, declared), f"{s.name}: kind changes with input"
        if s.value is None:
            continue
        value_kind = Summary(s.name, s.value, "").column_kind
        if declared == "float" and value_kind == "int":
            value_kind = "float"  # a whole-number score in a FLOAT column is fine
        assert value_kind == declared, f"{s.name}: {s.value!r} is not {declared}"
        if (
            s.out_of is not None
            and isinstance(s.value, (int, float))
            and not isinstance(s.value, bool)
        ):
            assert s.value <= s.out_of, f"{s.name} = {s.value} > {s.out_of}"
    assert isinstance(task.render_html(data), Markup)
    line = task.clinical_summary(data)
    assert isinstance(line, str) and line.startswith(task.shortname) and "\n" not in line
    flags = task.risk_flags(data)
    assert all(isinstance(f, RiskFlag) and f.message for f in flags)
    known_columns = {c.name for c in TABLES[task.tablename].columns}
    assert all(f.column in known_columns for f in flags)


@pytest.mark.parametrize("tablename", sorted(TASKS))
def test_any_input_is_handled(tablename: str) -> None:
    task = TASKS[tablename]

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(tasks_for(task))
    def run(data: TaskData) -> None:
        check_task(task, data)

    run()


@pytest.mark.parametrize("tablename", sorted(TASKS))
def test_empty_task_is_handled(tablename: str) -> None:
    task = TASKS[tablename]
    check_task(task, TaskData(row={}))
    check_task(task, TaskData(row={c.name: None for c in TABLES[tablename].columns}))


@pytest.mark.parametrize("tablename", sorted(TASKS))
def test_trackers_chart_numeric_summaries_within_range(tablename: str) -> None:
    task = TASKS[tablename]
    columns = {s.name: s for s in task.summary_columns()}
    for spec in task.trackers:
        assert spec.summary in columns, f"tracker of unknown summary {spec.summary}"
        assert columns[spec.summary].column_kind in NUMERIC_KINDS
        assert spec.y_min < spec.y_max and spec.label
        for cut in spec.cutoffs:
            assert spec.y_min <= cut.value <= spec.y_max and cut.label


@pytest.mark.parametrize("tablename", sorted(TASKS))
def test_data_dictionary_covers_every_column(tablename: str) -> None:
    task = TASKS[tablename]
    entries = task.data_dictionary()
    stored = {(e.table, e.column) for e in entries if not e.is_summary}
    for table in task.all_tables:
        for col in TABLES[table].columns:
            assert (table, col.name) in stored
    summaries = [e.column for e in entries if e.is_summary]
    assert summaries == [s.name for s in task.summary_columns()]
    assert all(e.meaning for e in entries if e.is_summary)
