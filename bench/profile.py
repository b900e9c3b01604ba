"""Profile one scenario in-process with pyinstrument (``python -m bench profile``).

The requests are the benchmark tablet's exact bodies, handed to the same
``ClientApi.handle`` the HTTP endpoint calls, so the profile shows the
server's work without uvicorn's event loop in the way.  Only the chosen
conversation is profiled (set-up uploads are not).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from bench import dbs
from bench.client import BenchTablet
from bench.datagen import SIZES, generate
from bench.server import ADMIN_PASSWORD


class InProcessTablet(BenchTablet):
    def __init__(self, api, *args, **kw):  # type: ignore[no-untyped-def]
        super().__init__("in-process", *args, **kw)
        self.api = api

    def _send(self, body: bytes) -> tuple[int, str]:
        r = self.api.handle(body, "", "127.0.0.1")
        return r.status, r.body


def in_process_api(db: dbs.BenchDb) -> Any:
    """The server's ``ClientApi`` on this bench database, with its admin user (no HTTP)."""
    from copse.accounts.first_admin import ensure_admin
    from copse.api.endpoint import ClientApi
    from copse.config import load_settings

    os.environ["COPSE_DB_URL"] = db.url
    settings = load_settings()
    with db.engine.begin() as conn:
        ensure_admin(conn, settings.bcrypt_rounds, ADMIN_PASSWORD)
    return ClientApi(db.engine, settings)


def run_profile(
    backend: str,
    server_url: str,
    size: str,
    onestep: bool,
    phase: str,
    out_dir: Path,
    work_dir: Path,
) -> Path:
    """phase: first | nochange | change1 | move.  Returns the text profile's path."""
    from pyinstrument import Profiler

    db = dbs.create(backend, server_url, work_dir)
    try:
        api = in_process_api(db)
        data = generate(SIZES[size], seed=1)
        tab = InProcessTablet(api, "admin", ADMIN_PASSWORD, data)
        tab.register()
        steps = {"first": [], "nochange": ["first"], "change1": ["first"], "move": ["first"]}[phase]
        for _ in steps:
            tab.upload("copy", onestep=onestep)
        if phase == "change1":
            data.touch_fraction(0.01, 7)
        prof = Profiler(interval=0.0005)
        t0 = time.perf_counter()
        prof.start()
        tm = tab.upload("move" if phase == "move" else "copy", onestep=onestep)
        prof.stop()
        wall = time.perf_counter() - t0
        name = f"{backend}-{size}-{'onestep' if onestep else 'stepwise'}-{phase}"
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{name}.txt"
        text = prof.output_text(unicode=False, color=False, show_all=False)
        path.write_text(
            f"# {name}: upload phase {tm.upload_s:.3f} s, conversation {wall:.3f} s\n\n{text}"
        )
        (out_dir / f"{name}.html").write_text(prof.output_html())
        return path
    finally:
        dbs.drop(db)
