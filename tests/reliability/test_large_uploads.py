"""Bounded memory under parallel large one-step uploads (issue 12; copse.api.gate).

A memory *bound* (not a speed): eight tablets each send a 50 MB one-step
upload at once; the server process's peak RSS (``VmHWM`` from /proc) stays
under a bound that only ``max_large_uploads`` decodes at a time can meet.
And a large upload that cannot get its turn in time is answered ``success:0``
"server busy, try again", changing nothing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.reliability.helpers import WHEN, dbdata_json
from tests.support.api import parse_reply, post, qt_form_encode
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.support.snapshot import diff, snapshot

MB = 1024 * 1024
N_UPLOADS = 8
BODY_MB = 50
MAX_LARGE = 2
#: Peak RSS bound: the idle server plus, for each upload decoded at once, six
#: times its body (measured: about 4.7x), plus slack for buffers.  Without the
#: gate, eight decodes at once need about 8 x 4.7 x 50 MB = 1.9 GB.
PER_DECODE = 6 * BODY_MB * MB
SLACK = 150 * MB


def vm_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{key} not in /proc/{pid}/status")


def register(http: httpx.Client, server: ServerProcess, site: dict[str, str], dev: str) -> None:
    r = post(http, server.api_url, fields(site, dev, "register"))
    assert r.ok, r.text


def fields(site: dict[str, str], dev: str, operation: str) -> dict[str, str]:
    return {
        "operation": operation,
        "camcops_version": "2.4.24",
        "device": dev,
        "user": site["user"],
        "password": site["password"],
    }


def quoted(text: str) -> bytes:
    """Form-encoded like ``qt_form_encode`` does, fast enough for 50 MB."""
    return re.sub(rb"[^A-Za-z0-9._~-]", lambda m: b"%%%02X" % m.group()[0], text.encode())


def onestep_body(site: dict[str, str], dev: str, pk: str, data: bytes) -> bytes:
    """``data``: the ``dbdata`` value, already form-encoded (see :func:`quoted`)."""
    f = fields(site, dev, "upload_entire_database")
    f.update(finalizing="0", pknameinfo=pk)
    return qt_form_encode(f) + b"&dbdata=" + data


def blob_rows(total_bytes: int, n: int = 5) -> dict[str, list[dict[str, object]]]:
    """``n`` BLOBs whose base64 encoding adds up to about ``total_bytes`` of body."""
    each = total_bytes * 3 // (4 * n)
    return {
        "blobs": [
            {
                "id": i,
                "when_last_modified": WHEN,
                "_move_off_tablet": 0,
                "tablename": "photo",
                "tablepk": i,
                "fieldname": "photo_blobid",
                "filename": "x.jpg",
                "mimetype": "image/jpeg",
                "theblob": bytes([i]) * each,
            }
            for i in range(1, n + 1)
        ]
    }


@pytest.fixture
def gated_server(backend: Backend, tmp_path: Path) -> Iterator[ServerProcess]:
    s = ServerProcess(
        backend.url,
        tmp_path / "server.log",
        extra_env={
            "COPSE_MAX_LARGE_UPLOADS": str(MAX_LARGE),
            "COPSE_LARGE_UPLOAD_BYTES": str(16 * MB),
            "COPSE_LARGE_UPLOAD_WAIT_SECONDS": "600",
        },
    )
    s.start()
    yield s
    s.stop()


@pytest.mark.timeout(1200)  # 8 x 50 MB through a real server on a small shared machine
def test_parallel_large_onestep_uploads_keep_memory_bounded(
    gated_server: ServerProcess, db: Backend, site: dict[str, str]
) -> None:
    server = gated_server
    assert server.proc is not None
    pid = server.proc.pid
    devices = [f"{{big-{i}}}" for i in range(N_UPLOADS)]
    with httpx.Client(timeout=600) as http:
        for dev in devices:
            register(http, server, site, dev)
    pk, text = dbdata_json(blob_rows(BODY_MB * MB))
    data = quoted(text)
    del text
    bodies = [onestep_body(site, dev, pk, data) for dev in devices]
    del data
    assert all(len(b) > BODY_MB * MB * 0.95 for b in bodies)
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    idle = vm_kb(pid, "VmHWM") * 1024

    def send(body: bytes) -> str:
        with httpx.Client(timeout=600) as c:
            r = c.post(
                server.api_url,
                content=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            return r.text

    with ThreadPoolExecutor(N_UPLOADS) as pool:
        replies = list(pool.map(send, bodies))
    for text in replies:
        assert parse_reply(text).get("success") == "1", text[:300]
    peak = vm_kb(pid, "VmHWM") * 1024
    bound = idle + MAX_LARGE * PER_DECODE + SLACK
    print(f"idle {idle / MB:.0f} MB, peak {peak / MB:.0f} MB, bound {bound / MB:.0f} MB")
    assert peak - idle > BODY_MB * MB, "the uploads did not even hold one body in memory?"
    assert peak < bound, f"peak RSS {peak / MB:.0f} MB over the bound {bound / MB:.0f} MB"


@pytest.fixture
def one_turn_server(backend: Backend, tmp_path: Path) -> Iterator[ServerProcess]:
    s = ServerProcess(
        backend.url,
        tmp_path / "server.log",
        extra_env={
            "COPSE_MAX_LARGE_UPLOADS": "1",
            "COPSE_LARGE_UPLOAD_BYTES": "100000",
            "COPSE_LARGE_UPLOAD_WAIT_SECONDS": "2",
        },
    )
    s.start()
    yield s
    s.stop()


def test_large_upload_without_a_turn_gets_server_busy(
    one_turn_server: ServerProcess, db: Backend, site: dict[str, str]
) -> None:
    server = one_turn_server
    with httpx.Client(timeout=60) as http:
        for dev in ("{holder}", "{waiter}"):
            register(http, server, site, dev)
    pk, text = dbdata_json(blob_rows(300_000, n=2))
    data = quoted(text)
    holder_body = onestep_body(site, "{holder}", pk, data)
    waiter_body = onestep_body(site, "{waiter}", pk, data)
    sent_first = threading.Event()
    release = threading.Event()

    def slow_body() -> Iterator[bytes]:
        """The holder's body: its first part, then nothing until released."""
        yield holder_body[:1000]
        sent_first.set()
        release.wait(timeout=120)
        yield holder_body[1000:]

    def hold() -> str:
        with httpx.Client(timeout=120) as c:
            return c.post(
                server.api_url,
                content=slow_body(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Content-Length": str(len(holder_body)),
                },
            ).text

    with ThreadPoolExecutor(1) as pool:
        holding = pool.submit(hold)
        assert sent_first.wait(timeout=60)
        before = snapshot(db.engine)
        with httpx.Client(timeout=60) as http:
            # Small requests never wait for the gate.
            small = post(
                http, server.api_url, fields(site, "{waiter}", "check_upload_user_and_device")
            )
            assert small.ok, small.text
            r = http.post(
                server.api_url,
                content=waiter_body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        reply = parse_reply(r.text)
        assert r.status_code == 503 and reply["success"] == "0", r.text
        assert "Server busy" in reply["error"] and "try again" in reply["error"], r.text
        assert "max_large_uploads=1" in reply["error"]
        assert diff(before, snapshot(db.engine)) == []
        release.set()
        assert parse_reply(holding.result()).get("success") == "1"
    # Once the holder is done, the waiter's upload goes through.
    with httpx.Client(timeout=60) as http:
        r = http.post(
            server.api_url,
            content=waiter_body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert parse_reply(r.text).get("success") == "1", r.text
