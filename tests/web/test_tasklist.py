"""The direct task-list query: every filter, the order, and paging."""

from __future__ import annotations

from datetime import date

import pytest

from copse.index.compute import entry_created_utc
from copse.records.tasklist import TaskFilter, TaskRef, created_utc, list_tasks
from tests.web import factories as fx
from tests.web.conftest import World


@pytest.fixture
def more(world: World) -> dict[str, int]:
    """Extra rows in group A: another patient, old versions, anonymous and finalized tasks."""
    ga, da = world.group_a, world.device_a
    with world.db.engine.begin() as conn:
        alice = conn.exec_driver_sql(
            "SELECT id FROM _security_users WHERE username='alice'"
        ).scalar_one()
        root = conn.exec_driver_sql(
            "SELECT id FROM _security_users WHERE username='root'"
        ).scalar_one()
        d2 = fx.make_device(conn, "tab-a2", user_id=alice)
        # Patient 2 on device A; an old version with another surname (not current).
        fx.make_row(
            conn,
            "patient",
            device_id=da,
            group_id=ga,
            current=False,
            id=2,
            forename="Carl",
            surname="Oldname",
            dob="2000-01-01",
            sex="M",
        )
        p2 = fx.make_patient(
            conn,
            device_id=da,
            group_id=ga,
            client_id=2,
            forename="Carl",
            surname="Gamma",
            dob="2000-01-01",
            sex="M",
            idnums={1: 9000000003},
        )
        ids = {
            "p2": p2,
            # 23:30 at -02:00 is 01:30 UTC on the next day.
            "late": fx.make_task(
                conn,
                "phq9",
                device_id=da,
                group_id=ga,
                client_id=2,
                patient_id=2,
                when_created="2024-02-01T23:30:00.000-02:00",
                user_id=alice,
            ),
            "bmi": fx.make_task(
                conn,
                "bmi",
                device_id=da,
                group_id=ga,
                client_id=1,
                patient_id=1,
                when_created="2024-01-15T09:00:00.000+00:00",
                user_id=root,
                height_m=1.7,
                mass_kg=70.0,
            ),
            "anon": fx.make_task(
                conn,
                "ref_satis_gen",
                device_id=da,
                group_id=ga,
                client_id=1,
                when_created="2024-01-20T09:00:00.000+00:00",
                user_id=alice,
            ),
            "final": fx.make_task(
                conn,
                "phq9",
                device_id=d2,
                group_id=ga,
                client_id=7,
                era="2024-03-01T12:00:00Z",
                when_created="2023-12-31T09:00:00Z",
                user_id=alice,
                **fx.PHQ9_COMPLETE,
            ),
            "old": fx.make_task(
                conn,
                "phq9",
                device_id=da,
                group_id=ga,
                client_id=9,
                patient_id=1,
                current=False,
                when_created="2024-02-05T09:00:00Z",
                user_id=alice,
            ),
            "d2": d2,
            "alice": alice,
            "root": root,
        }
    fx.reindex(world.db.engine)
    return ids


def keys(refs: tuple[TaskRef, ...] | list[TaskRef]) -> list[tuple[str, int]]:
    return [(r.table, r.pk) for r in refs]


def run(
    world: World, f: TaskFilter | None = None, groups: frozenset[int] | None = None, **kw: int
) -> list[tuple[str, int]]:
    with world.db.engine.connect() as conn:
        return keys(list_tasks(conn, f or TaskFilter(), groups, **kw).rows)


def test_created_utc() -> None:
    assert created_utc("2024-02-01T23:30:00.000-02:00").isoformat() == "2024-02-02T01:30:00"
    assert created_utc("2024-02-01T10:00").isoformat() == "2024-02-01T10:00:00"
    assert created_utc("garbage") is None and created_utc(None) is None


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-01T23:30:00.000-02:00",  # a tablet's shape
        "2016-08-11T02:39:37.891000+00:00",  # as a CamCOPS server stores it
        "2015-04-14T12:28:06.490123-08:00",
        "2024-02-01T23:30:00.000+23:59",
        "2024-02-01T23:30:00.000+24:00",  # out of range: None both ways
        "2024-02-01T23:30:00.000+05:75",
        "2024-02-30T10:00:00.000000+00:00",
        "0001-01-01T00:00:00.000+01:00",
        "9999-12-31T23:59:59.999999-01:00",
        "2024-02-01T10:00",
        "2024-02-01T23:30:00.0000+00:00",
    ],
)
def test_index_created_utc_is_created_utc(text: str) -> None:
    """The index's C fast path gives exactly what the task list's parser gives."""
    assert entry_created_utc(text) == created_utc(text)


def test_default_lists_current_tasks_newest_first(world: World, more: dict[str, int]) -> None:
    got = run(world, groups=frozenset({world.group_a}))
    assert got == [
        ("phq9", more["late"]),
        ("phq9", world.task_a),
        ("ref_satis_gen", more["anon"]),
        ("bmi", more["bmi"]),
        ("phq9", more["final"]),
    ]
    assert ("phq9", more["old"]) not in got  # not current
    assert ("phq9", world.task_b) not in got  # other group


def test_superuser_sees_all_groups(world: World, more: dict[str, int]) -> None:
    got = run(world)
    assert ("phq9", world.task_b) in got and len(got) == 6
    assert run(world, groups=frozenset()) == []


@pytest.mark.parametrize(
    ("f", "expect"),
    [
        (TaskFilter(surname="ALPHA"), ["task_a", "bmi"]),
        (TaskFilter(forename="carl"), ["late"]),
        (TaskFilter(surname="Oldname"), []),  # only the current patient row counts
        (TaskFilter(dob="2000-01-01"), ["late"]),
        (TaskFilter(sex="m"), ["late"]),
        (TaskFilter(which_idnum=1, idnum_value=9000000003), ["late"]),
        (TaskFilter(which_idnum=1, idnum_value=9000000002), []),  # group B's patient
        (TaskFilter(task_types=("bmi", "ref_satis_gen")), ["anon", "bmi"]),
        (TaskFilter(created_from=date(2024, 2, 2)), ["late"]),  # UTC date of 23:30-02:00
        (TaskFilter(created_to=date(2024, 2, 1)), ["task_a", "anon", "bmi", "final"]),
        (TaskFilter(created_from=date(2024, 1, 15), created_to=date(2024, 1, 20)), ["anon", "bmi"]),
        (TaskFilter(era="finalized"), ["final"]),
        (TaskFilter(era="live"), ["late", "task_a", "anon", "bmi"]),
        (TaskFilter(device_id=-1), []),
        (TaskFilter(adding_user_id=-1), []),
        (TaskFilter(complete_only=True), ["task_a", "bmi", "final"]),
        (TaskFilter(surname="Alpha", task_types=("phq9",), era="live"), ["task_a"]),
    ],
)
def test_filters(world: World, more: dict[str, int], f: TaskFilter, expect: list[str]) -> None:
    named = {**more, "task_a": world.task_a}
    got = [pk for _, pk in run(world, f, frozenset({world.group_a}))]
    assert got == [named[e] for e in expect]


def test_device_user_and_group_filters(world: World, more: dict[str, int]) -> None:
    ga = frozenset({world.group_a})
    assert [pk for _, pk in run(world, TaskFilter(device_id=more["d2"]), ga)] == [more["final"]]
    assert [pk for _, pk in run(world, TaskFilter(adding_user_id=more["root"]), ga)] == [
        more["bmi"]
    ]
    assert run(world, TaskFilter(group_id=world.group_b), ga) == []  # can't widen by filter
    assert run(world, TaskFilter(group_id=world.group_b)) == [("phq9", world.task_b)]


def test_patient_filters_exclude_anonymous_tasks(world: World, more: dict[str, int]) -> None:
    got = run(world, TaskFilter(sex="F"), frozenset({world.group_a}))
    assert ("ref_satis_gen", more["anon"]) not in got


def test_sorting(world: World, more: dict[str, int]) -> None:
    ga = frozenset({world.group_a})
    asc = run(world, TaskFilter(descending=False), ga)
    assert asc == list(reversed(run(world, TaskFilter(), ga)))
    by_task = run(world, TaskFilter(sort="task", descending=False), ga)
    assert [t for t, _ in by_task] == ["bmi", "phq9", "phq9", "phq9", "ref_satis_gen"]
    by_patient = run(world, TaskFilter(sort="patient", descending=False), ga)
    # Alpha (two tasks, newest first), Gamma, then tasks without a patient.
    assert by_patient[:3] == [("phq9", world.task_a), ("bmi", more["bmi"]), ("phq9", more["late"])]


def test_pagination(world: World, more: dict[str, int]) -> None:
    ga = frozenset({world.group_a})
    everything = run(world, TaskFilter(), ga)
    pages = [run(world, TaskFilter(), ga, page=n, per_page=2) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sum(pages, []) == everything
    with world.db.engine.connect() as conn:
        page = list_tasks(conn, TaskFilter(), ga, page=99, per_page=2)
    assert page.page == 3 and page.total == 5 and page.n_pages == 3


def test_completeness_is_filled_in_for_page_rows(world: World, more: dict[str, int]) -> None:
    with world.db.engine.connect() as conn:
        rows = list_tasks(conn, TaskFilter(task_types=("phq9",)), frozenset({world.group_a})).rows
    complete = {r.pk: r.complete for r in rows}
    assert complete[world.task_a] is True and complete[more["late"]] is False


def test_list_page_filters_and_links(world: World, more: dict[str, int]) -> None:
    c = world.logged_in("alice")
    r = c.get("/tasks?per_page=10&sort=created")
    assert r.status_code == 200
    assert "5 tasks" in r.text and "Alpha" in r.text and "Gamma" in r.text and "Beta" not in r.text
    r = c.get("/tasks?surname=gamma")
    assert "1 task;" in r.text and f"/tasks/phq9/{more['late']}" in r.text
    r = c.get("/tasks?created_from=not-a-date")
    assert "is not a date" in r.text and "5 tasks" in r.text
    r = c.get("/tasks?which_idnum=1")
    assert "needs both the type and the number" in r.text
    r = c.get("/tasks?task_type=bmi&task_type=nonsense_table")
    assert "1 task;" in r.text
    with world.db.engine.begin() as conn:
        for n in range(12):
            fx.make_task(
                conn,
                "bmi",
                device_id=world.device_a,
                group_id=world.group_a,
                client_id=100 + n,
                patient_id=1,
                when_created=f"2023-06-{n + 1:02d}T09:00:00Z",
            )
    fx.reindex(world.db.engine)
    r = c.get("/tasks?task_type=bmi&per_page=10")
    assert "Page 1 of 2" in r.text and "page=2" in r.text and "task_type=bmi" in r.text
    r2 = c.get("/tasks?task_type=bmi&per_page=10&page=2")
    assert "Page 2 of 2" in r2.text and "showing 11–13" in r2.text


def test_list_page_says_more_than_beyond_the_count_cap(
    world: World, more: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the count limit the page says "more than" and offers the next page, not the last."""
    from copse.records import tasklist

    monkeypatch.setattr(tasklist, "COUNT_CAP", 3)
    c = world.logged_in("alice")
    with world.db.engine.begin() as conn:
        for n in range(25):
            fx.make_task(
                conn,
                "bmi",
                device_id=world.device_a,
                group_id=world.group_a,
                client_id=200 + n,
                patient_id=1,
                when_created=f"2023-07-{n + 1:02d}T09:00:00Z",
            )
    fx.reindex(world.db.engine)
    for via in ("index", "direct"):
        # 30 tasks; page 1 of 10 a page counts up to 20: "more than 20".
        r = c.get(f"/tasks?per_page=10&via={via}")
        assert "More than 20 tasks; showing 1–10" in r.text, r.text
        assert "Page 1 of more than 2" in r.text and "page=2" in r.text and "Last »" not in r.text
        r = c.get(f"/tasks?per_page=10&page=3&via={via}")  # counts up to 40: exact
        assert "30 tasks; showing 21–30" in r.text and "Page 3 of 3" in r.text
