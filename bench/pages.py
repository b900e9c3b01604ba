"""Web pages beside a large upload on SQLite (issue 12 item 2): ``python -m bench.pages``.

A 10,000-row one-step upload (the ``10k`` tablet) is timed alone, then again
from a second device while 10 web clients load the task list in a loop.  The
pages run in read-only transactions beside the upload's write lock (WAL), so

* the upload's time stays within 1.5x of the upload alone, and
* no page waits for the upload: the slowest page during the upload is far
  shorter than the upload itself (a page that queued behind the write lock
  would take as long as the rest of the upload).

Prints a Markdown table; paste it into ``bench/NOTES.md`` (rendered into
RESULTS.md by ``python -m bench render``).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench import dbs
from bench.datagen import SIZES, generate
from bench.scenarios import _tablet
from bench.server import Server

N_CLIENTS = 10
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]*)"')


WEB_PASSWORD = "web-bench-password-1"


def add_web_user(db_url: str, name: str) -> None:
    """A superuser per web client: a web login ends the same user's other sessions."""
    subprocess.run(
        [sys.executable, "-m", "copse", "--db-url", db_url, "user", "add", name, "--superuser"],
        env={**os.environ, "COPSE_NEW_PASSWORD": WEB_PASSWORD, "COPSE_BCRYPT_ROUNDS": "4"},
        check=True,
        capture_output=True,
    )


def web_login(base: str, user: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=120, follow_redirects=False)
    page = c.get("/login")
    m = CSRF_RE.search(page.text)
    assert m, page.text[:300]
    r = c.post(
        "/login",
        data={"username": user, "password": WEB_PASSWORD, "csrf_token": m.group(1)},
    )
    assert r.status_code == 303, r.text[:300]
    return c


def page_loop(c: httpx.Client, stop: threading.Event, out: list[tuple[float, float]]) -> None:
    """Load the task list until told to stop; (start, seconds) per page."""
    while not stop.is_set():
        t0 = time.monotonic()
        r = c.get("/tasks")
        assert r.status_code == 200, r.status_code
        out.append((t0, time.monotonic() - t0))


def run(
    size: str,
    seed: int,
    workers: int = 1,
    page_threads: int = -1,
    page_pause: float = 1.0,
) -> str:
    work = Path(tempfile.mkdtemp(prefix="copse-bench-pages-"))
    db = dbs.create("sqlite", "", work)
    srv = Server(
        db.url,
        work / "server.log",
        workers=workers,
        extra_env={
            "COPSE_ALLOW_INSECURE_COOKIES": "true",
            "COPSE_WEB_PAGE_THREADS": str(page_threads),
            "COPSE_WEB_PAGE_PAUSE": str(page_pause),
        },
    )
    srv.start()
    try:
        users = [f"web{i}" for i in range(N_CLIENTS)]
        for u in users:
            add_web_user(db.url, u)
        data = generate(SIZES[size], seed)
        base = srv.api_url.removesuffix("/api")
        alone = _tablet(srv, data, "alone").upload("copy", onestep=True).upload_s
        clients = [web_login(base, u) for u in users]
        idle: list[tuple[float, float]] = []
        stop = threading.Event()
        threads = [
            threading.Thread(target=page_loop, args=(c, stop, idle)) for c in clients[:N_CLIENTS]
        ]
        for t in threads:
            t.start()
        time.sleep(3)  # a steady page load before the upload starts (a measurement window)
        tab = _tablet(srv, data, "busy")
        u0 = time.monotonic()
        busy = tab.upload("copy", onestep=True).upload_s
        u1 = time.monotonic()
        stop.set()
        for t in threads:
            t.join()
        during = [s for t0, s in idle if u0 <= t0 < u1]
        before = [s for t0, s in idle if t0 + s < u0]
        rows = [
            ("upload alone (s)", f"{alone:.2f}"),
            (f"upload while {N_CLIENTS} clients load /tasks (s)", f"{busy:.2f}"),
            ("ratio (limit 1.5)", f"{busy / alone:.2f}"),
            ("pages loaded during the upload", str(len(during))),
            ("page time before the upload: median / max (s)", _mm(before)),
            ("page time during the upload: median / max (s)", _mm(during)),
            ("slowest page during the upload / upload time", f"{max(during) / busy:.2f}"),
        ]
        return "\n".join(
            [
                f"SQLite, `{size}` tablet one-step first upload (seed {seed}), "
                f"{N_CLIENTS} web clients looping over the task list, "
                f"{workers} server process(es), web_page_threads={page_threads}, "
                f"web_page_pause={page_pause}:",
                "",
                "| measure | value |",
                "|---|---|",
                *[f"| {k} | {v} |" for k, v in rows],
            ]
        )
    finally:
        srv.stop()
        dbs.drop(db)


def _mm(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.3f} / {max(values):.3f}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--size", default="10k", choices=sorted(SIZES))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    p.add_argument(
        "--page-threads",
        type=int,
        default=-1,
        help="the server's web_page_threads (default -1: the server's own default; 0: no limit)",
    )
    p.add_argument(
        "--page-pause",
        type=float,
        default=1.0,
        help="the server's web_page_pause (default 1, the server's default; 0: no pause)",
    )
    args = p.parse_args()
    print(
        run(
            args.size,
            args.seed,
            args.workers,
            args.page_threads,
            args.page_pause,
        )
    )


if __name__ == "__main__":
    main()
