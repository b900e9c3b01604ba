"""Servers with operational settings of their own (metrics, logs, TLS) for tests/ops."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.databases import Backend
from tests.support.server import ServerProcess

ServerFactory = Callable[..., ServerProcess]


@pytest.fixture
def ops_server(db: Backend, tmp_path: Path) -> Iterator[ServerFactory]:
    """Start copse servers on the test database with extra ``COPSE_*`` settings."""
    started: list[ServerProcess] = []

    def start(workers: int = 1, ca_file: Path | None = None, **env: str) -> ServerProcess:
        s = ServerProcess(
            db.url,
            tmp_path / f"server{len(started)}.log",
            extra_env=env,
            workers=workers,
            ca_file=ca_file,
        )
        started.append(s)
        s.start()
        return s

    yield start
    for s in started:
        s.stop()
