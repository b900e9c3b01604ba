"""``web_page_threads``: pages take turns per server process (issue 12, item 2).

On SQLite the default lets one page render at a time per process, so a burst of
page views cannot crowd a tablet's upload out of the interpreter (the figures
are in bench/NOTES.md; speed is measured there, not here).  What is tested here
is that the limit is what the settings say and that pages under it all complete,
concurrently, in a real server process and in a test client whose requests run
in event loops of their own (a limiter belongs to one loop).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from copse.config import Settings
from tests.support.server import ServerProcess
from tests.web.conftest import PASSWORD, World, csrf_of

pytestmark = pytest.mark.sqlite_only  # the default under test is SQLite's


@pytest.mark.parametrize(
    ("url", "setting", "expected"),
    [
        ("sqlite:///x.sqlite", -1, 1),
        ("postgresql://u@h/db", -1, 0),
        ("mysql://u@h/db", -1, 0),
        ("sqlite:///x.sqlite", 0, 0),
        ("postgresql://u@h/db", 3, 3),
    ],
)
def test_effective_limit(url: str, setting: int, expected: int) -> None:
    s = Settings(db_url=url, web_page_threads=setting)
    assert s.effective_web_page_threads == expected


def test_concurrent_pages_all_complete_in_a_server(world: World, live: ServerProcess) -> None:
    with httpx.Client(base_url=live.base_url, timeout=60) as c:
        token = csrf_of(c.get("/login").text)
        r = c.post(
            "/login",
            data={"csrf_token": token, "username": "alice", "password": PASSWORD, "next": "/tasks"},
        )
        assert r.status_code == 303, r.text
        cookies = dict(c.cookies)

    def load(i: int) -> list[int]:
        with httpx.Client(base_url=live.base_url, timeout=60, cookies=cookies) as s:
            return [s.get(p).status_code for p in ("/tasks", "/patients", f"/tasks?page={i}")]

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(load, range(12)))
    assert all(codes == [200, 200, 200] for codes in results), results


def test_requests_in_separate_event_loops_do_not_hang(world: World) -> None:
    # Not entered: each request runs in an event loop of its own, through one app;
    # from several threads at once, so the limiter is contended across loops.
    c = world.client(web_page_threads=1)

    def load(_: int) -> int:
        return c.get("/login").status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(load, range(16))) == [200] * 16
