"""Fixtures of the read API tests: the web tests' two-group world, plus API tokens.

Each test client talks to the real app in-process (Starlette's TestClient)
on every configured backend; ``test_end_to_end`` uses a real server process.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from starlette.testclient import TestClient

from copse.accounts import api_tokens
from tests.web.conftest import World, live, world  # noqa: F401  (the fixtures, reused)

__all__ = ["World", "live", "token_for", "world"]


def token_for(
    world: World, username: str, *, days: int | None = None, now: datetime | None = None
) -> str:
    with world.db.engine.begin() as conn:
        return api_tokens.create_token_for(
            conn, username, "tests", days, now or datetime.utcnow()
        ).secret


class Api:
    """A TestClient that sends one user's token."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.token = token

    def get(self, path: str, **params: object) -> object:
        return self.client.get(
            "/read/v1" + path,
            params=params,  # type: ignore[arg-type]
            headers={"Authorization": f"Bearer {self.token}"},
        )


@pytest.fixture
def app_client(world: World) -> Iterator[TestClient]:
    with world.client() as c:
        yield c


@pytest.fixture
def as_alice(world: World, app_client: TestClient) -> Api:
    return Api(app_client, token_for(world, "alice"))


@pytest.fixture
def as_root(world: World, app_client: TestClient) -> Api:
    return Api(app_client, token_for(world, "root"))
