"""A CamCOPS 2.4.24 source database loaded from the shared fixture dump, once per
session (per worker), and empty scratch databases for hand-made sources."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.camcops_source import (
    DUMP,
    FIXTURE_DIR,
    create_mysql_db,
    drop_mysql_db,
    load_dump,
)


@pytest.fixture(scope="session")
def manifest() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((FIXTURE_DIR / "MANIFEST.json").read_text("utf-8"))
    return result


@pytest.fixture(scope="session")
def camcops_source() -> Iterator[str]:
    """URL of a MariaDB database holding the CamCOPS 2.4.24 fixture."""
    url = create_mysql_db("camcops_src")
    try:
        load_dump(url, DUMP)
        yield url
    finally:
        drop_mysql_db(url)


@pytest.fixture
def scratch_mysql_db() -> Iterator[str]:
    """An empty MariaDB database for hand-made (not-quite-CamCOPS) sources."""
    url = create_mysql_db("scratch")
    try:
        yield url
    finally:
        drop_mysql_db(url)
