"""The task list's Result column loads the page's tasks set-based, not task by task."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from copse.services.clinical import list_summaries
from tests.web import factories as fx
from tests.web.conftest import World


def count_statements(engine: sa.Engine, keys: list[tuple[str, int]]) -> tuple[int, Any]:
    seen: list[str] = []

    def before(*args: Any) -> None:
        seen.append(args[2])

    with engine.connect() as conn:
        sa.event.listen(conn, "before_cursor_execute", before)
        result = list_summaries(conn, keys)
        sa.event.remove(conn, "before_cursor_execute", before)
    return len(seen), result


def test_statements_do_not_grow_with_the_page(world: World) -> None:
    with world.db.engine.begin() as conn:
        pks = [
            fx.make_task(
                conn,
                "phq9",
                device_id=world.device_a,
                group_id=world.group_a,
                client_id=10 + i,
                patient_id=1,
                when_created="2024-02-03T10:00:00.000+00:00",
                **{f"q{k}": i % 4 for k in range(1, 11)},
            )
            for i in range(20)
        ]
    few, small = count_statements(world.db.engine, [("phq9", pk) for pk in pks[:2]])
    many, large = count_statements(world.db.engine, [("phq9", pk) for pk in pks])
    assert few == many
    assert len(small) == 2 and len(large) == 20
    assert large[("phq9", pks[3])].text.startswith("27/27")
    assert large[("phq9", pks[3])].flags
    # Unknown tables and missing rows are left out, never an error.
    assert count_statements(world.db.engine, [("nosuch", 1), ("phq9", 10**9)])[1] == {}
