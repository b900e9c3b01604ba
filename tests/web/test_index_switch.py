"""The task list's switch between the index and the direct query (data-model.md §9.7)."""

from __future__ import annotations

import re

from tests.web.conftest import World
from tests.web.consistency import FILTERS, assert_consistent, differences
from tests.web.test_tasklist import more  # noqa: F401 - fixture

LINK = re.compile(r'href="(/tasks/[a-z0-9_]+/\d+)"')


def test_index_and_direct_agree_for_every_filter(world: World, more: dict[str, int]) -> None:  # noqa: F811
    assert differences(world.db.engine, (None, frozenset({world.group_a})), FILTERS) == []
    groups = (frozenset({world.group_b}), frozenset({world.group_a, world.group_b}), frozenset())
    assert differences(world.db.engine, groups, FILTERS[:3]) == []
    pages = ((1, 2), (2, 2), (3, 2), (9, 2))
    assert differences(world.db.engine, (None,), (FILTERS[0], FILTERS[-1]), pages) == []
    assert_consistent(world.db.engine)


def test_toggle_is_for_superusers_only(world: World, more: dict[str, int]) -> None:  # noqa: F811
    c = world.logged_in("alice")
    r = c.get("/tasks?per_page=10&via=direct")
    assert r.status_code == 200
    assert 'id="via"' not in r.text and "directly from the task tables" not in r.text
    assert 'name="via" value="index"' in r.text  # asked for direct, given the index
    assert 'id="via"' not in c.get(f"/patients/{world.patient_a}").text


def test_page_toggle(world: World, more: dict[str, int]) -> None:  # noqa: F811
    c = world.logged_in("root")
    by_index = c.get("/tasks?per_page=10")
    assert by_index.status_code == 200
    assert "via the index</strong>" in by_index.text
    assert 'href="/tasks?per_page=10&amp;via=direct"' in by_index.text
    direct = c.get("/tasks?per_page=10&via=direct")
    assert "directly from the task tables</strong>" in direct.text
    assert (
        LINK.findall(by_index.text) == LINK.findall(direct.text)
        and len(LINK.findall(direct.text)) == 6  # group B's too
    )
    # The filter form keeps the mode; pages keep it too.
    assert 'name="via" value="direct"' in direct.text
    for q in (
        "surname=gamma",
        "era=finalized",
        "task_type=bmi",
        "complete_only=1",
        "sort=patient&order=asc",
        "which_idnum=1&idnum_value=9000000001",
        "created_from=2024-02-02",
    ):
        a, b = c.get(f"/tasks?{q}&via=index"), c.get(f"/tasks?{q}&via=direct")
        assert LINK.findall(a.text) == LINK.findall(b.text), q
    # Unknown mode: the default (index), not an error.
    assert c.get("/tasks?via=bogus").status_code == 200
