"""``web_page_threads``: pages take turns per server process.

On SQLite the default lets one page render at a time per process, so a burst of
page views cannot crowd a tablet's upload out of the interpreter (the figures
are in bench/NOTES.md; speed is measured there, not here).  What is tested here
is that the limit is what the settings say, that it is applied (a probe page
counts the renders in progress), and that pages under it all complete,
concurrently, in a real server process and in a test client whose requests run
in event loops of their own (the turns are shared by every loop).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from copse.config import Settings
from copse.web.endpoint import WebConfig, WebContext, page
from tests.support.server import ServerProcess
from tests.web.conftest import PASSWORD, World, csrf_of


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
@pytest.mark.sqlite_only  # settings only
def test_effective_limit(url: str, setting: int, expected: int) -> None:
    s = Settings(db_url=url, web_page_threads=setting)
    assert s.effective_web_page_threads == expected


@pytest.mark.sqlite_only  # the default under test is SQLite's
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


@pytest.mark.sqlite_only
def test_requests_in_separate_event_loops_do_not_hang(world: World) -> None:
    # Not entered: each request runs in an event loop of its own, through one app;
    # from several threads at once, so the limiter is contended across loops.
    c = world.client(web_page_threads=1)

    def load(_: int) -> int:
        return c.get("/login").status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(load, range(16))) == [200] * 16


class RenderProbe:
    """A page that counts the renders in progress and holds each until let go."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.active = 0
        self.peak = 0
        self.go = False

    def view(self, ctx: WebContext) -> Response:
        with self.cond:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.cond.notify_all()
            let_go = self.cond.wait_for(lambda: self.go, timeout=60)
            self.active -= 1
        assert let_go, "the test never let the probe's renders go"
        return HTMLResponse("probed")

    def let_go(self) -> None:
        with self.cond:
            self.go = True
            self.cond.notify_all()


def until(cond: Callable[[], bool], what: Callable[[], str], timeout: float = 30.0) -> None:
    """Poll until ``cond`` holds (a state to reach, not a race to paper over)."""
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what()}"
        time.sleep(0.01)


@pytest.mark.parametrize("entered", [True, False], ids=["one-loop", "loop-per-request"])
@pytest.mark.parametrize("limit", [0, 2])
def test_the_limit_is_applied(world: World, limit: int, entered: bool) -> None:
    """Six probe pages at once: with a limit of 2, two render and four wait their turn.

    Without a limit all six render at once (so the probe can see a breach).
    ``entered``: a test client in a ``with`` block runs every request in one
    event loop, as a server process does; outside it each request has a loop
    of its own, and the limit still holds across them.
    """
    n = 6
    probe = RenderProbe()
    client = world.client(web_page_threads=limit)
    client.app.router.routes.append(  # type: ignore[attr-defined]
        Route("/probe", page(login=False)(probe.view), methods=["GET"])
    )
    config: WebConfig = client.app.state.web  # type: ignore[attr-defined]
    turns = config.page_turns
    assert (turns is None) == (limit == 0)
    if entered:
        client.__enter__()
    try:
        with ThreadPoolExecutor(max_workers=n) as pool:
            futures = [pool.submit(client.get, "/probe") for _ in range(n)]
            try:
                if turns is None:
                    until(
                        lambda: probe.active == n,
                        lambda: f"all six renders at once (rendering: {probe.active})",
                    )
                else:
                    # Every request has arrived: `limit` render, the rest are queued.
                    until(
                        lambda: probe.active == limit and turns.waiting == n - limit,
                        lambda: (
                            f"{limit} rendering and {n - limit} waiting "
                            f"(rendering: {probe.active}, at most {probe.peak}; "
                            f"waiting: {turns.waiting})"
                        ),
                    )
                    assert probe.active == limit
            finally:
                probe.let_go()
            codes = [f.result(timeout=60).status_code for f in futures]
    finally:
        if entered:
            client.__exit__(None, None, None)
    assert codes == [200] * n
    assert probe.peak == (limit or n)
    if turns is not None:
        assert (turns.held, turns.waiting) == (0, 0)


def test_a_page_keeps_its_turn_while_a_tablet_is_served(world: World) -> None:
    """``web_page_pause``: beside a tablet request a page holds its turn after rendering.

    The page itself is sent at once; its turn is kept for ``web_page_pause``
    times the render, at most 2 s (here: 2 s, as any render takes over 2 ms),
    and given back when no tablet request is in flight, which is how the test
    ends it.
    """
    probe = RenderProbe()
    client = world.client(web_page_threads=1, web_page_pause=1000.0)
    client.app.router.routes.append(  # type: ignore[attr-defined]
        Route("/probe", page(login=False)(probe.view), methods=["GET"])
    )
    config: WebConfig = client.app.state.web  # type: ignore[attr-defined]
    turns, tablets = config.page_turns, config.tablet_requests
    assert turns is not None and tablets is not None
    with client, ThreadPoolExecutor(max_workers=1) as pool:
        with tablets.track():  # as the client API does around each request
            future = pool.submit(client.get, "/probe")
            until(lambda: probe.active == 1, lambda: "the probe page to render")
            probe.let_go()
            assert future.result(timeout=30).status_code == 200, "the page was held back"
            assert turns.held == 1, "the page gave its turn back beside a tablet request"
        until(lambda: turns.held == 0, lambda: "the turn to come back after the tablets")
