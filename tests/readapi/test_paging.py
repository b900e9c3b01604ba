"""Cursor paging: pages join up to the whole list, in a stable order, even while rows arrive."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.readapi.conftest import Api, token_for
from tests.web import factories as fx
from tests.web.conftest import World


def _add_tasks(world: World, first_id: int, whens: list[str]) -> None:
    with world.db.engine.begin() as conn:
        for i, when in enumerate(whens):
            fx.make_task(
                conn,
                "phq9" if i % 2 else "gad7",
                device_id=world.device_a,
                group_id=world.group_a,
                client_id=first_id + i,
                patient_id=1,
                when_created=when,
                **({f"q{n}": 2 for n in range(1, 8)}),
            )
    fx.reindex(world.db.engine)


def _walk(api: Api, path: str, limit: int, **params: Any) -> list[tuple[Any, ...]]:
    seen: list[tuple[Any, ...]] = []
    cursor = None
    for _ in range(100):
        q = dict(params, limit=limit, **({"cursor": cursor} if cursor else {}))
        r = api.get(path, **q)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= limit
        seen.extend((i.get("table"), i["pk"]) for i in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("paging never ended")


def test_task_pages_join_up_in_order(world: World, app_client: TestClient) -> None:
    # Ties on purpose: equal creation times in both tables, one unreadable date.
    whens = ["2024-01-05T10:00:00+00:00"] * 4 + [
        "2024-01-06T09:00:00+01:00",
        "2024-01-04T10:00:00Z",
        "garbage",
        "2024-01-07T00:00:00+00:00",
    ]
    _add_tasks(world, 10, whens)
    api = Api(app_client, token_for(world, "alice"))
    whole = _walk(api, "/tasks", 200)
    assert len(whole) == len(whens) + 1 and len(set(whole)) == len(whole)
    for limit in (1, 2, 3):
        assert _walk(api, "/tasks", limit) == whole
    oldest_first = _walk(api, "/tasks", 3, order="asc")
    assert set(oldest_first) == set(whole)
    # Newest first: the dated tasks' UTC times never increase.
    items = api.get("/tasks", limit=200).json()["items"]
    dated = [i["when_created_utc"] for i in items if i["when_created_utc"]]
    assert dated == sorted(dated, reverse=True)
    assert items[-1]["when_created_utc"] is None  # unreadable dates sort lowest
    # Each item carries its summaries, as the task definitions compute them.
    assert all(i["summaries"] and i["summaries"][0]["name"] == "is_complete" for i in items)


def test_rows_arriving_between_pages_do_not_shift_the_cursor(
    world: World, app_client: TestClient
) -> None:
    _add_tasks(world, 10, [f"2024-01-{d:02d}T10:00:00+00:00" for d in range(1, 7)])
    api = Api(app_client, token_for(world, "alice"))
    before = _walk(api, "/tasks", 200)
    first = api.get("/tasks", limit=3).json()
    # A newer task arrives (it belongs before the cursor) and an old one in the middle.
    _add_tasks(world, 50, ["2030-01-01T00:00:00+00:00"])
    rest = _walk(api, "/tasks", 3, cursor=first["next_cursor"])
    got = [(i["table"], i["pk"]) for i in first["items"]] + rest
    assert got == before


def test_a_cursor_belongs_to_its_filters(world: World, as_alice: Api) -> None:
    _add_tasks(world, 10, [f"2024-01-{d:02d}T10:00:00+00:00" for d in range(1, 5)])
    cursor = as_alice.get("/tasks", limit=1).json()["next_cursor"]
    assert cursor
    r = as_alice.get("/tasks", limit=1, cursor=cursor, task_type="phq9")
    assert r.status_code == 400 and r.json()["error"].startswith("cursor:")
    r = as_alice.get("/patients", cursor=cursor)
    assert r.status_code == 400 and r.json()["error"].startswith("cursor:")


def test_patient_pages_join_up(world: World, as_root: Api) -> None:
    with world.db.engine.begin() as conn:
        for i in range(5):
            fx.make_patient(
                conn,
                device_id=world.device_b,
                group_id=world.group_b,
                client_id=100 + i,
                forename=f"P{i}",
                surname="Gamma",
            )
    whole = _walk(as_root, "/patients", 200)
    assert len(whole) == 7
    assert _walk(as_root, "/patients", 2) == whole
    gammas = as_root.get("/patients", surname="GAMMA").json()["items"]
    assert [p["forename"] for p in gammas] == [f"P{i}" for i in range(5)]
