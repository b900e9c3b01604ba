"""Graceful shutdown (issue 8 part 5): on SIGTERM in-flight requests finish, new ones are refused,
and the server exits within a bounded time (uvicorn's graceful timeout, 30 s in ``copse serve``)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support import upload_checks as uc
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.support.tablet import Tablet, nhs_number


def test_sigterm_finishes_in_flight_upload_and_refuses_new(
    db: Backend, site: dict[str, str], tmp_path: Path
) -> None:
    server = ServerProcess(db.url, tmp_path / "server.log")
    server.start()
    try:
        tab = Tablet(server.api_url, site["user"], site["password"])
        tab.register()
        pid = tab.add_patient(nhs=nhs_number(5))
        for i in range(3000):
            tab.create("phq9", patient_id=pid, q1=i % 4, q2=1, q3=2)
        # Time a request's arrival: SIGTERM as soon as the one-step upload is on the wire.
        sent = threading.Event()
        tab.before_request.append(
            lambda op, f: sent.set() if op == "upload_entire_database" else None
        )
        result: dict[str, Any] = {}
        th = threading.Thread(target=lambda: result.update(out=tab.upload("move", onestep=True)))
        th.start()
        assert sent.wait(60)
        time.sleep(0.2)  # the body is being received / processed
        assert server.proc is not None
        server.proc.terminate()
        t0 = time.monotonic()
        time.sleep(0.3)
        # New requests are refused while the in-flight one finishes.
        refused = False
        try:
            r = httpx.post(server.api_url, content=b"operation=check_device_registered", timeout=5)
            refused = r.status_code >= 500 or "Connection: close" in str(r.headers)
        except httpx.HTTPError:
            refused = True
        th.join(timeout=60)
        assert not th.is_alive()
        out = result["out"]
        assert out.ok, out.error  # the in-flight upload completed
        assert refused
        server.proc.wait(timeout=40)
        assert time.monotonic() - t0 < 40
        dev = uc.device_id(db.engine, tab.device)
        eras = uc.current_by_era(db.engine, dev, ("phq9",))
        assert "NOW" not in eras and sum(len(v.get("phq9", {})) for v in eras.values()) == 3000
        assert not any(tab.db.values())  # the tablet got its acknowledgement and wiped
        tab.http.close()
    finally:
        server.proc = server.proc if server.proc and server.proc.poll() is None else server.proc
        try:
            server.stop()
        except Exception:  # noqa: BLE001 -- already gone
            pass
