"""Request ids in replies and on every log line; JSON logs; the slow-request log;
forwarded headers believed only from trusted proxies."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from tests.support.server import ServerProcess

from .conftest import ServerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]

API_FORM = {"operation": "check_device_registered", "device": "dev-x", "camcops_version": "2.4.24"}


def logged(server: ServerProcess, request_id: str, want: str) -> list[dict[str, object]]:
    """The JSON lines of one request, once one of them has ``want`` as a key.

    The slow-request line is written after the response has gone (its time
    includes sending it), so the test waits for that line to appear.
    """
    deadline = time.monotonic() + 30
    while True:
        lines = [rec for rec in json_lines(server) if rec["request_id"] == request_id]
        if any(want in rec for rec in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)  # polling the log file for a line, not covering a race


def json_lines(server: ServerProcess) -> list[dict[str, object]]:
    out = []
    for line in server.log_text().splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_request_id_offered_kept_and_logged(ops_server: ServerFactory) -> None:
    s = ops_server(COPSE_LOG_FORMAT="json", COPSE_LOG_LEVEL="INFO", COPSE_SLOW_REQUEST_MS="0")
    r = httpx.post(s.api_url, data=API_FORM, headers={"X-Request-ID": "lb-7f3a-0001"}, timeout=30)
    assert r.headers["x-request-id"] == "lb-7f3a-0001"
    lines = logged(s, "lb-7f3a-0001", "slow_ms")
    messages = " | ".join(str(rec["message"]) for rec in lines)
    assert "POST /api" in messages, messages  # the access line
    slow = [rec for rec in lines if rec.get("slow_ms") is not None]
    assert slow and slow[0]["operation"] == "check_device_registered"
    assert slow[0]["device"] == "dev-x" and slow[0]["rows"] == 0


def test_bad_or_missing_request_id_gets_a_fresh_one(ops_server: ServerFactory) -> None:
    s = ops_server()
    forged = httpx.get(f"{s.base_url}/health/live", headers={"X-Request-ID": "a b] INFO fake"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["x-request-id"])
    first = httpx.get(f"{s.base_url}/login").headers["x-request-id"]
    second = httpx.get(f"{s.base_url}/login").headers["x-request-id"]
    assert first != second


def test_text_logs_carry_the_request_id(ops_server: ServerFactory) -> None:
    s = ops_server(COPSE_LOG_LEVEL="INFO")
    r = httpx.post(s.api_url, data=API_FORM, timeout=30)
    rid = r.headers["x-request-id"]
    assert any(f"[{rid}]" in line and "POST /api" in line for line in s.log_text().splitlines())


def test_forwarded_for_ignored_unless_from_a_trusted_proxy(ops_server: ServerFactory) -> None:
    headers = {"X-Forwarded-For": "203.0.113.9"}
    plain = ops_server(COPSE_LOG_FORMAT="json", COPSE_LOG_LEVEL="INFO")
    rid = httpx.get(f"{plain.base_url}/health/live", headers=headers).headers["x-request-id"]
    access = [str(r["message"]) for r in json_lines(plain) if r["request_id"] == rid]
    assert access and all("203.0.113.9" not in m for m in access)
    assert any(m.startswith("127.0.0.1:") for m in access)

    proxied = ops_server(
        COPSE_LOG_FORMAT="json", COPSE_LOG_LEVEL="INFO", COPSE_TRUSTED_PROXIES="127.0.0.1"
    )
    rid = httpx.get(f"{proxied.base_url}/health/live", headers=headers).headers["x-request-id"]
    access = [str(r["message"]) for r in json_lines(proxied) if r["request_id"] == rid]
    assert any(m.startswith("203.0.113.9:") for m in access), access
