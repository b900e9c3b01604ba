"""A real server with production-like password settings, for tests/security."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.databases import Backend
from tests.support.server import ServerProcess


@pytest.fixture
def secure_server(db: Backend, tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []

    def start(**env: str) -> ServerProcess:
        s = ServerProcess(db.url, tmp_path / f"server{len(started)}.log", extra_env=env)
        started.append(s)
        s.start()
        return s

    yield start
    for s in started:
        s.stop()
