"""Shared checks: the indexes are exact, and both task lists agree."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from copse.index.rebuild import check_index
from copse.index.tasklist import list_tasks_via_index
from copse.records.tasklist import TaskFilter, list_tasks

#: One filter per feature of the list, plus combinations and every sort.
FILTERS: tuple[TaskFilter, ...] = (
    TaskFilter(),
    TaskFilter(surname="ALPHA"),
    TaskFilter(forename="carl"),
    TaskFilter(surname="Oldname"),
    TaskFilter(dob="2000-01-01"),
    TaskFilter(dob="1980-01-02"),
    TaskFilter(sex="m"),
    TaskFilter(sex="F"),
    TaskFilter(which_idnum=1, idnum_value=9000000003),
    TaskFilter(which_idnum=1, idnum_value=9000000001),
    TaskFilter(which_idnum=1, idnum_value=9000000002),
    TaskFilter(which_idnum=2, idnum_value=5),
    TaskFilter(task_types=("bmi", "ref_satis_gen")),
    TaskFilter(task_types=("phq9",)),
    TaskFilter(created_from=date(2024, 2, 2)),
    TaskFilter(created_to=date(2024, 2, 1)),
    TaskFilter(created_from=date(2024, 1, 15), created_to=date(2024, 1, 20)),
    TaskFilter(era="finalized"),
    TaskFilter(era="live"),
    TaskFilter(device_id=1),
    TaskFilter(device_id=2),
    TaskFilter(device_id=3),
    TaskFilter(device_id=-1),
    TaskFilter(adding_user_id=2),
    TaskFilter(adding_user_id=1),
    TaskFilter(adding_user_id=-1),
    TaskFilter(group_id=1),
    TaskFilter(group_id=2),
    TaskFilter(complete_only=True),
    TaskFilter(complete_only=True, era="live"),
    TaskFilter(patient_pk=1),
    TaskFilter(patient_pk=3),
    TaskFilter(surname="Alpha", task_types=("phq9",), era="live"),
    TaskFilter(sort="task"),
    TaskFilter(sort="task", descending=False),
    TaskFilter(sort="patient"),
    TaskFilter(sort="patient", descending=False),
    TaskFilter(descending=False),
)


def differences(
    engine: sa.Engine,
    groups_options: tuple[frozenset[int] | None, ...] = (None,),
    filters: tuple[TaskFilter, ...] = FILTERS,
    pages: tuple[tuple[int, int], ...] = ((1, 25),),
) -> list[str]:
    """Every (filter, groups, page) where the index list differs from the direct list."""
    out: list[str] = []
    with engine.connect() as conn:
        for groups in groups_options:
            for f in filters:
                for page, per_page in pages:
                    a = list_tasks(conn, f, groups, page=page, per_page=per_page)
                    b = list_tasks_via_index(conn, f, groups, page=page, per_page=per_page)
                    if a != b:
                        out.append(
                            f"{f} groups={groups} page={page}/{per_page}:\n direct {a}\n index  {b}"
                        )
    return out


def assert_consistent(
    engine: sa.Engine,
    groups_options: tuple[frozenset[int] | None, ...] = (None,),
    filters: tuple[TaskFilter, ...] | None = None,
) -> None:
    with engine.connect() as conn:
        problems = check_index(conn)
    assert not problems, "check_index:\n" + "\n".join(problems)
    diff = differences(
        engine,
        groups_options,
        filters
        or (
            TaskFilter(),
            TaskFilter(era="finalized"),
            TaskFilter(surname="Alpha"),
            TaskFilter(which_idnum=1, idnum_value=9000000001),
        ),
    )
    assert not diff, "\n".join(diff)
